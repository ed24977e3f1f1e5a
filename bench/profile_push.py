"""Where a price/stock push spends its CPU: cProfile of forced pushes run in this process (not run by
`python -m bench`; run by hand: `python -m bench.profile_push`)."""

from __future__ import annotations

import asyncio
import cProfile
import pstats

from bench.world import build, list_and_activate, map_products, pick
from feedbridge.sync.price_stock import push_price_stock


def main() -> None:
    world = build("bigcommerce", generated=int(pick("products", 20, 20)), variants=3, rate_limit=100_000)
    try:
        world.start_workers(1, 4)
        products = sorted({b.store_product_id for b in list_and_activate(world, map_products(world))})
        world.stop_workers()

        async def pushes() -> None:
            for product_id in products:
                await push_price_stock(world.runtime, world.feed_id, product_id, force=True)

        asyncio.run(pushes())  # warm-up
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(3):
            asyncio.run(pushes())
        profile.disable()
        stats = pstats.Stats(profile)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"{3 * len(products)} forced pushes: {total * 1000 / (3 * len(products)):.0f} ms CPU-profiled each "
              "(includes the sandboxes answering in this process)")
        stats.sort_stats("cumulative").print_stats(40)
    finally:
        world.stop()


if __name__ == "__main__":
    main()
