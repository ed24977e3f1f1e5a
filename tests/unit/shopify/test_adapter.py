"""ShopifyAdapter behaviour beyond the shared store contract, against the Shopify sandbox over HTTP."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    OrderLine,
    StoreOrderStatus,
)
from feedbridge.errors import ConfigError, DataError
from feedbridge.stores import build_store
from feedbridge.stores.shopify import webhooks
from feedbridge.stores.shopify.adapter import ShopifyAdapter
from feedbridge.sync.ports import StorePort
from tests.contract.harness_shopify import Harness


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    h = Harness()
    h.start()
    try:
        yield h
    finally:
        h.stop()


@pytest.fixture
async def adapter(harness: Harness) -> Any:
    a = harness.adapter()
    try:
        yield a
    finally:
        await a.aclose()


ORDER_READ = """query($q: String!) { orders(first: 5, query: $q) { nodes { id tags note sourceIdentifier closed
  customAttributes { key value } displayFinancialStatus transactions { gateway } } } }"""


def _draft(product: Any, quantity: int = 2) -> OrderDraft:
    variant = product.variants[0]
    tiktok_id = "5780" + uuid.uuid4().hex[:14]
    return OrderDraft(
        tiktok_order_id=tiktok_id, currency="USD", subtotal=Decimal("10.00") * quantity, total=Decimal("23.00"),
        lines=[OrderLine(store_product_id=product.id, store_variant_id=variant.id, sku=variant.sku,
                         title=product.title, quantity=quantity, unit_price=Decimal("10.00"))],
        shipping=Decimal("3.00"), email="buyer@example.com", buyer_message="Leave at the door",
        shipping_address=Address(name="Ada Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US"))


async def _product(harness: Harness, adapter: ShopifyAdapter) -> Any:
    [product_id] = await harness.create_products(1, variants=1)
    product = await adapter.get_product(product_id)
    assert product is not None
    return product


async def test_registering_webhooks_twice_keeps_one_subscription_per_topic(harness: Harness,
                                                                           adapter: ShopifyAdapter) -> None:
    first = await adapter.register_webhooks("https://feedbridge.example/webhooks/shopify/1")
    second = await adapter.register_webhooks("https://feedbridge.example/webhooks/shopify/1")
    assert [r.id for r in first] == [r.id for r in second]
    data = await harness._call("{ webhookSubscriptions(first: 50) { nodes { topic uri } } }")
    mine = [n for n in data["webhookSubscriptions"]["nodes"] if n["uri"].endswith("/shopify/1")]
    assert sorted(n["topic"] for n in mine) == sorted(webhooks.TOPICS)


async def test_order_is_labelled_with_the_tiktok_order_id_tag_note_and_payment(harness: Harness,
                                                                              adapter: ShopifyAdapter) -> None:
    draft = _draft(await _product(harness, adapter))
    ref = await adapter.create_order(draft)
    assert ref.tiktok_order_id == draft.tiktok_order_id and ref.number.startswith("#")
    [order] = (await harness._call(ORDER_READ, {"q": f'source_identifier:"{draft.tiktok_order_id}"'}))[
        "orders"]["nodes"]
    assert "TikTok Shop" in order["tags"]
    assert order["note"].startswith(f"TikTok Shop order {draft.tiktok_order_id}")
    assert "Leave at the door" in order["note"]
    assert {"key": "TikTok Shop order ID", "value": draft.tiktok_order_id} in order["customAttributes"]
    assert order["displayFinancialStatus"] == "PAID"
    assert order["transactions"][0]["gateway"] == "TikTok Shop"


async def test_note_is_appended_once_and_status_moves_to_shipped_then_completed(harness: Harness,
                                                                               adapter: ShopifyAdapter) -> None:
    draft = _draft(await _product(harness, adapter))
    ref = await adapter.create_order(draft)
    await adapter.add_order_note(ref, "Buyer asked to change colour", tags=["needs-review"])
    await adapter.add_order_note(ref, "Buyer asked to change colour")
    [order] = (await harness._call(ORDER_READ, {"q": f'source_identifier:"{draft.tiktok_order_id}"'}))[
        "orders"]["nodes"]
    assert order["note"].count("Buyer asked to change colour") == 1
    assert "needs-review" in order["tags"]
    await adapter.set_order_status(ref, StoreOrderStatus.SHIPPED)
    shipped = await adapter.find_order(draft.tiktok_order_id)
    assert shipped is not None and shipped.status == StoreOrderStatus.SHIPPED
    await adapter.set_order_status(ref, StoreOrderStatus.COMPLETED)
    done = await adapter.find_order(draft.tiktok_order_id)
    assert done is not None and done.status == StoreOrderStatus.COMPLETED


async def test_cancelling_twice_is_harmless(harness: Harness, adapter: ShopifyAdapter) -> None:
    ref = await adapter.create_order(_draft(await _product(harness, adapter)))
    await adapter.cancel_order(ref, "Cancelled by the buyer on TikTok Shop")
    await adapter.cancel_order(ref, "Cancelled by the buyer on TikTok Shop")
    found = await adapter.find_order(ref.tiktok_order_id)
    assert found is not None and found.status == StoreOrderStatus.CANCELLED


async def test_shipping_more_than_was_ordered_is_refused(harness: Harness, adapter: ShopifyAdapter) -> None:
    product = await _product(harness, adapter)
    ref = await adapter.create_order(_draft(product, quantity=1))
    variant = product.variants[0]
    with pytest.raises(DataError):
        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="UPS", tracking_number="1Z1", lines=(
            FulfilmentLine(store_variant_id=variant.id, sku=variant.sku, quantity=3),)))
    assert await adapter.fulfilments(ref) == []


async def test_inventory_webhook_item_id_reads_back_its_product(harness: Harness, adapter: ShopifyAdapter) -> None:
    product = await _product(harness, adapter)
    data = await harness._call("query($id: ID!) { productVariant(id: $id) { inventoryItem { legacyResourceId } } }",
                               {"id": f"gid://shopify/ProductVariant/{product.variants[0].id}"})
    item = data["productVariant"]["inventoryItem"]["legacyResourceId"]
    body = json.dumps({"inventory_item_id": int(item), "location_id": 1, "available": 3}).encode()
    [event] = webhooks.parse({"X-Shopify-Topic": "inventory_levels/update", "X-Shopify-Webhook-Id": "w1"}, body)
    again = await adapter.get_product(event.object_id)
    assert again is not None and again.id == product.id


async def test_catalog_pages_shrink_to_fit_a_small_cost_limit(harness: Harness, adapter: ShopifyAdapter) -> None:
    await harness.create_products(4, variants=2)
    # A fast-refilling bucket keeps this test quick; only the single-query limit (the bucket size) matters here.
    await harness.control("POST", "/_sandbox/ratelimit", {"maximumAvailable": 1000, "restoreRate": 100000})
    try:
        expected = {p.id for page in [p async for p in adapter.products(page_size=50)] for p in page}
        await harness.control("POST", "/_sandbox/ratelimit", {"maximumAvailable": 400})
        small = harness.adapter()
        try:
            pages = [page async for page in small.products(page_size=50)]
        finally:
            await small.aclose()
    finally:
        await harness.set_rate_limit(0)
    assert {p.id for page in pages for p in page} == expected
    assert max(len(page) for page in pages) < 50


async def test_unknown_product_id_form_is_a_data_error(adapter: ShopifyAdapter) -> None:
    with pytest.raises(DataError):
        await adapter.get_product("not-a-number")


async def test_order_imported_without_source_identifier_is_found_by_tag_and_note(harness: Harness,
                                                                                 adapter: ShopifyAdapter) -> None:
    product = await _product(harness, adapter)
    tiktok_id = "5790" + uuid.uuid4().hex[:14]
    await harness._call("""mutation($v: ID!, $note: String!) { orderCreate(order: {tags: ["TikTok Shop"],
        note: $note, lineItems: [{variantId: $v, quantity: 1}]}) { userErrors { message } } }""",
                        {"v": f"gid://shopify/ProductVariant/{product.variants[0].id}",
                         "note": f"TikTok Shop order {tiktok_id}"})
    found = await adapter.find_order(tiktok_id)
    assert found is not None and found.tiktok_order_id == tiktok_id
    again = await adapter.create_order(dataclasses.replace(_draft(product), tiktok_order_id=tiktok_id))
    assert again.id == found.id
    assert await adapter.find_order("5790" + uuid.uuid4().hex[:14]) is None


async def test_the_adapter_is_a_store_port_built_from_the_registry(harness: Harness) -> None:
    credentials = harness._sandbox().manifest(harness.base_url)["credentials"]
    adapter = build_store("shopify", harness.base_url, credentials)
    try:
        assert isinstance(adapter, StorePort) and isinstance(adapter, ShopifyAdapter)
    finally:
        await adapter.aclose()


def test_a_connection_without_client_secret_is_a_config_error(harness: Harness) -> None:
    with pytest.raises(ConfigError):
        ShopifyAdapter(harness.base_url, {"access_token": "shpat_x"})


async def test_polling_overlap_reaches_back_before_the_watermark(harness: Harness, adapter: ShopifyAdapter) -> None:
    [product_id] = await harness.create_products(1, variants=1)
    product = await adapter.get_product(product_id)
    assert product is not None and product.updated_at is not None
    later = product.updated_at + timedelta(seconds=2)
    with_overlap = await adapter.changes_since(later, overlap=timedelta(seconds=5))
    assert product_id in {e.object_id for e in with_overlap.events}
    without = await adapter.changes_since(later, overlap=timedelta(0))
    assert product_id not in {e.object_id for e in without.events}
    assert without.watermark >= later
