"""The flow pages: mapping, products and sync runs, listings, links, orders, carriers, rules — as a merchant
uses them (forms posted with the CSRF token, refusals shown on the page, progress fragments for htmx)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from feedbridge.db.models import (
    Binding,
    CarrierMapping,
    CategoryMapping,
    Intent,
    Listing,
    Order,
    StoreFeed,
    SyncRun,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from tests.integration.web.helpers import Visitor, merchant_id, seed_catalog, seed_rows


@pytest.fixture
def shop_owner(visitor: Visitor, runtime: Runtime) -> dict[str, Any]:
    """A logged-in merchant with a store feeding a GB shop, a cached category tree and two store products."""
    assert visitor.sign_up("flows@example.com").status_code == 303
    me = merchant_id(runtime, "flows@example.com")
    ids: dict[str, Any] = seed_rows(runtime, me, "Own")
    seed_catalog(runtime, me, ids)
    ids["merchant"] = me
    return ids


def _follow(visitor: Visitor, response: Any) -> str:
    assert response.status_code == 303, response.text[:300]
    return visitor.get(response.headers["location"]).text


def _intents(runtime: Runtime, kind: str) -> list[Intent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Intent).where(Intent.kind == kind)))


def test_mapping_a_store_category_counts_its_products_under_the_tiktok_category(
        visitor: Visitor, shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get(f"/mapping?feed={feed}")
    page = _follow(visitor, visitor.post(f"/mapping/{feed}", {"scope": "store_category", "store_ref": "c1",
                                                               "tiktok_category_id": "600001"}))
    assert "Mapped to Womenswear &gt; Tops &gt; T-shirts." in page
    assert "<td>Womenswear &gt; Tops &gt; T-shirts</td><td>2</td>" not in page  # only c1's product counts
    assert "<td>Womenswear &gt; Tops &gt; T-shirts</td><td>1</td>" in page
    assert "Store category: Category c1" in page
    mapping_id = int(re.search(r'edit=(\d+)#map-heading', page).group(1))  # type: ignore[union-attr]
    editing = visitor.get(f"/mapping?feed={feed}&edit={mapping_id}").text
    assert "Change the mapping (now Womenswear &gt; Tops &gt; T-shirts)" in editing
    assert '<option value="c1" selected>' in editing
    page = _follow(visitor, visitor.post(f"/mapping/{feed}", {"scope": "store_category", "store_ref": "c1",
                                                               "tiktok_category_id": "600002"}))
    assert "<td>Menswear &gt; Shirts</td><td>1</td>" in page


def test_the_category_picker_offers_only_leaves_matching_every_word(visitor: Visitor,
                                                                    shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    found = visitor.get(f"/mapping/{feed}/categories", params={"q": "tops shirts"},
                        headers={"HX-Request": "true"}).text
    assert "Womenswear &gt; Tops &gt; T-shirts" in found and "Menswear" not in found
    assert 'type="radio"' in found and 'name="tiktok_category_id" value="600001"' in found
    assert "Womenswear</label>" not in visitor.get(f"/mapping/{feed}/categories", params={"q": "womenswear"}).text


def test_a_listed_product_cannot_be_remapped_and_the_page_says_why(visitor: Visitor, runtime: Runtime,
                                                                   shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    with transaction(runtime.sessions) as session:
        session.add(Listing(merchant_id=shop_owner["merchant"], feed_id=feed, store_product_id="p1", title="Tee",
                            tiktok_product_id="tt-9", tiktok_category_id="600001", status="active"))
    visitor.get("/mapping")
    page = _follow(visitor, visitor.post(f"/mapping/{feed}", {"scope": "product", "store_ref": "p1",
                                                               "tiktok_category_id": "600002"}))
    assert "already listed on TikTok, which locks its category" in page
    assert 'role="alert"' in page
    with runtime.sessions() as session:
        assert session.scalars(select(CategoryMapping).where(CategoryMapping.store_ref == "p1")).first() is None


def test_a_non_leaf_category_is_refused_with_the_reason(visitor: Visitor, shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get("/mapping")
    page = _follow(visitor, visitor.post(f"/mapping/{feed}", {"scope": "store_category", "store_ref": "c1",
                                                               "tiktok_category_id": "600000"}))
    assert "is not a leaf category" in page and "Pick a more specific category." in page


def test_package_defaults_and_attribute_defaults_are_saved_on_the_feed(visitor: Visitor, runtime: Runtime,
                                                                       shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get("/mapping")
    page = _follow(visitor, visitor.post(f"/mapping/{feed}/defaults", {
        "package_weight_kg": "1.2", "package_length_cm": "30", "package_width_cm": "20", "package_height_cm": "5"}))
    assert "Package defaults saved." in page and 'value="1.2"' in page
    page = _follow(visitor, visitor.post(f"/mapping/{feed}/defaults", {"package_weight_kg": "-1"}))
    assert "Package weight (kg) must be above zero." in page
    _follow(visitor, visitor.post(f"/mapping/{feed}/attributes", {"attribute_id": "100107", "name": "Material",
                                                                   "category": "600001", "values": "Cotton, Linen"}))
    with runtime.sessions() as session:
        row = session.get(StoreFeed, feed)
        assert row is not None and row.rules["defaults"]["package_weight_kg"] == "1.2"
        from feedbridge.sync.categories import attribute_defaults

        assert attribute_defaults(session, row, "600001") == {"100107": ["Cotton", "Linen"]}


def test_syncing_unmapped_products_is_refused_naming_them(visitor: Visitor, runtime: Runtime,
                                                          shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get(f"/products?feed={feed}")
    page = _follow(visitor, visitor.post(f"/products/{feed}/sync", {"selected": ["product:p1", "product:p2"]}))
    # p1 is in store category c1, which the seeded feed maps; p2 is mapped by nothing.
    assert "Map these products to a TikTok category first: Linen Shirt." in page
    assert "Open Category mapping and map them, then sync again." in page
    assert [i.key for i in _intents(runtime, "listing.create") if i.state == "pending"] == []


def test_selected_products_start_a_run_whose_progress_fragment_polls_until_it_is_done(
        visitor: Visitor, runtime: Runtime, shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get("/mapping")
    visitor.post(f"/mapping/{feed}", {"scope": "store_category", "store_ref": "c1", "tiktok_category_id": "600001"})
    response = visitor.post(f"/products/{feed}/sync", {"selected": ["sku:p1:v1"]})
    assert response.status_code == 303 and "&run=" in response.headers["location"]
    page = visitor.get(response.headers["location"]).text
    assert '<progress id="run-bar-' in page and "0 of 1 products processed" in page
    assert 'hx-trigger="every 2s"' in page
    with runtime.sessions() as session:
        run = session.scalars(select(SyncRun).where(SyncRun.note == "")).one()
        listing = session.scalars(select(Listing).where(Listing.store_product_id == "p1")).one()
        assert listing.variant_ids == ["v1"] and listing.status == "not_synced"
    assert [i.key for i in _intents(runtime, "listing.create") if i.state == "pending"] == [str(listing.id)]
    with transaction(runtime.sessions) as session:
        row = session.get(SyncRun, run.id)
        assert row is not None
        row.done, row.state = 1, "done"
    fragment = visitor.get(f"/runs/{run.id}/progress", headers={"HX-Request": "true"}).text
    assert "Finished: 1 sent to TikTok" in fragment and "hx-trigger" not in fragment


def test_products_filter_by_listing_status_and_search_by_title_or_sku(visitor: Visitor, runtime: Runtime,
                                                                      shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    with transaction(runtime.sessions) as session:
        session.add(Listing(merchant_id=shop_owner["merchant"], feed_id=feed, store_product_id="p2", title="Linen",
                            status="failed_review"))
    failed = visitor.get(f"/products?feed={feed}&status=failed_review").text
    assert "Linen Shirt" in failed and "Organic Cotton Tee" not in failed
    not_synced = visitor.get(f"/products?feed={feed}&status=not_synced").text
    assert "Organic Cotton Tee" in not_synced and "Linen Shirt" not in not_synced
    assert "Linen Shirt" in visitor.get(f"/products?feed={feed}&q=shirt-1").text
    assert visitor.get(f"/products?feed={feed}&status=bogus").status_code == 422


def test_refresh_catalog_and_categories_queue_background_work(visitor: Visitor, runtime: Runtime,
                                                              shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get("/products")
    assert "being read again" in _follow(visitor, visitor.post(f"/products/{feed}/refresh-catalog"))
    _follow(visitor, visitor.post(f"/mapping/{feed}/refresh-categories"))
    assert [i.payload for i in _intents(runtime, "catalog.refresh")] == [{"connection": shop_owner["store"]}]
    assert [i.payload for i in _intents(runtime, "categories.refresh")] == [{"shop": shop_owner["shop"]}]


def test_listings_show_problems_review_reasons_and_a_retry_that_queues_again(visitor: Visitor, runtime: Runtime,
                                                                            shop_owner: dict[str, Any]) -> None:
    with transaction(runtime.sessions) as session:
        listing = session.get(Listing, shop_owner["listing"])
        assert listing is not None
        listing.problems = [{"field": "title", "reason": "The title has 270 characters; TikTok allows 255.",
                             "fix": "Shorten the title in your store."}]
        session.add(Listing(merchant_id=shop_owner["merchant"], feed_id=shop_owner["feed"], store_product_id="p2",
                            title="Reviewed", tiktok_product_id="tt-2", status="failed_review",
                            review_reasons=[{"reasons": ["Watermark on image"], "suggestions": ["Remove it"]}]))
    page = visitor.get("/listings").text
    assert "<strong>title</strong>: The title has 270 characters; TikTok allows 255." in page
    assert "Fix: Shorten the title in your store." in page
    assert "TikTok's review: Watermark on image" in page and "TikTok suggests: Remove it" in page
    assert '<span class="badge err">Failed to sync</span>' in page
    assert "Retry Own listing" in page
    page = _follow(visitor, visitor.post(f"/listings/{shop_owner['listing']}/retry"))
    assert "Queued again" in page
    assert [i.key for i in _intents(runtime, "listing.create") if i.state == "pending"] == [str(shop_owner["listing"])]
    fragment = visitor.get("/listings", headers={"HX-Request": "true", "HX-Target": "listings-table"}).text
    assert fragment.startswith('{% from') is False and fragment.lstrip().startswith('<div id="listings-table"')
    assert 'hx-trigger="every 2s"' in fragment


def test_unlinking_removes_the_link_and_auto_link_queues_linking_by_sku(visitor: Visitor, runtime: Runtime,
                                                                         shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    page = visitor.get(f"/link?feed={feed}").text
    assert "Own-SKU" in page and "Unlink Own-SKU" in page
    assert "TEE-1" in page  # an unlinked store SKU offered for a manual link
    _follow(visitor, visitor.post(f"/links/{shop_owner['binding']}/delete"))
    with runtime.sessions() as session:
        assert session.get(Binding, shop_owner["binding"]) is None
    _follow(visitor, visitor.post(f"/link/{feed}/auto", {}))
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_owner["shop"])
        assert shop is not None and shop.settings["auto_link_by_sku"] is False
    assert _intents(runtime, "link.by_sku") == []
    page = _follow(visitor, visitor.post(f"/link/{feed}/auto", {"auto_link_by_sku": "on"}))
    assert "Auto-link by SKU is on" in page
    assert [i.payload for i in _intents(runtime, "link.by_sku")] == [{"feed": feed}]


def test_a_failed_order_is_retried_and_shows_its_tracking(visitor: Visitor, runtime: Runtime,
                                                          shop_owner: dict[str, Any]) -> None:
    page = visitor.get("/orders").text
    assert "Retry order Own-order" in page and "AB123456789GB" in page and "Own shipment refused" in page
    assert "is <strong>not</strong> sent to TikTok" in page
    assert "Queued again" in _follow(visitor, visitor.post(f"/orders/{shop_owner['order']}/retry"))
    with runtime.sessions() as session:
        order = session.get(Order, shop_owner["order"])
        assert order is not None and order.sync_state == "queued"
    assert [i.key for i in _intents(runtime, "order.sync")] == [f"{shop_owner['shop']}:Own-order"]
    page = _follow(visitor, visitor.post(f"/orders/{shop_owner['order']}/retry"))
    assert "Only a failed order can be retried." in page


def test_carriers_are_suggested_by_name_mapped_by_hand_and_royal_mail_is_the_uk_default(
        visitor: Visitor, runtime: Runtime, shop_owner: dict[str, Any]) -> None:
    shop_id = shop_owner["shop"]
    with transaction(runtime.sessions) as session:
        shop = session.get(TikTokShop, shop_id)
        assert shop is not None
        shop.settings = {"providers": [{"id": "rm", "name": "Royal Mail"}, {"id": "dpd", "name": "DPD"},
                                       {"id": "evri", "name": "Evri"}], "store_carriers": ["Hermes"]}
    page = visitor.get(f"/carriers?shop={shop_id}").text
    assert "Now: Royal Mail (the usual carrier in the UK)" in page
    assert "Hermes" in page and '<option value="evri" selected>Evri</option>' in page
    assert "suggested by name" in page
    page = _follow(visitor, visitor.post(f"/carriers/{shop_id}", {"store_carrier": "Own Post", "provider_id": "dpd"}))
    assert "Saved the carrier Own Post." in page
    refused = _follow(visitor, visitor.post(f"/carriers/{shop_id}", {"store_carrier": "X", "provider_id": "nope"}))
    assert "Choose one of this TikTok shop&#39;s shipping providers." in refused
    _follow(visitor, visitor.post(f"/carriers/{shop_id}/default", {"default_provider_id": "evri"}))
    with runtime.sessions() as session:
        mapping = session.get(CarrierMapping, shop_owner["carrier"])
        assert mapping is not None and (mapping.provider_id, mapping.provider_name) == ("dpd", "DPD")
        shop = session.get(TikTokShop, shop_id)
        assert shop is not None and shop.settings["default_provider_id"] == "evri"
        assert shop.settings["store_carriers"] == ["Hermes"]


def test_saving_feed_rules_pushes_every_linked_product_again(visitor: Visitor, runtime: Runtime,
                                                             shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    page = visitor.get(f"/feeds/{feed}/rules").text
    assert "Own currencies differ" in page
    page = _follow(visitor, visitor.post(f"/feeds/{feed}/rules", {
        "price_source": "compare_at", "price_percent": "10", "price_amount": "0.5", "rounding": "end_99",
        "direction": "nearest", "exchange_rate": "0.79", "locations": "loc-1, loc-2", "stock_percent": "80",
        "buffer": "2", "untracked_quantity": "50", "package_weight_kg": "0.7"}))
    assert "Rules saved; 1 linked product will be updated on TikTok." in page
    with runtime.sessions() as session:
        row = session.get(StoreFeed, feed)
        assert row is not None
        assert row.rules["price"] == {"source": "compare_at", "rounding": "end_99", "direction": "nearest",
                                      "percent": "10", "amount": "0.5"}
        assert row.rules["stock"] == {"locations": ["loc-1", "loc-2"], "percent": "80", "buffer": 2,
                                      "untracked_quantity": 50}
        assert row.rules["defaults"] == {"package_weight_kg": "0.7"}
        assert (row.exchange_rate, row.status) == ("0.79", "active")
    assert [(i.key, i.payload["force"]) for i in _intents(runtime, "price_stock.push")] == [(f"{feed}:Own-product", True)]


def test_invalid_rules_are_explained_and_nothing_is_saved(visitor: Visitor, runtime: Runtime,
                                                          shop_owner: dict[str, Any]) -> None:
    feed = shop_owner["feed"]
    visitor.get(f"/feeds/{feed}/rules")
    page = _follow(visitor, visitor.post(f"/feeds/{feed}/rules", {"stock_percent": "150"}))
    assert "The share of stock to publish must be between 0 and 100." in page
    with runtime.sessions() as session:
        row = session.get(StoreFeed, feed)
        assert row is not None and row.rules == {}
    assert _intents(runtime, "price_stock.push") == []


def test_order_rules_are_saved_and_keep_the_shops_other_settings(visitor: Visitor, runtime: Runtime,
                                                                 shop_owner: dict[str, Any]) -> None:
    shop_id = shop_owner["shop"]
    with transaction(runtime.sessions) as session:
        shop = session.get(TikTokShop, shop_id)
        assert shop is not None
        shop.settings = {"polled_at": "2026-01-01T00:00:00+00:00"}
    visitor.get(f"/shops/{shop_id}/settings")
    page = _follow(visitor, visitor.post(f"/shops/{shop_id}/settings", {
        "order_create_when": "at_once", "order_number": "prefix", "order_prefix": "TT-UK-",
        "restock_on_return": "on"}))
    assert "Order rules saved." in page
    refused = _follow(visitor, visitor.post(f"/shops/{shop_id}/settings", {
        "order_create_when": "at_once", "order_number": "prefix", "order_prefix": ""}))
    assert "Enter a prefix of 1 to 20 characters" in refused
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_id)
        assert shop is not None
        assert shop.settings["polled_at"] == "2026-01-01T00:00:00+00:00"
        assert (shop.settings["order_create_when"], shop.settings["order_number"], shop.settings["order_prefix"],
                shop.settings["restock_on_return"]) == ("at_once", "prefix", "TT-UK-", True)


def test_home_lists_returns_and_feeds_that_need_an_exchange_rate(visitor: Visitor,
                                                                 shop_owner: dict[str, Any]) -> None:
    page = visitor.get("/").text
    assert "Cancellations, returns and refunds" in page
    assert "Own wrong size" in page and "12.50 GBP" in page and "return or refund request pending" in page
    assert f'href="/feeds/{shop_owner["feed"]}/rules">Set an exchange rate' in page
    settings = visitor.get("/settings").text
    assert f'href="/feeds/{shop_owner["feed"]}/rules"' in settings
    assert f'href="/shops/{shop_owner["shop"]}/settings"' in settings


def test_a_listing_whose_work_failed_for_good_says_why_and_offers_a_retry(visitor: Visitor, runtime: Runtime,
                                                                         shop_owner: dict[str, Any]) -> None:
    with transaction(runtime.sessions) as session:
        run = SyncRun(merchant_id=shop_owner["merchant"], feed_id=shop_owner["feed"], kind="list_products", total=1)
        session.add(run)
        session.flush()
        listing = Listing(merchant_id=shop_owner["merchant"], feed_id=shop_owner["feed"], store_product_id="p1",
                          title="Stuck Tee", status="not_synced", reason="Queued for sync.", run_id=run.id)
        session.add(listing)
        session.flush()
        session.add(Intent(merchant_id=shop_owner["merchant"], kind="listing.create", key=str(listing.id),
                           state="failed", attempts=8, last_error="Could not download image x.jpg"))
        run_id, listing_id = run.id, listing.id
    page = visitor.get("/listings?status=not_synced").text
    assert "feedbridge gave up after 8 attempts: Could not download image x.jpg" in page
    assert "Retry Stuck Tee" in page and 'hx-trigger="every 10s"' in page
    fragment = visitor.get(f"/runs/{run_id}/progress").text
    assert "1 product could not be sent after several attempts" in fragment and "hx-trigger" not in fragment
    with runtime.sessions() as session:
        intent_id = session.scalars(select(Intent.id).where(Intent.key == str(listing_id))).one()
    visitor.post(f"/attention/intents/{intent_id}/retry")
    with runtime.sessions() as session:
        assert session.scalars(select(Intent.state).where(Intent.key == str(listing_id))).one() == "pending"
    assert "gave up" not in visitor.get("/listings?status=not_synced").text


def test_a_run_waiting_for_the_daily_quota_says_when_it_continues(visitor: Visitor, runtime: Runtime,
                                                                   shop_owner: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    with transaction(runtime.sessions) as session:
        run = SyncRun(merchant_id=shop_owner["merchant"], feed_id=shop_owner["feed"], kind="list_products",
                      total=5, done=2, state="waiting_quota", resume_at=datetime(2030, 1, 2, 0, 1, tzinfo=UTC))
        session.add(run)
        session.flush()
        run_id = run.id
    fragment = visitor.get(f"/runs/{run_id}/progress").text
    assert "Waiting for TikTok's daily listing quota: continues at 2030-01-02 00:01 UTC." in fragment
    assert 'value="2"' in fragment and 'hx-trigger="every 2s"' in fragment
