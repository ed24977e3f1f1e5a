"""Mapper specifications, checked on real WooCommerce payloads from specs/woocommerce/fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from feedbridge.domain.catalog import ProductStatus, WeightUnit
from feedbridge.domain.orders import Address, Fulfilment, OrderDraft, OrderLine, StoreOrderStatus
from feedbridge.errors import DataError
from feedbridge.stores.woocommerce import mappers
from feedbridge_sandbox.shared import shared_path

FIXTURES = shared_path("specs", "woocommerce", "fixtures")


def load(name: str) -> Any:
    data = json.loads((FIXTURES / name).read_text())
    return data["data"] if isinstance(data, dict) and "data" in data else data


@pytest.fixture
def variations() -> list[dict[str, Any]]:
    return load("wc-v3-product-variations.ios-capture.json")


def _parent(**extra: Any) -> dict[str, Any]:
    return {"id": 846, "name": "Chocolate bar", "type": "variable", "status": "publish", "slug": "chocolate",
            "attributes": [{"name": "Darkness", "variation": True}, {"name": "Flavor", "variation": True},
                           {"name": "Shape", "variation": True}, {"name": "Brand", "variation": False}],
            "categories": [{"id": 15, "name": "Food"}], "images": [], "manage_stock": False, **extra}


def test_variable_product_has_one_variant_per_variation_with_options(variations: list[dict[str, Any]]) -> None:
    product = mappers.product_from_wc(_parent(), variations, WeightUnit.KILOGRAM)
    assert len(product.variants) == len(variations) == 8
    assert product.option_names == ["Darkness", "Flavor", "Shape"]
    first = product.variants[0]
    assert first.id == "1275" and first.product_id == "846" and first.sku == "99%-nuts-marble"
    assert first.options == {"Darkness": "99%", "Flavor": "nuts", "Shape": "marble"}
    assert product.status is ProductStatus.ACTIVE and product.category_ids == ["15"]


def test_variation_price_and_fractional_stock_read_without_float_error(variations: list[dict[str, Any]]) -> None:
    variant = mappers.variant_from_variation(variations[0], _parent(), WeightUnit.KILOGRAM)
    assert variant.price == Decimal("12")  # on_sale is false in the capture: the sale dates are over
    assert variant.compare_at_price is None
    assert variant.stock == {"default": 16}  # the capture holds 16.5 in stock; we never publish half a unit
    assert variant.inventory_tracked is True and variant.continue_selling is True  # backorders: notify
    assert variant.weight == Decimal("2.5")
    assert variant.updated_at == datetime(2019, 11, 14, 13, 6, 42, tzinfo=UTC)


def test_sale_price_becomes_price_and_regular_price_compare_at() -> None:
    simple = {"id": 5, "name": "Cap", "type": "simple", "sku": "woo-cap", "price": "16", "regular_price": "18",
              "sale_price": "16", "manage_stock": True, "stock_quantity": 7, "stock_status": "instock",
              "backorders": "no", "images": [{"src": "https://example.com/cap.jpg"}]}
    product = mappers.product_from_wc(simple, [], WeightUnit.POUND)
    [variant] = product.variants
    assert variant.id == "5" and variant.price == Decimal("16") and variant.compare_at_price == Decimal("18")
    assert variant.stock == {"default": 7} and variant.weight_unit is WeightUnit.POUND
    assert variant.image_url == "https://example.com/cap.jpg"


def test_variation_managed_by_parent_uses_parent_stock() -> None:
    variation = {"id": 9, "sku": "V", "price": "5", "regular_price": "5", "manage_stock": "parent",
                 "stock_quantity": 3, "stock_status": "instock", "backorders": "no", "attributes": []}
    parent = _parent(manage_stock=True, stock_quantity=11, backorders="no")
    variant = mappers.variant_from_variation(variation, parent, WeightUnit.KILOGRAM)
    assert variant.stock == {"default": 11} and variant.inventory_tracked


def test_untracked_stock_is_marked_untracked_and_sellable_only_when_in_stock() -> None:
    base = {"id": 1, "name": "A", "type": "simple", "price": "1", "regular_price": "1", "manage_stock": False,
            "stock_quantity": None, "backorders": "no"}
    in_stock = mappers.product_from_wc({**base, "stock_status": "instock"}, [], WeightUnit.KILOGRAM).variants[0]
    out = mappers.product_from_wc({**base, "stock_status": "outofstock"}, [], WeightUnit.KILOGRAM).variants[0]
    assert not in_stock.inventory_tracked and in_stock.continue_selling
    assert not out.continue_selling


def test_grouped_and_external_products_have_no_sellable_variants() -> None:
    grouped = mappers.product_from_wc({"id": 2, "name": "Set", "type": "grouped"}, [], WeightUnit.KILOGRAM)
    external = mappers.product_from_wc({"id": 3, "name": "Pennant", "type": "external", "price": "11.05"}, [],
                                       WeightUnit.KILOGRAM)
    assert grouped.variants == [] and grouped.product_type == "grouped"
    assert external.variants == [] and external.product_type == "external"


def test_bad_price_is_a_data_error_naming_the_field() -> None:
    with pytest.raises(DataError) as err:
        mappers.product_from_wc({"id": 1, "name": "A", "type": "simple", "price": "abc"}, [], WeightUnit.KILOGRAM)
    assert err.value.field == "price"


def test_category_paths_follow_parents() -> None:
    cats = mappers.categories_from_wc([{"id": 1, "name": "Clothing", "parent": 0},
                                       {"id": 2, "name": "Tshirts", "parent": 1}])
    by_id = {c.id: c for c in cats}
    assert by_id["2"].path == ("Clothing", "Tshirts") and by_id["2"].parent_id == "1"
    assert by_id["1"].parent_id is None


def _draft() -> OrderDraft:
    return OrderDraft(
        tiktok_order_id="576912345678", currency="USD", subtotal=Decimal("24"), shipping=Decimal("3"),
        tax=Decimal("1.60"), total=Decimal("28.60"), email="buyer@example.com",
        lines=[OrderLine("22", "23", "Bar3", "Ship Your Idea", 2, Decimal("10.00"), Decimal("12.00")),
               OrderLine("93", "93", "", "Woo Single #1", 1, Decimal("4.00"))],
        shipping_address=Address(name="John Doe", line1="969 Market", city="San Francisco", state="CA",
                                 postal_code="94103", country_code="US", phone="5555555555"),
        buyer_message="Gift wrap",
    )


def test_order_body_uses_the_documented_create_fields() -> None:
    documented = load("wc-v3-order-create.docs-example.json")["request"]["body"]
    body = mappers.order_body(_draft())
    assert set(documented) <= set(body)
    assert body["set_paid"] is True
    assert body["line_items"][0] == {"product_id": 22, "variation_id": 23, "quantity": 2, "subtotal": "24.00",
                                     "total": "20.00"}
    assert body["line_items"][1]["variation_id"] == 0  # a simple product is ordered by product id alone
    assert {"key": "_tiktok_order_id", "value": "576912345678"} in body["meta_data"]
    assert "576912345678" in body["shipping_lines"][0]["method_title"]  # found by the order search
    assert set(body["shipping"]) <= set(documented["shipping"]) | {"phone"}
    assert body["fee_lines"][0]["total"] == "1.60"


def test_order_ref_reads_status_and_tiktok_id_from_a_captured_order() -> None:
    order = load("wc-v3-order.ios-capture.json")
    ref = mappers.order_ref(order)
    assert ref.id == "459" and ref.number == "459" and ref.status is StoreOrderStatus.PROCESSING
    assert ref.tiktok_order_id == ""  # not one of ours
    ours = {**order, "meta_data": [*order["meta_data"], {"id": 1, "key": "_tiktok_order_id", "value": "57"}]}
    assert mappers.order_ref(ours).tiktok_order_id == "57"


def test_shipment_tracking_entries_become_fulfilments_covering_the_order() -> None:
    order = load("wc-v3-order.ios-capture.json")
    items = load("wc-shipment-trackings-plugin.ios-capture.json")
    found = mappers.fulfilments_from_trackings(items, order)
    assert [f.tracking_number for f in found] == ["345645674567", "56734563456", "456345623453454352323452345235",
                                                  "asdfasdf7787775756786789"]
    assert found[0].carrier == "USPS" and found[0].tracking_url.startswith("https://tools.usps.com")
    assert found[0].created_at == datetime(2019, 2, 15, tzinfo=UTC)
    assert found[3].carrier == "" and found[3].created_at is None
    assert found[0].lines[0].quantity == 1 and found[0].lines[0].store_variant_id == "36"


def test_tracking_plugins_meta_is_read() -> None:
    order = {"id": 1, "line_items": [], "meta_data": [
        {"key": "_wc_shipment_tracking_items", "value": [{"tracking_provider": "", "custom_tracking_provider": "Acme",
                                                          "tracking_number": "A1", "date_shipped": "1550188800",
                                                          "tracking_id": "x"}]},
        {"key": "ywot_tracking_code", "value": "Y1"}, {"key": "ywot_carrier_name", "value": "DHL"},
        {"key": "_aftership_tracking_number", "value": "Z1"}]}
    found = mappers.fulfilments_from_meta(order)
    assert [(f.carrier, f.tracking_number) for f in found] == [("Acme", "A1"), ("DHL", "Y1"), ("", "Z1")]
    assert found[0].created_at == datetime(2019, 2, 15, tzinfo=UTC)


def test_tracking_body_uses_known_provider_or_custom() -> None:
    known = mappers.tracking_body(Fulfilment(id="", carrier="usps", tracking_number="1Z"), ["USPS", "UPS"])
    custom = mappers.tracking_body(Fulfilment(id="", carrier="Acme", tracking_number="2", tracking_url="https://a/2"),
                                   ["USPS"])
    assert known == {"tracking_provider": "USPS", "tracking_number": "1Z"}
    assert custom == {"custom_tracking_provider": "Acme", "custom_tracking_link": "https://a/2", "tracking_number": "2"}
    with pytest.raises(DataError):
        mappers.tracking_body(Fulfilment(id="", carrier="UPS", tracking_number=" "), ["UPS"])


def test_non_numeric_store_ids_in_an_order_are_data_errors() -> None:
    draft = _draft()
    draft.lines[0] = OrderLine("gid://x", "23", "Bar3", "Ship Your Idea", 1, Decimal("10"))
    with pytest.raises(DataError) as err:
        mappers.order_body(draft)
    assert err.value.field == "store_product_id"


def test_adapter_is_a_store_port_and_is_in_the_registry() -> None:
    from feedbridge.stores import build_store
    from feedbridge.sync.ports import StorePort

    adapter = build_store("woocommerce", "https://shop.example", {"consumer_key": "ck_abcdef", "consumer_secret":
                                                                  "cs_abcdef", "webhook_secret": "whsec"})
    assert isinstance(adapter, StorePort)
    assert adapter.capabilities.locations is False and adapter.capabilities.webhooks is True


def test_missing_keys_are_a_config_error_saying_where_to_create_them() -> None:
    from feedbridge.errors import ConfigError
    from feedbridge.stores.woocommerce.adapter import WooCommerceAdapter

    with pytest.raises(ConfigError) as err:
        WooCommerceAdapter("https://shop.example", {"consumer_key": "", "consumer_secret": ""})
    assert "REST API" in str(err.value)


def test_site_time_zone_from_name_or_whole_hour_offset() -> None:
    assert mappers.timezone_name({"timezone_string": "America/Chicago", "gmt_offset": -6}) == "America/Chicago"
    assert mappers.timezone_name({"timezone_string": "", "gmt_offset": 2}) == "Etc/GMT-2"
    assert mappers.timezone_name({"timezone_string": "", "gmt_offset": "-5"}) == "Etc/GMT+5"
    assert mappers.timezone_name({"timezone_string": "", "gmt_offset": 5.5}) == "UTC"
    assert mappers.timezone_name({}) == "UTC"
