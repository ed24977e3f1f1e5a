"""Bulk listing to TikTok at 50 requests/s per API with ~50 ms injected latency.

Lists a generated BigCommerce catalog (default 200 products x 3 SKUs; BENCH_SIZE=full: 10,000 / 30,000) and
prints the wall time against the bound set by TikTok's budget: the busiest API's minimum calls ÷ rate limit
(every product needs one create call and one upload per distinct image, and uploads and creates are metered
as separate APIs). Also prints the TikTok calls made per SKU against that minimum, and any 429s.
"""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select

from bench.world import build, listing_counts, map_products, pick, size, start_listing, wait_until
from feedbridge.db.models import StoreProduct
from feedbridge.domain.description import parse_description

RATE = 50


def minimum_calls(world: object, product_ids: list[str]) -> Counter[str]:
    """Calls TikTok cannot do without: one create per product, one upload per distinct image it shows."""
    wanted = set(product_ids)
    needed: Counter[str] = Counter()
    with world.runtime.sessions() as session:  # type: ignore[attr-defined]
        for row in session.scalars(select(StoreProduct).where(
                StoreProduct.store_connection_id == world.connection_id)):  # type: ignore[attr-defined]
            if row.product_id not in wanted:
                continue
            images = set(row.data["images"][:9]) | set(parse_description(row.data["description_html"] or "").images)
            needed["POST /product/202309/products"] += 1
            needed["POST /product/202309/images/upload"] += len(images)
    return needed


def main() -> None:
    products = size("listing_products", 200)
    products = 10_000 if products < 0 else products
    latency = pick("latency", 0.05, 0.05)
    threads = int(pick("threads", 8, 8))
    started = time.monotonic()
    world = build("bigcommerce", generated=products, variants=3, rate_limit=RATE, review_delay=0.5)
    try:
        product_ids = map_products(world, min_variants=3)
        skus = 3 * len(product_ids)
        print(f"setup: {len(product_ids)} products / {skus} SKUs generated and mapped in "
              f"{time.monotonic() - started:.1f}s; worker: 1 process x {threads} threads; latency {latency * 1000:.0f} ms")
        world.start_workers(1, threads)
        world.set_latency(latency)
        cpu0, t0 = world.worker_cpu(), time.monotonic()
        start_listing(world, product_ids)

        def created() -> bool:
            counts = listing_counts(world)
            return counts["not_synced"] == 0 and sum(counts.values()) == len(product_ids)

        wait_until(created, 60 + products * 2.0, "every listing to be created on TikTok", every=0.5)
        wall = time.monotonic() - t0
        cpu = world.worker_cpu() - cpu0
        world.set_latency(0)
        counts = listing_counts(world)
        calls = world.calls.since(t0)
        by_api = world.calls.by_api(t0)
        rejected = sum(1 for c in calls if c.status == 429)
        needed = minimum_calls(world, product_ids)
        bound = max(needed.values()) / RATE
        print("calls by API: " + ", ".join(f"{api}={n}" for api, n in by_api.most_common()))
        print(f"listings: {dict(counts)}; 429 answers: {rejected}")
        print(f"wall={wall:.1f}s bound={bound:.1f}s (busiest API {max(needed, key=needed.__getitem__)}: "
              f"{max(needed.values())} calls / {RATE} per s) ratio={wall / bound:.2f}")
        per_sku, min_per_sku = len(calls) / skus, sum(needed.values()) / skus
        print(f"calls_per_sku={per_sku:.2f} minimum={min_per_sku:.2f} ratio={per_sku / min_per_sku:.2f}")
        print(f"throughput={len(product_ids) / wall:.1f} products/s ({skus / wall:.1f} SKUs/s); "
              f"worker CPU {cpu * 1000 / len(product_ids):.0f} ms per product")
    finally:
        world.stop()


if __name__ == "__main__":
    main()
