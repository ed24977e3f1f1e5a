"""What one update costs us: CPU per stock update and per order, and memory while reading a big catalog.

CPU is read from /proc for the worker and app processes (user + system) over a moderate load, so it is our
cost per unit of work rather than the cost of a saturated machine: 20 stock changes/s for 10 s on
BigCommerce (webhooks), and 100 orders. Bound for CPU: 20 ms per update / per order (50 updates/s on one
core, which is what one shop's TikTok budget allows).

Memory: a child process reads a BigCommerce catalog of 10,000 products (BENCH_SIZE=full: 100,000) through
the store adapter's paged `products()` and reports its peak (tracemalloc and max RSS) against its baseline
of reading the first page; flat memory means the peak over all later pages ≈ the first page's. Bound: later
peak ≤ 1.5 × first-page peak (traced). RSS is sampled after every page, in a second run without tracemalloc.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

from bench.world import (
    ROOT,
    clone_bigcommerce_products,
    freeze_bigcommerce_reads,
    generate_bigcommerce_catalog,
    size,
)

CPU_BOUND_MS = 20.0

CHILD = """
import asyncio, json, os, resource, sys, time, tracemalloc
sys.path.insert(0, os.environ["BENCH_SRC"])
from feedbridge.stores import build_store

def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

async def main():
    spec = json.loads(os.environ["BENCH_STORE"])
    trace = os.environ.get("BENCH_TRACE") == "1"
    store = build_store("bigcommerce", spec["base_url"], spec["credentials"])
    before = (rss_kb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    if trace:
        tracemalloc.start()
    count = pages = 0
    first = None
    rss = []
    started = time.monotonic()
    try:
        async for page in store.products(page_size=250):
            count += len(page)
            pages += 1
            del page
            rss.append(rss_kb())
            if first is None and trace:
                first = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
    finally:
        await store.aclose()
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    print(json.dumps({"products": count, "pages": pages, "seconds": time.monotonic() - started,
                      "first_page_peak": first, "later_peak": peak, "rss_kb": rss, "before": before,
                      "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))

asyncio.run(main())
"""


def memory(products: int) -> None:
    from tests.contract.harness_bigcommerce import Harness

    from bench.world import _lift_store_quota

    harness = Harness()
    harness.start()
    try:
        _lift_store_quota(harness)
        asyncio.run(generate_bigcommerce_catalog(harness, 1, 3))
        started = time.monotonic()
        clone_bigcommerce_products(harness, products - 1, with_images=False)
        freeze_bigcommerce_reads(harness)
        print(f"memory: catalog of {products} products x 3 SKUs in the sandbox ({time.monotonic() - started:.1f}s)")
        spec = harness.sandbox.manifest(harness.base_url)
        env = {**os.environ, "BENCH_SRC": str(ROOT / "src"), "BENCH_STORE": json.dumps(
            {"base_url": harness.base_url, "credentials": spec["credentials"]})}
        results = {}
        for trace in ("0", "1"):
            out = subprocess.run([sys.executable, "-c", CHILD], env={**env, "BENCH_TRACE": trace},
                                 capture_output=True, text=True, timeout=3600)
            if out.returncode != 0:
                print(f"  the reader failed: {out.stderr[-2000:]}")
                return
            results[trace] = json.loads(out.stdout.strip().splitlines()[-1])
        plain, traced = results["0"], results["1"]
        mb = 1024 * 1024
        print(f"  read {plain['products']} products in {plain['pages']} pages of 250 in {plain['seconds']:.1f}s "
              f"({plain['products'] / plain['seconds']:.0f} products/s)")
        rss = plain["rss_kb"]
        marks = [rss[min(len(rss) - 1, round(f * (len(rss) - 1)))] / 1024 for f in (0, 0.25, 0.5, 0.75, 1)]
        print("  rss after 0/25/50/75/100% of pages: " + " / ".join(f"{m:.0f}MB" for m in marks)
              + f"; max RSS {plain['max_rss_kb'] / 1024:.0f}MB (before reading: now {plain['before'][0] / 1024:.0f}MB,"
              f" max so far {plain['before'][1] / 1024:.0f}MB)")
        first, later = traced["first_page_peak"], traced["later_peak"]
        ratio = later / max(1, first)
        print(f"  traced peak: first page={first / mb:.1f}MB all later pages={later / mb:.1f}MB "
              f"bound={1.5 * first / mb:.1f}MB ratio={ratio / 1.5:.2f} (later/first {ratio:.2f})")
    finally:
        harness.stop()


def cpu() -> None:
    from bench import bench_orders, bench_price_stock

    stock = bench_price_stock.bench_platform("bigcommerce", 10, 20, rate=20, quiet=True)
    per_update = stock["worker_cpu"] * 1000 / max(1, stock["updates"])
    per_change = (stock["worker_cpu"] + stock["app_cpu"]) * 1000 / max(1, stock["changes"])
    print(f"stock: {stock['changes']} store changes at 20/s -> {stock['updates']} TikTok updates "
          f"(p50 {stock['p50']:.2f}s)")
    print(f"  worker_ms_per_tiktok_update={per_update:.1f} bound={CPU_BOUND_MS:.0f} ratio={per_update / CPU_BOUND_MS:.2f}")
    print(f"  ms_per_store_change (worker+app)={per_change:.1f} bound={CPU_BOUND_MS:.0f} "
          f"ratio={per_change / CPU_BOUND_MS:.2f}; app {stock['app_cpu'] * 1000 / max(1, stock['webhooks']):.1f} ms "
          "per webhook")
    orders = bench_orders.run(100, 1.0)
    per_order = (orders["worker_cpu"] + orders["app_cpu"]) * 1000 / max(1, orders["placed"])
    print(f"orders: {orders['placed']} orders, {orders['created']} created in the store")
    print(f"  ms_per_order (worker+app)={per_order:.0f} bound={CPU_BOUND_MS:.0f} ratio={per_order / CPU_BOUND_MS:.2f}"
          f"; worker {orders['worker_cpu'] * 1000 / max(1, orders['placed']):.0f} ms, "
          f"app {orders['app_cpu'] * 1000 / max(1, orders['placed']):.0f} ms")


def main() -> None:
    products = size("catalog_products", 10_000)
    cpu()
    memory(100_000 if products < 0 else products)


if __name__ == "__main__":
    main()
