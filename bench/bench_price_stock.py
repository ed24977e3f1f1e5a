"""Price/stock propagation: store change → TikTok updated, at 50 changes/s sustained.

For each platform (BENCH_PLATFORMS, default "bigcommerce,magento"): list a catalog, then for `duration`
seconds (default 20, BENCH_SIZE=full: 60) change one bound SKU's stock 50 times a second through the store's
own API. Each change sets a new, ever larger quantity, so the first TikTok inventory update carrying that SKU
with at least that quantity (seen in the TikTok sandbox's call log) is when the change arrived. A later change
to the same product may carry an earlier one along (coalescing): that counts as arrival.

Bound: poll interval + 5 s (webhook platforms have no poll, so 5 s; Magento is polled every BENCH_POLL seconds,
default 10). Also: TikTok calls per change (the minimum is one stock call per change; coalescing can go
below it), worker CPU per TikTok update, 429s.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from bench.world import (
    BenchWorld,
    StockSetter,
    build,
    list_and_activate,
    map_products,
    percentile,
    pick,
    wait_until,
)
from feedbridge.db.models import Binding, StoreConnection, StoreFeed, TikTokShop, utcnow
from feedbridge.db.session import transaction

RATE = 50.0
PROCESSING = 5.0


@dataclass
class Change:
    t: float
    binding: Binding
    quantity: int


def arrivals(world: BenchWorld, changes: list[Change]) -> list[float | None]:
    """Per change: seconds until TikTok got a stock update carrying it (None if it never did)."""
    pushes: dict[str, list[tuple[float, int]]] = {}
    for call in world.calls.since(changes[0].t if changes else 0):
        if call.path.endswith("/inventory/update") and call.body:
            for sku in call.body.get("skus", []):
                quantity = sum(int(i.get("quantity", 0)) for i in sku.get("inventory", []))
                pushes.setdefault(str(sku.get("id")), []).append((call.t, quantity))
    result: list[float | None] = []
    for change in changes:
        seen = [t for t, q in pushes.get(str(change.binding.tiktok_sku_id), [])
                if t >= change.t and q >= change.quantity]
        result.append(min(seen) - change.t if seen else None)
    return result


def stale_skus(world: BenchWorld, changes: list[Change]) -> list[str]:
    """SKUs whose last store quantity is not what TikTok shows now (a lost update, not a slow one)."""
    last: dict[str, int] = {}
    for change in changes:
        last[str(change.binding.tiktok_sku_id)] = max(last.get(str(change.binding.tiktok_sku_id), 0), change.quantity)
    shown = {str(sku["id"]): sum(int(i["quantity"]) for i in sku["inventory"])
             for product in world.tiktok_control("GET", "/products")["products"] for sku in product["skus"]}
    return [f"{sku}: store {q}, TikTok {shown.get(sku)}" for sku, q in last.items() if shown.get(sku) != q]


def quiet_schedules(world: BenchWorld, poll_seconds: int) -> None:
    """Mark the TikTok polls and the 6-hourly reconciliation as just done, so only the store poll runs."""
    now = utcnow().isoformat()
    with transaction(world.runtime.sessions) as session:
        connection = session.get(StoreConnection, world.connection_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        feed = session.get(StoreFeed, world.feed_id)
        assert connection is not None and shop is not None and feed is not None
        connection.settings = {**(connection.settings or {}), "poll_seconds": poll_seconds}
        connection.poll_watermark = utcnow() - timedelta(seconds=5)
        shop.settings = {**(shop.settings or {}), "polled_at": now}
        feed.rules = {**(feed.rules or {}), "reconciled_at": now}


def run_poller(world: BenchWorld, stop: threading.Event) -> None:
    """The periodic task's body, run every second (production: every minute via huey's crontab)."""
    from feedbridge.sync.polling import run_schedules

    while not stop.wait(1.0):
        run_schedules(world.runtime)


async def drive(world: BenchWorld, bindings: list[Binding], duration: float, locations: list[str],
                rate: float = RATE) -> list[Change]:
    """Change stock at `rate` per second for `duration` seconds; each change gets a new, larger quantity."""
    rng = random.Random(7)
    changes: list[Change] = []
    start = time.monotonic()
    total = int(duration * rate)

    gate = asyncio.Semaphore(16)
    # Changes to one variant go to the store in order, so its last quantity is also its largest.
    locks: dict[str, asyncio.Lock] = {}

    async def one(n: int, setter: StockSetter) -> None:
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        binding = rng.choice(bindings)
        quantity = 1000 + n
        async with locks.setdefault(binding.store_variant_id, asyncio.Lock()), gate:
            changes.append(Change(time.monotonic(), binding, quantity))
            await setter.set(binding, quantity)

    async with StockSetter(world.harness, locations) as setter:
        await asyncio.gather(*(one(n, setter) for n in range(total)))
    late = time.monotonic() - start - duration
    if late > 1.0:
        print(f"  note: the driver fell {late:.1f}s behind {rate:.0f} changes/s")
    return changes


def bench_platform(platform: str, duration: float, products: int, rate: float = RATE,
                   quiet: bool = False) -> dict[str, float]:
    """Measure one platform and print its figures (unless `quiet`); returns them."""
    poll = int(pick("poll", 10, 10)) if platform == "magento" else 0
    generated = products if platform == "bigcommerce" else 0
    world = build(platform, generated=generated, variants=3, review_delay=0.3)
    try:
        world.start_workers(1, int(pick("threads", 4, 4)))
        bindings = list_and_activate(world, map_products(world))
        locations = asyncio.run(world.harness.location_ids())
        if platform == "magento":
            quiet_schedules(world, poll)
        time.sleep(2.0)  # let listing webhooks settle before measuring
        world.set_latency(pick("latency", 0.05, 0.05))
        stop = threading.Event()
        poller = threading.Thread(target=run_poller, args=(world, stop), daemon=True)
        if poll:
            poller.start()
        cpu0, app0, t0 = world.worker_cpu(), world.app_cpu(), time.monotonic()
        changes = asyncio.run(drive(world, bindings, duration, locations, rate))
        bound = poll + PROCESSING

        def arrived() -> bool:
            return all(a is not None for a in arrivals(world, changes))

        try:
            wait_until(arrived, bound * 3 + 30, "every change on TikTok", every=1.0)
        except TimeoutError as exc:
            print(f"  {exc}")
        stop.set()
        cpu, app_cpu = world.worker_cpu() - cpu0, world.app_cpu() - app0
        latencies = arrivals(world, changes)
        got = [a for a in latencies if a is not None]
        calls = [c for c in world.calls.since(t0) if c.path.endswith(("/inventory/update", "/prices/update"))]
        every_call = world.calls.since(t0)
        rejected = sum(1 for c in every_call if c.status == 429)
        p50, p99 = percentile(got, 50), percentile(got, 99)
        sender = getattr(getattr(world.harness.sandbox, "store", None), "webhooks", None)
        figures = {"changes": len(changes), "updates": len(calls), "worker_cpu": cpu, "app_cpu": app_cpu,
                   "p50": p50, "p99": p99, "webhooks": len(sender.log) if sender is not None else 0}
        if quiet:
            return figures
        print(f"{platform}: {len(changes)} changes over {duration:.0f}s to {len({b.tiktok_sku_id for b in bindings})}"
              f" SKUs of {len({b.store_product_id for b in bindings})} products"
              f"{f' (polled every {poll}s)' if poll else ' (webhooks)'}; arrived {len(got)}/{len(changes)}")
        print(f"  p50={p50:.2f}s p99={p99:.2f}s bound={bound:.1f}s ratio={p99 / bound:.2f}")
        per_change = len(calls) / max(1, len(changes))
        print(f"  tiktok_update_calls_per_change={per_change:.2f} minimum=1.00 ratio={per_change:.2f}; "
              f"all TikTok calls {len(every_call)}; 429 answers: {rejected}")
        stale = stale_skus(world, changes)
        if sender is not None:
            failed = [d for d in sender.log if not d.delivered]
            print(f"  store webhooks: {len(sender.log)} sent, {len(failed)} not delivered"
                  + (f" ({failed[0].error} after {failed[0].attempts} attempts)" if failed else "")
                  + f"; app CPU {app_cpu * 1000 / max(1, len(sender.log)):.1f} ms per webhook")
        print(f"  SKUs whose final stock never reached TikTok: {len(stale)}" + (f" e.g. {stale[:3]}" if stale else ""))
        print(f"  worker CPU {cpu * 1000 / max(1, len(calls)):.1f} ms per TikTok update "
              f"({cpu * 1000 / max(1, len(changes)):.1f} ms per store change)")
        return figures
    finally:
        world.stop()


def main() -> None:
    duration = pick("duration", 20, 60)
    products = int(pick("products", 100, 100))
    for platform in os.environ.get("BENCH_PLATFORMS", "bigcommerce,magento").split(","):
        bench_platform(platform.strip(), duration, products)


if __name__ == "__main__":
    main()
