"""TikTok orders into the store: 1,000 orders arriving in one minute (default 200 at the same rate).

Buyers check out on the TikTok sandbox at 1,000/60 orders per second; each order sits in TikTok's on-hold
window (BENCH_ON_HOLD seconds, default 2; TikTok's is 1 h), then must be created in the store exactly once.
Latency runs from the end of the on-hold window to the moment feedbridge recorded the store order
(`created_in_store_at`). Duplicates are counted in the store itself: store orders per TikTok order id.
Bound: 5 s after the hold (feedbridge's own processing allowance; peers publish 1 to 15 minutes).
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.world import BenchWorld, build, list_and_activate, map_products, percentile, pick, size, wait_until
from feedbridge.db.models import Binding, Order

RATE = 1000 / 60
BOUND = 5.0


async def place_orders(world: BenchWorld, bindings: list[Binding], count: int) -> dict[str, float]:
    """Place `count` one-line orders at RATE per second; returns TikTok order id → wall time placed."""
    rng = random.Random(11)
    placed: dict[str, float] = {}
    start = time.monotonic()
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=f"{world.tiktok_server.url}/_sandbox", timeout=60) as http:
        async def one(n: int) -> None:
            await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
            binding = rng.choice(bindings)
            async with gate:
                at = time.time()
                answer = await http.post("/buyer/orders", json={
                    "items": [{"seller_sku": binding.seller_sku, "quantity": 1 + n % 2}]})
                answer.raise_for_status()
                body = answer.json()
                placed[str(body.get("id") or body.get("order_id"))] = at

        await asyncio.gather(*(one(n) for n in range(count)))
    late = time.monotonic() - start - count / RATE
    if late > 1.0:
        print(f"  note: buyers fell {late:.1f}s behind {RATE:.1f} orders/s")
    return placed


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


async def store_counts(world: BenchWorld, order_ids: list[str]) -> dict[str, int]:
    gate = asyncio.Semaphore(8)

    async def one(order_id: str) -> tuple[str, int]:
        async with gate:
            return order_id, int(await world.harness.count_orders(order_id))

    return dict(await asyncio.gather(*(one(o) for o in order_ids)))


def run(count: int, on_hold: float, *, products: int = 20, threads: int = 4) -> dict[str, Any]:
    """Place `count` orders and wait for all of them in the store; returns the figures."""
    world = build("bigcommerce", generated=products, variants=3, review_delay=0.3, on_hold_seconds=on_hold)
    try:
        world.start_workers(1, threads)
        bindings = list_and_activate(world, map_products(world))
        time.sleep(1.0)
        world.set_latency(pick("latency", 0.05, 0.05))
        cpu0, app0, t0 = world.worker_cpu(), world.app_cpu(), time.monotonic()
        placed = asyncio.run(place_orders(world, bindings, count))

        def created() -> list[Order]:
            rows = [o for o in world.rows(Order) if o.created_in_store_at is not None]
            return rows if len(rows) >= len(placed) else []

        try:
            wait_until(created, on_hold + 120, "every order in the store", every=0.5)
        except TimeoutError as exc:
            print(f"  {exc}")
        wall = time.monotonic() - t0
        cpu, app_cpu = world.worker_cpu() - cpu0, world.app_cpu() - app0
        rows = {o.tiktok_order_id: o for o in world.rows(Order)}
        latencies = [_epoch(rows[i].created_in_store_at) - (at + on_hold) for i, at in placed.items()
                     if i in rows and rows[i].created_in_store_at is not None]
        states: dict[str, int] = {}
        for row in rows.values():
            states[row.sync_state] = states.get(row.sync_state, 0) + 1
        counts = asyncio.run(store_counts(world, list(placed)))
        calls = world.calls.since(t0)
        return {"placed": len(placed), "created": len(latencies), "latencies": latencies, "states": states,
                "duplicates": sum(n - 1 for n in counts.values() if n > 1),
                "missing": sum(1 for n in counts.values() if n == 0), "wall": wall, "worker_cpu": cpu,
                "app_cpu": app_cpu, "tiktok_calls": len(calls), "rejected": sum(1 for c in calls if c.status == 429),
                "by_api": world.calls.by_api(t0)}
    finally:
        world.stop()


def main() -> None:
    count = size("orders", 200)
    count = 1000 if count < 0 else count
    on_hold = pick("on_hold", 2.0, 2.0)
    threads = int(pick("threads", 4, 4))
    r = run(count, on_hold, threads=threads)
    lat = r["latencies"]
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    print(f"{r['placed']} orders placed in {r['placed'] / RATE:.0f}s ({RATE:.1f}/s), on hold {on_hold:.0f}s; "
          f"created in store {r['created']}; our states {r['states']}; worker: 1 process x {threads} threads")
    print(f"p50={p50:.2f}s p99={p99:.2f}s bound={BOUND:.1f}s ratio={p99 / BOUND:.2f}")
    print(f"duplicates={r['duplicates']} (must be 0) missing_in_store={r['missing']}")
    print(f"TikTok calls {r['tiktok_calls']} ({r['tiktok_calls'] / max(1, r['placed']):.2f} per order; "
          f"{', '.join(f'{k}={v}' for k, v in r['by_api'].most_common(4))}); 429 answers: {r['rejected']}")
    print(f"CPU per order: worker {r['worker_cpu'] * 1000 / max(1, r['placed']):.0f} ms, "
          f"app (webhooks) {r['app_cpu'] * 1000 / max(1, r['placed']):.0f} ms")


if __name__ == "__main__":
    main()
