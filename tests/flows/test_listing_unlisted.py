"""A listing deactivated or deleted on TikTok shows as "Synced (unlisted)", from TikTok's webhook or the poll."""

from __future__ import annotations

import asyncio

from feedbridge.db.models import Listing
from feedbridge.sync.listings import poll_listing_statuses
from tests.flows.steps import list_and_wait, on_tiktok, seeded_products, wait_listing
from tests.flows.world import World


def test_deactivated_on_tiktok_shows_synced_unlisted_and_deleted_is_found_by_the_poll(world_factory) -> None:  # type: ignore[no-untyped-def]
    world: World = world_factory("bigcommerce")
    first, second = seeded_products(world, 2)
    list_and_wait(world, [first, second])
    [listing] = world.rows(Listing, feed_id=world.feed_id, store_product_id=first)
    on_tiktok(world, lambda market: market.deactivate([listing.tiktok_product_id]))
    unlisted = wait_listing(world, first, "synced_unlisted")  # through the PRODUCT_STATUS_CHANGE webhook
    assert "not listed on TikTok" in unlisted.reason and unlisted.tiktok_status == "SELLER_DEACTIVATED"

    [other] = world.rows(Listing, feed_id=world.feed_id, store_product_id=second)
    world.tiktok_control("POST", "/faults", {"kind": "drop_webhook", "topic": "PRODUCT_STATUS_CHANGE", "count": -1})
    on_tiktok(world, lambda market: market.client.delete_products([other.tiktok_product_id]))
    assert asyncio.run(poll_listing_statuses(world.runtime, world.feed_id)) >= 1
    [gone] = world.rows(Listing, feed_id=world.feed_id, store_product_id=second)
    assert gone.status == "synced_unlisted" and gone.tiktok_status in ("DELETED", "SELLER_DEACTIVATED")
