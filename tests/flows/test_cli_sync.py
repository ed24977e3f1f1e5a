"""`feedbridge sync products` lists products from the command line and shows progress until the run ends."""

from __future__ import annotations

import os
import subprocess
import sys

from feedbridge.db.models import Listing
from tests.flows.test_whole_loop import map_products, pick_products


def test_sync_products_command_lists_mapped_products_with_progress(world_factory) -> None:  # type: ignore[no-untyped-def]
    world = world_factory("bigcommerce")
    product_ids = pick_products(world, 2)
    map_products(world, product_ids)
    settings = world.runtime.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBRIDGE_")}
    env.update(FEEDBRIDGE_HOME=str(settings.home), FEEDBRIDGE_DATABASE_URL=settings.database_url,
               FEEDBRIDGE_QUEUE_URL=settings.queue_url, FEEDBRIDGE_SECRET_KEY=settings.secret_key)
    unmapped = subprocess.run([sys.executable, "-m", "feedbridge.cli", "sync", "products", "--feed",
                               str(world.feed_id), "--product", "does-not-exist", "--no-worker"],
                              env=env, capture_output=True, text=True, timeout=120)
    assert unmapped.returncode == 1 and "not in your catalog copy" in unmapped.stderr
    args = [sys.executable, "-m", "feedbridge.cli", "sync", "products", "--feed", str(world.feed_id), "--no-worker"]
    for product_id in product_ids:
        args += ["--product", product_id]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Listing on TikTok Shop" in done.stdout and "2 listed, 0 failed." in done.stdout
    rows = world.rows(Listing, feed_id=world.feed_id)
    assert {r.store_product_id for r in rows} == set(product_ids)
    assert all(r.tiktok_product_id for r in rows)
