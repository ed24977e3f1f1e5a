"""Listings, end to end: what the merchant sees when a product cannot be listed, review failures and Retry,
SKU subsets, currencies, linking, the daily quota, crashes mid-sync, and category mappings.

Each test runs a whole world on loopback (app, huey worker, TikTok sandbox, BigCommerce sandbox).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from feedbridge.db import intents
from feedbridge.db.models import Binding, Intent, Listing, StoreConnection, StoreFeed, SyncRun, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.errors import ConfigError
from feedbridge.jobs import runner
from feedbridge.sync.categories import mapping_counts, search_leaf_categories, set_mapping
from feedbridge.sync.linking import link_by_sku, link_manually, unlink
from feedbridge.sync.listings import LISTING_CREATE, retry_listing, start_listing
from feedbridge.sync.price_stock import queue_feed_resync
from tests.flows.steps import (
    bindings,
    list_and_wait,
    listing,
    make_due,
    map_products,
    new_store_product,
    prepare_category,
    rename_store_product,
    seeded_products,
    set_store_variant,
    start,
    tiktok_price,
    update_feed,
    update_shop,
    wait_listing,
)
from tests.flows.world import World, wait_for

PLATFORM = "bigcommerce"


@pytest.fixture
def world(world_factory) -> World:  # type: ignore[no-untyped-def]
    return world_factory(PLATFORM)  # type: ignore[no-any-return]


def test_products_failing_validation_show_field_reason_and_fix_and_nothing_reaches_tiktok(world: World) -> None:
    seeded = seeded_products(world, 1)[0]
    emoji = new_store_product(world, "Sunny Breakfast Mug \N{SUN WITH FACE}", image_from=seeded)
    bare = new_store_product(world, "Plain Canvas Tote")  # no images
    category_id = prepare_category(world, seeded)
    map_products(world, [emoji, bare], category_id)
    run_id = start(world, [emoji, bare])

    failed = wait_listing(world, emoji, "failed_to_sync")
    assert failed.reason.startswith("Failed to sync:")
    problem = next(p for p in failed.problems if p["field"] == "title")
    assert "emoji" in problem["reason"] and problem["fix"]
    failed = wait_listing(world, bare, "failed_to_sync")
    problem = next(p for p in failed.problems if p["field"] == "main_images")
    assert "no images" in problem["reason"] and "image" in problem["fix"].lower()

    assert world.tiktok_products() == [], "nothing half-built is sent to TikTok"
    run = world.rows(SyncRun, id=run_id)[0]
    assert (run.state, run.failed, run.done) == ("done", 2, 0)


def test_failed_review_shows_tiktoks_reasons_and_retry_after_a_fix_resubmits_the_same_product(world: World) -> None:
    product_id = seeded_products(world, 1)[0]
    original = listing_title(world, product_id)
    world.tiktok_control("POST", "/review_rules", {
        "fail_title_keywords": ["replica"],
        "reasons": ["The title suggests a counterfeit product."],
        "suggestions": ["Remove 'replica' from the title."]})
    rename_store_product(world, product_id, f"{original} Replica")
    asyncio.run(_refresh(world))
    category_id = prepare_category(world, product_id)
    map_products(world, [product_id], category_id)
    start(world, [product_id])

    failed = wait_listing(world, product_id, "failed_review")
    assert failed.reason == ("Failed review: The title suggests a counterfeit product. TikTok suggests: "
                             "Remove 'replica' from the title."), failed.reason
    assert failed.review_reasons and "Remove 'replica' from the title." in failed.review_reasons[0]["suggestions"]
    first_tiktok_id = failed.tiktok_product_id

    rename_store_product(world, product_id, original)  # the merchant fixes the title in the store
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        retry_listing(session, feed, failed.id)
    active = wait_listing(world, product_id, "active")
    assert active.tiktok_product_id == first_tiktok_id, "Retry re-submits the same TikTok product"
    assert len(world.tiktok_products()) == 1
    assert world.tiktok_products()[0]["fields"]["title"] == original


def test_listing_a_subset_of_skus_lists_only_those_skus(world: World) -> None:
    product_id = seeded_products(world, 1, min_variants=3)[0]
    variants = listing_variants(world, product_id)
    chosen = [variants[0]["id"], variants[2]["id"]]
    list_and_wait(world, [product_id], {product_id: chosen})

    product = world.tiktok_products()[0]
    assert sorted(s["seller_sku"] for s in product["skus"]) == sorted(v["sku"] for v in variants
                                                                      if v["id"] in chosen)
    assert sorted(b.store_variant_id for b in bindings(world, product_id)) == sorted(chosen)


def test_currency_mismatch_stops_listing_and_price_stock_until_an_exchange_rate_is_set(world: World) -> None:
    listed, waiting = seeded_products(world, 2)
    category_id = list_and_wait(world, [listed])
    map_products(world, [waiting], category_id)
    binding = bindings(world, listed)[0]
    with transaction(world.runtime.sessions) as session:
        connection = session.get(StoreConnection, world.connection_id)
        assert connection is not None
        connection.currency = "GBP"  # the store sells in pounds; the TikTok shop in dollars

    start(world, [waiting])
    failed = wait_listing(world, waiting, "failed_to_sync")
    assert "GBP" in failed.reason and "USD" in failed.reason and "exchange rate" in failed.reason
    assert len(world.tiktok_products()) == 1

    set_store_variant(world, listed, binding.store_variant_id, price=Decimal("40.00"))
    feed = wait_for(lambda: next((f for f in world.rows(StoreFeed, id=world.feed_id)
                                  if f.status == "currency_mismatch"), None), what="the feed stopped", world=world)
    assert "GBP" in feed.status_reason
    assert tiktok_price(world, binding.seller_sku) != Decimal("40.00"), "no unconverted price reaches TikTok"

    def set_rate(feed: StoreFeed) -> None:
        feed.exchange_rate = "1.25"

    update_feed(world, set_rate)
    with transaction(world.runtime.sessions) as session:
        feed_row = session.get(StoreFeed, world.feed_id)
        assert feed_row is not None
        queue_feed_resync(session, feed_row)
        retry_listing(session, feed_row, failed.id)
    wait_for(lambda: tiktok_price(world, binding.seller_sku) == Decimal("50.00"),
             what="the converted price on TikTok", world=world)
    wait_listing(world, waiting, "active", "under_review")
    new_binding = bindings(world, waiting)[0]
    store_price = Decimal(str(next(v["price"] for v in listing_variants(world, waiting)
                                   if v["id"] == new_binding.store_variant_id)))
    assert tiktok_price(world, new_binding.seller_sku) == (store_price * Decimal("1.25")).quantize(Decimal("0.01"))
    assert world.rows(StoreFeed, id=world.feed_id)[0].status == "active", "the feed runs again"


def test_products_already_on_tiktok_are_linked_by_sku_and_by_hand_and_unlinking_changes_nothing_there(
        world: World) -> None:
    first, second = seeded_products(world, 2)
    list_and_wait(world, [first, second])
    on_tiktok_before = world.tiktok_products()
    # As if the products had been listed on TikTok by another tool: feedbridge knows nothing about them.
    with transaction(world.runtime.sessions) as session:
        session.execute(delete(Binding))
        session.execute(delete(Listing))

    linked = asyncio.run(link_by_sku(world.runtime, world.feed_id))
    assert linked == sum(len(p["skus"]) for p in on_tiktok_before)
    assert {b.origin for b in bindings(world)} == {"linked"}
    assert listing(world, first).reason == "Linked to an existing TikTok product."

    # The merchant unlinks one SKU and links it again by hand.
    gone = bindings(world, second)[0]
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        unlink(session, feed, gone.id)
    assert gone.id not in {b.id for b in bindings(world)}
    assert world.tiktok_products() == on_tiktok_before, "unlinking changes nothing on TikTok"
    again = asyncio.run(link_manually(world.runtime, world.feed_id, second, gone.store_variant_id,
                                      gone.tiktok_product_id, str(gone.tiktok_sku_id)))
    assert again.origin == "linked" and again.seller_sku == gone.seller_sku

    # A linked SKU follows the store's price.
    set_store_variant(world, second, gone.store_variant_id, price=Decimal("31.00"))
    wait_for(lambda: tiktok_price(world, gone.seller_sku) == Decimal("31.00"), what="linked SKU price", world=world)


def test_daily_quota_leaves_the_rest_visibly_scheduled_and_resumes_the_next_day(world: World) -> None:
    update_shop(world, daily_listing_quota=1)
    products = seeded_products(world, 2)
    category_id = prepare_category(world, products[0])
    map_products(world, products, category_id)
    run_id = start(world, products)

    run = wait_for(lambda: next((r for r in world.rows(SyncRun, id=run_id) if r.state == "waiting_quota"), None),
                   what="the run to wait for the quota", world=world)
    assert run.resume_at is not None and "quota" in run.note
    listed = wait_for(lambda: [p for p in products if listing(world, p).tiktok_product_id], what="one listed")
    assert len(listed) == 1
    waiting = next(p for p in products if p not in listed)
    row = listing(world, waiting)
    assert row.status == "not_synced" and "resumes by itself" in row.reason
    scheduled = wait_for(lambda: next((i for i in [intent_of(world, waiting)] if i.state != "running"), None),
                         what="the listing's job to finish", world=world)
    assert scheduled.state == "pending" and scheduled.next_attempt_at >= run.resume_at - timedelta(minutes=1), \
        "the listing waits for tomorrow instead of retrying now"
    revision = scheduled.revision
    world.runtime.enqueue(scheduled.id)  # a stray delivery of its job does nothing before then
    time.sleep(0.5)
    assert intent_of(world, waiting).revision == revision and listing(world, waiting).tiktok_product_id == ""
    assert len(world.tiktok_products()) == 1

    # The next day: yesterday's upload no longer counts against the quota.
    with transaction(world.runtime.sessions) as session:
        session.execute(update(Listing).where(Listing.store_product_id == listed[0])
                        .values(synced_at=run.resume_at.replace(year=run.resume_at.year - 1)))
    make_due(world, intent_of(world, waiting).id)
    wait_listing(world, waiting, "under_review", "active")
    assert len(world.tiktok_products()) == 2
    wait_for(lambda: world.rows(SyncRun, id=run_id)[0].state == "done", what="the run to finish", world=world)


def test_a_crash_after_tiktok_created_the_product_is_adopted_not_listed_twice(world: World) -> None:
    products = seeded_products(world, 3, min_variants=1)
    # TikTok creates the first product it is sent, but the answer never arrives (as when we crash before commit).
    world.tiktok_control("POST", "/faults", {"kind": "after", "method": "POST", "path": "/product/202309/products",
                                             "status": 504, "count": 1})
    list_and_wait(world, products)

    on_tiktok = world.tiktok_products()
    assert len(on_tiktok) == len(products), [p["fields"]["title"] for p in on_tiktok]
    assert {listing(world, p).tiktok_product_id for p in products} == {str(p["id"]) for p in on_tiktok}


def test_a_worker_that_dies_mid_listing_is_swept_and_the_listing_completes_once(world: World) -> None:
    product_id = seeded_products(world, 1)[0]
    category_id = prepare_category(world, product_id)
    map_products(world, [product_id], category_id)
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        start_listing(session, feed, [product_id])
        queued = session.scalars(select(Intent).where(Intent.kind == LISTING_CREATE)).one()
        # A worker takes the job and dies at once: its lease runs out and nobody else may take it meanwhile.
        assert intents.claim(session, queued.id, lease_seconds=0.3) is not None
    assert listing(world, product_id).tiktok_product_id == ""

    wait_for(lambda: runner.sweep(world.runtime) or listing(world, product_id).tiktok_product_id,
             what="the sweeper to queue the abandoned listing", world=world)
    wait_listing(world, product_id, "active")
    assert len(world.tiktok_products()) == 1


def test_a_listed_product_cannot_be_remapped_and_mapping_counts_show_per_category(world: World) -> None:
    products = seeded_products(world, 2)
    category_id = list_and_wait(world, products)
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop is not None
        other = next(c for c in search_leaf_categories(session, shop, "", limit=50) if c.category_id != category_id)
        with pytest.raises(ConfigError) as refused:
            set_mapping(session, feed, shop, "product", products[0], other.category_id)
        counts = {cid: n for cid, _path, n in mapping_counts(session, feed)}
    assert "already listed on TikTok" in refused.value.message and refused.value.action
    assert counts[category_id] == 2
    assert listing(world, products[0]).tiktok_category_id == category_id


# ---- helpers -----------------------------------------------------------------------------------------------

async def _refresh(world: World) -> None:
    from feedbridge.sync.catalog import refresh_catalog

    await refresh_catalog(world.runtime, world.connection_id)


def listing_title(world: World, product_id: str) -> str:
    from feedbridge.db.models import StoreProduct

    with world.runtime.sessions() as session:
        return str(session.scalars(select(StoreProduct.title).where(StoreProduct.product_id == product_id)).one())


def listing_variants(world: World, product_id: str) -> list[dict]:  # type: ignore[type-arg]
    from feedbridge.db.models import StoreProduct

    with world.runtime.sessions() as session:
        row = session.scalars(select(StoreProduct).where(StoreProduct.product_id == product_id,
                                                         StoreProduct.store_connection_id == world.connection_id)).one()
        return list(row.data["variants"])


def intent_of(world: World, product_id: str) -> Intent:
    row = listing(world, product_id)
    return next(i for i in world.rows(Intent, kind=LISTING_CREATE) if i.key == str(row.id))


def test_pressing_sync_again_while_a_listing_is_being_created_keeps_it_in_its_first_run_and_both_runs_finish(
        world: World) -> None:
    busy, other = seeded_products(world, 2)
    category_id = prepare_category(world, busy)
    map_products(world, [busy, other], category_id)
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        first = start_listing(session, feed, [busy]).id
        queued = session.scalars(select(Intent).where(Intent.kind == LISTING_CREATE)).one()
        # A worker is creating it right now (it holds the job's lease).
        assert intents.claim(session, queued.id, lease_seconds=0.5) is not None

    second = start(world, [busy, other])
    run = world.rows(SyncRun, id=second)[0]
    assert run.total == 1, "the product already being created is not counted again"
    assert "already being synced" in run.note
    assert listing(world, busy).run_id == first

    wait_for(lambda: runner.sweep(world.runtime) or listing(world, busy).tiktok_product_id,
             what="the first run's listing to be created", world=world)
    wait_listing(world, busy, "under_review", "active")
    wait_listing(world, other, "under_review", "active")
    wait_for(lambda: all(r.state == "done" for r in world.rows(SyncRun, feed_id=world.feed_id)),
             what="both runs to finish", world=world)
    assert [(r.id, r.total, r.done) for r in world.rows(SyncRun, feed_id=world.feed_id)] == [(first, 1, 1),
                                                                                              (second, 1, 1)]
    assert len(world.tiktok_products()) == 2
