"""Throughput with 1, 2 and 4 worker processes (production mode: PostgreSQL + Redis).

The TikTok sandbox's rate limit is lifted (100,000/s) so the budget is not the bottleneck; TikTok answers
still take ~50 ms. Work: forced price/stock pushes of every listed product (each reads the product from the
store and sends one price and one stock call), queued in rounds, after an untimed warm-up round per process. Prints pushes/s per process count and the
speed-up against linear scaling (bound: N × the 1-process figure). Skips with a message when PostgreSQL
(FEEDBRIDGE_BENCH_PG, default postgresql://postgres@127.0.0.1:5432/postgres) or Redis
(FEEDBRIDGE_BENCH_REDIS, default redis://127.0.0.1:6379) cannot be reached.
"""

from __future__ import annotations

import os
import time
import uuid

from sqlalchemy import func, select

from bench.world import BenchWorld, build, list_and_activate, map_products, pick, wait_until
from feedbridge.db.models import Intent, StoreFeed
from feedbridge.db.session import transaction
from feedbridge.sync.price_stock import PRICE_STOCK, queue_feed_resync

PG = os.environ.get("FEEDBRIDGE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("FEEDBRIDGE_BENCH_REDIS", "redis://127.0.0.1:6379")


def services() -> tuple[str, str] | str:
    """(database admin URL, Redis URL with a free db index) or why they cannot be used."""
    try:
        import psycopg
        import redis

        with psycopg.connect(PG, connect_timeout=3):
            pass
        for index in range(15, 7, -1):  # a database index nobody else uses, so our queue is ours alone
            client = redis.Redis.from_url(f"{REDIS}/{index}", socket_timeout=3)
            if client.dbsize() == 0:
                return PG, f"{REDIS}/{index}"
        return "no empty Redis database between 8 and 15"
    except Exception as exc:  # any failure to connect means: skip
        return f"{type(exc).__name__}: {exc}"


def pending(world: BenchWorld) -> int:
    with world.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Intent).where(
            Intent.kind == PRICE_STOCK, Intent.state != "done")) or 0)


def run_rounds(world: BenchWorld, rounds: int) -> tuple[int, float]:
    """Queue `rounds` forced pushes of every bound product, one round after another; (pushes, seconds)."""
    pushes = 0
    started = time.monotonic()
    for _ in range(rounds):
        with transaction(world.runtime.sessions) as session:
            feed = session.get(StoreFeed, world.feed_id)
            assert feed is not None
            pushes += queue_feed_resync(session, feed)
        wait_until(lambda: pending(world) == 0, 300, "the pushes to finish", every=0.1)
    return pushes, time.monotonic() - started


def main() -> None:
    found = services()
    if isinstance(found, str):
        print(f"skipped: PostgreSQL or Redis unreachable ({found})")
        return
    admin, queue_url = found
    import psycopg
    import redis

    name = f"feedbridge_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = admin.rsplit("/", 1)[0] + f"/{name}"
    database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    products = int(pick("scaling_products", 40, 200))
    rounds = int(pick("rounds", 3, 5))
    threads = int(pick("threads", 4, 4))
    world = build("bigcommerce", generated=products, variants=3, rate_limit=100_000, review_delay=0.3,
                  database_url=database_url, queue_url=queue_url)
    try:
        world.start_workers(1, threads)
        bindings = list_and_activate(world, map_products(world))
        world.stop_workers()
        world.set_latency(pick("latency", 0.05, 0.05))
        listed = len({b.store_product_id for b in bindings})
        print(f"{listed} products listed ({len(bindings)} SKUs); {rounds} rounds of forced pushes per run; "
              f"{threads} threads per worker process; PostgreSQL + Redis")
        base = 0.0
        for processes in (1, 2, 4):
            world.start_workers(processes, threads)
            run_rounds(world, processes)  # warm-up: imports, connection pools, caches in every process
            cpu0 = world.worker_cpu()
            pushes, seconds = run_rounds(world, rounds)
            cpu = world.worker_cpu() - cpu0
            world.stop_workers()
            rate = pushes / seconds
            base = base or rate
            bound = base * processes
            print(f"workers={processes}: {pushes} pushes in {seconds:.1f}s throughput={rate:.1f}/s "
                  f"bound={bound:.1f}/s (linear) ratio={rate / bound:.2f} speedup={rate / base:.2f}x; "
                  f"worker CPU {cpu * 1000 / pushes:.0f} ms per push")
    finally:
        world.stop()
        client = redis.Redis.from_url(queue_url)
        for key in client.scan_iter("huey*"):
            client.delete(key)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
