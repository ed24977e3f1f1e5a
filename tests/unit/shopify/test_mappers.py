"""Shopify payloads → domain objects, on the captured payloads in specs/shopify/fixtures/."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from graphql import GraphQLSchema, Undefined, coerce_input_value

from feedbridge.domain.catalog import ProductStatus, WeightUnit
from feedbridge.domain.orders import Address, OrderDraft, OrderLine, StoreOrderStatus
from feedbridge.errors import DataError
from feedbridge.stores.shopify import mappers
from tests.unit.shopify.conftest import fixture


def test_variant_stock_is_read_per_location_from_inventory_levels() -> None:
    product = fixture("graphql-product-variants-inventory-levels.json")["data"]["product"]
    [variant] = [mappers.variant_from_node(n, "8971842846953") for n in mappers.nodes(product["variants"])]
    assert variant.id == "48540157378793"
    assert variant.stock == {"68509171945": 0}
    assert variant.price == Decimal("0.00")
    assert variant.sku == ""  # Shopify sends null for a variant without SKU
    assert variant.options == {}  # the "Title: Default Title" placeholder is not a real option
    assert variant.inventory_tracked is False
    assert variant.continue_selling is False
    assert variant.weight == Decimal("0") and variant.weight_unit == WeightUnit.KILOGRAM


def test_product_page_nodes_map_with_numeric_ids_status_and_times() -> None:
    page = fixture("graphql-products-catalog-page.json")["data"]["products"]
    products = [mappers.product_from_node(n) for n in mappers.nodes(page)]
    assert [p.id for p in products] == ["8971842846953", "9256802255081", "9256802418921"]
    assert all(p.status == ProductStatus.ACTIVE for p in products)
    assert products[0].updated_at == datetime(2026, 4, 18, 0, 58, 21, tzinfo=UTC)
    assert products[1].handle == "admin"
    assert products[0].variants == []


def test_product_with_options_keeps_option_names_and_reads_extra_variant_pages() -> None:
    node = {
        "id": "gid://shopify/Product/1", "title": "Shirt", "status": "UNLISTED", "options": [{"name": "Size"}],
        "variants": {"nodes": [{"id": "gid://shopify/ProductVariant/11", "price": "9.50", "sku": "S-1",
                                "title": "Small", "selectedOptions": [{"name": "Size", "value": "Small"}],
                                "inventoryPolicy": "CONTINUE",
                                "media": {"nodes": [{"preview": {"image": {"url": "https://img/s.jpg"}}}]}}]},
    }
    extra = [{"id": "gid://shopify/ProductVariant/12", "price": "9.50", "sku": "S-2", "title": "Large",
              "compareAtPrice": "12.00", "selectedOptions": [{"name": "Size", "value": "Large"}]}]
    product = mappers.product_from_node(node, extra)
    assert product.option_names == ["Size"]
    assert product.status == ProductStatus.ACTIVE
    assert [v.sku for v in product.variants] == ["S-1", "S-2"]
    assert product.variants[0].options == {"Size": "Small"}
    assert product.variants[0].continue_selling is True
    assert product.variants[0].image_url == "https://img/s.jpg"
    assert product.variants[1].compare_at_price == Decimal("12.00")


def test_variant_without_price_is_a_data_error() -> None:
    with pytest.raises(DataError):
        mappers.variant_from_node({"id": "gid://shopify/ProductVariant/1", "price": None}, "1")


def test_locations_capture_maps_to_locations() -> None:
    locations = [mappers.location_from_node(n) for n in mappers.nodes(fixture("graphql-locations-catalog.json")
                                                                      ["data"]["locations"])]
    assert [(loc.id, loc.name) for loc in locations] == [("68509171945", "103 ossington"),
                                                         ("89026920681", "Hermes Conformance Annex")]


def test_created_order_reference_reads_name_and_fulfilment_state() -> None:
    order = fixture("graphql-orderCreate.json")["mutation"]["response"]["data"]["orderCreate"]["order"]
    ref = mappers.order_ref_from_node(order)
    assert (ref.id, ref.number) == ("6824239235305", "#1314")
    assert ref.status == StoreOrderStatus.SHIPPED  # displayFulfillmentStatus FULFILLED, not closed


def test_cancelled_order_reads_as_cancelled() -> None:
    order = fixture("graphql-orderCancel.json")["downstreamRead"]["response"]["data"]["order"]
    assert mappers.order_status(order) == StoreOrderStatus.CANCELLED


def test_fulfilment_capture_maps_carrier_and_first_tracking_number() -> None:
    created = fixture("graphql-fulfillmentCreate-tracking.json")["fulfillmentCreate"]["response"]
    fulfilment = mappers.fulfilment_from_node(created["data"]["fulfillmentCreate"]["fulfillment"])
    assert fulfilment.id == "8086547988786"
    assert fulfilment.carrier == "Hermes"
    assert fulfilment.tracking_number.endswith("-1")
    assert fulfilment.tracking_url.startswith("https://example.com/track/")


def _draft() -> OrderDraft:
    line = OrderLine(store_product_id="1", store_variant_id="48540157378793", sku="S-1", title="Shirt",
                     quantity=2, unit_price=Decimal("10.00"))
    return OrderDraft(tiktok_order_id="576900000000001", currency="usd", lines=[line], subtotal=Decimal("20.00"),
                      shipping=Decimal("3.00"), tax=Decimal("1.60"), seller_discount=Decimal("2.00"),
                      total=Decimal("22.60"), email="buyer@example.com", buyer_message="Gift wrap please",
                      shipping_address=Address(name="Ada Lovelace Buyer", line1="1 Main St", city="Austin",
                                               state="TX", postal_code="78701", country_code="us"))


def test_order_input_carries_the_tiktok_order_id_tag_and_labelled_note() -> None:
    order = mappers.order_input_from_draft(_draft())
    assert order["sourceIdentifier"] == "576900000000001"
    assert "TikTok Shop" in order["tags"]
    assert order["note"].startswith("TikTok Shop order 576900000000001")
    assert "Gift wrap please" in order["note"]
    assert {"key": "TikTok Shop order ID", "value": "576900000000001"} in order["customAttributes"]
    assert order["lineItems"][0]["variantId"] == "gid://shopify/ProductVariant/48540157378793"
    assert order["transactions"][0]["amountSet"]["shopMoney"] == {"amount": "22.60", "currencyCode": "USD"}
    assert order["shippingAddress"]["firstName"] == "Ada" and order["shippingAddress"]["countryCode"] == "US"


def test_order_input_is_a_valid_order_create_input(schema: GraphQLSchema) -> None:
    input_type = schema.get_type("OrderCreateOrderInput")
    # graphql-core 3.3 returns Undefined for a value that does not fit; 3.2 raises.
    coerced = coerce_input_value(mappers.order_input_from_draft(_draft()), input_type)  # type: ignore[arg-type]
    assert coerced is not Undefined
    bad = coerce_input_value({"sourceIdentifier": "1", "lineItems": [{"qty": 1}]}, input_type)  # type: ignore[arg-type]
    assert bad is Undefined


def test_order_without_lines_is_refused() -> None:
    draft = _draft()
    draft.lines = []
    with pytest.raises(DataError):
        mappers.order_input_from_draft(draft)


@pytest.mark.parametrize(("value", "expected"), [
    ("gid://shopify/Product/123", "123"),
    ("gid://shopify/InventoryLevel/5?inventory_item_id=9", "5"),
])
def test_legacy_id_is_the_numeric_tail(value: str, expected: str) -> None:
    assert mappers.legacy_id(value) == expected


def test_to_gid_refuses_what_is_not_a_number() -> None:
    assert mappers.to_gid("Product", "42") == "gid://shopify/Product/42"
    with pytest.raises(DataError):
        mappers.to_gid("Product", "forty-two")
