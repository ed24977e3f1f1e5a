"""When work ends failed, the row the merchant looks at says why: no listing or order stays "queued"."""

from __future__ import annotations

from feedbridge.db import intents
from feedbridge.db.models import (
    Listing,
    Merchant,
    Order,
    StoreConnection,
    StoreFeed,
    SyncRun,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.errors import RetryableError
from feedbridge.jobs import runner
from feedbridge.runtime import Runtime


def _rows(runtime: Runtime) -> tuple[int, int, int]:
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email="hooks@example.com")
        session.add(merchant)
        session.flush()
        store = StoreConnection(merchant_id=merchant.id, platform="shopify", base_url="https://x.example")
        shop = TikTokShop(merchant_id=merchant.id, region="US", shop_id="1")
        session.add_all([store, shop])
        session.flush()
        feed = StoreFeed(merchant_id=merchant.id, store_connection_id=store.id, tiktok_shop_id=shop.id)
        session.add(feed)
        session.flush()
        run = SyncRun(merchant_id=merchant.id, feed_id=feed.id, kind="list_products", total=1)
        session.add(run)
        session.flush()
        listing = Listing(merchant_id=merchant.id, feed_id=feed.id, store_product_id="p1", run_id=run.id,
                          reason="Queued for sync.")
        session.add(listing)
        session.add(Order(merchant_id=merchant.id, tiktok_shop_id=shop.id, tiktok_order_id="576", sync_state="queued"))
        session.flush()
        return listing.id, run.id, shop.id


def test_listing_and_order_say_why_when_their_work_gives_up(runtime: Runtime) -> None:
    runtime.settings.intent_max_attempts = 1

    async def timing_out(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        raise RetryableError("TikTok did not answer in time")

    runtime.handlers["listing.create"] = timing_out
    runtime.handlers["order.sync"] = timing_out
    listing_id, run_id, shop_id = _rows(runtime)
    with transaction(runtime.sessions) as session:
        first = intents.record_intent(session, "listing.create", str(listing_id), {"listing": listing_id}).id
        second = intents.record_intent(session, "order.sync", f"{shop_id}:576", {"shop": shop_id, "order_id": "576"}).id
    assert runner.run_intent(runtime, first) == "failed"
    assert runner.run_intent(runtime, second) == "failed"
    with runtime.sessions() as session:
        listing = session.get(Listing, listing_id)
        run = session.get(SyncRun, run_id)
        order = session.query(Order).one()
        assert listing is not None and run is not None
        assert listing.status == "failed_to_sync" and "TikTok did not answer in time" in listing.reason
        assert run.failed == 1 and run.state == "done"
        assert order.sync_state == "failed" and "TikTok did not answer in time" in order.reason
