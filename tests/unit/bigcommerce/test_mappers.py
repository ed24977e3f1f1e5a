"""BigCommerce mappers on the payloads BigCommerce documents (shared/specs/bigcommerce/fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from feedbridge.domain.catalog import ProductStatus, WeightUnit
from feedbridge.domain.orders import Address, OrderDraft, OrderLine, StoreOrderStatus
from feedbridge.errors import DataError
from feedbridge.stores.bigcommerce import carriers, mappers
from tests.openapi_check import spec_dir

SPECS = spec_dir("bigcommerce")
FIXTURES = SPECS / "fixtures" if SPECS else Path("/nonexistent")
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="BigCommerce fixtures not found")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())["body"]


@needs_fixtures
def test_product_fixture_maps_title_prices_categories_and_tags() -> None:
    body = fixture("bc-v3-product-get.spec-example.json")["data"]
    product = mappers.product(body, WeightUnit.POUND)
    assert (product.id, product.title) == ("174", "1L Le Parfait Jar")
    assert product.category_ids == ["23", "21"]
    assert product.tags == ["jar", "glass"]
    assert product.handle == "all/1l-le-parfait-jar"
    assert product.status == ProductStatus.ACTIVE
    assert product.updated_at == datetime(2018, 9, 5, 20, 42, 7, tzinfo=UTC)
    assert product.description_html.startswith("<p>")


@needs_fixtures
def test_variants_fixture_maps_sale_price_as_price_and_list_price_as_compare_at() -> None:
    product_body = fixture("bc-v3-product-get.spec-example.json")["data"]
    variants = fixture("bc-v3-product-variants.spec-example.json")["data"]
    product = mappers.product({**product_body, "variants": variants}, WeightUnit.POUND)
    first = product.variants[0]
    assert (first.id, first.product_id, first.sku) == ("382", "192", "SMIT")
    assert first.price == Decimal("8") and first.compare_at_price == Decimal("10")
    assert first.options == {"Color": "Beige"}
    assert product.option_names == ["Color"]
    assert [v.sku for v in product.variants] == ["SMIT", "SMIT-1", "SMIT-2"]
    assert first.weight == Decimal("4") and first.weight_unit == WeightUnit.POUND
    assert first.inventory_tracked is False  # the product fixture tracks no inventory


def test_variant_without_own_price_inherits_the_product_price_and_retail_price_is_compare_at() -> None:
    product = mappers.product({"id": 1, "name": "Mug", "price": 12.5, "retail_price": 15, "sale_price": 0,
                               "inventory_tracking": "variant",
                               "variants": [{"id": 9, "product_id": 1, "sku": "MUG", "price": None,
                                             "sale_price": None, "retail_price": None, "option_values": []}]})
    [variant] = product.variants
    assert variant.price == Decimal("12.5") and variant.compare_at_price == Decimal("15")
    assert variant.title == "Mug" and variant.inventory_tracked


def test_invisible_product_is_draft_and_disabled_one_archived() -> None:
    assert mappers.product({"id": 1, "name": "x", "is_visible": False}).status == ProductStatus.DRAFT
    assert mappers.product({"id": 1, "name": "x", "availability": "disabled"}).status == ProductStatus.ARCHIVED


def test_product_without_id_is_a_data_error() -> None:
    with pytest.raises(DataError):
        mappers.product({"name": "no id"})


def test_stock_is_read_per_location_from_inventory_items() -> None:
    items = [{"identity": {"sku": "A", "variant_id": 7, "product_id": 1},
              "locations": [{"location_id": 1, "available_to_sell": 3}, {"location_id": 2, "available_to_sell": 0}]}]
    assert mappers.stock_by_variant(items) == {"7": {"1": 3, "2": 0}}


def test_category_rows_get_name_paths_from_the_root() -> None:
    rows = [{"category_id": 1, "parent_id": 0, "name": "Home"}, {"category_id": 2, "parent_id": 1, "name": "Sofas"},
            {"category_id": 3, "parent_id": 2, "name": "Corner"}]
    by_id = {c.id: c for c in mappers.categories(rows)}
    assert by_id["3"].path == ("Home", "Sofas", "Corner") and by_id["3"].parent_id == "2"
    assert by_id["1"].parent_id is None


@needs_fixtures
def test_order_fixture_maps_to_a_ref_with_external_id_and_status() -> None:
    ref = mappers.order_ref(fixture("bc-v2-order-get.spec-example.json"))
    assert (ref.id, ref.number, ref.tiktok_order_id) == ("218", "218", "external-order-id")
    assert ref.status == StoreOrderStatus.PENDING  # 7 Awaiting Payment


@pytest.mark.parametrize(("status_id", "status"), [(5, StoreOrderStatus.CANCELLED), (10, StoreOrderStatus.COMPLETED),
                                                   (2, StoreOrderStatus.SHIPPED), (11, StoreOrderStatus.PROCESSING)])
def test_status_ids_map_both_ways(status_id: int, status: StoreOrderStatus) -> None:
    assert mappers.order_status(status_id) == status
    assert mappers.order_status(mappers.STATUS_IDS[status]) == status


@needs_fixtures
def test_shipment_fixture_maps_carrier_tracking_and_lines() -> None:
    shipments = fixture("bc-v2-order-shipments.spec-example.json")
    first = mappers.fulfilment(shipments[0], {188: "77"}, {188: "SKU-188"})
    assert (first.id, first.carrier, first.tracking_number) == ("6", "USPS", "EJ958083578US")
    assert first.lines[0].store_variant_id == "77" and first.lines[0].quantity == 1
    assert first.tracking_url.startswith("https://trkcnfrm1.smi.usps.com/")
    assert first.created_at == datetime(2019, 3, 11, 17, 22, 8, tzinfo=UTC)


def test_shipment_with_tracking_carrier_reads_back_the_company_name() -> None:
    shipment = {"id": 1, "tracking_number": "1Z", "tracking_carrier": "ups", "shipping_provider": "", "items": []}
    assert mappers.fulfilment(shipment).carrier == "UPS"


def _draft(**changes: Any) -> OrderDraft:
    base: dict[str, Any] = dict(
        tiktok_order_id="576900001", currency="USD", subtotal=Decimal("20.00"), shipping=Decimal("3.00"),
        tax=Decimal("1.60"), total=Decimal("24.60"), email="buyer@example.com", buyer_message="Gift wrap",
        lines=[OrderLine(store_product_id="111", store_variant_id="222", sku="C-1", title="Shirt", quantity=2,
                         unit_price=Decimal("10.00"))],
        shipping_address=Address(name="Ada Lovelace Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US", phone="5550100"),
    )
    base.update(changes)
    return OrderDraft(**base)


def test_order_body_carries_channel_external_id_amounts_and_notes() -> None:
    body = mappers.order_body(_draft(), channel_id=7, external_source="feedbridge", status_id=11)
    assert body["channel_id"] == 7 and body["external_order_id"] == "576900001"
    assert body["external_source"] == "feedbridge" and body["status_id"] == 11
    assert body["products"] == [{"product_id": 111, "variant_id": 222, "quantity": 2,
                                 "price_inc_tax": 10.0, "price_ex_tax": 10.0}]
    assert (body["total_inc_tax"], body["total_ex_tax"], body["shipping_cost_inc_tax"]) == ("24.60", "23.00", "3.00")
    assert body["billing_address"]["first_name"] == "Ada" and body["billing_address"]["last_name"] == "Lovelace Buyer"
    assert body["billing_address"]["country"] == "United States" and body["billing_address"]["zip"] == "78701"
    assert body["staff_notes"] == "TikTok Shop order 576900001" and body["customer_message"] == "Gift wrap"


def test_order_line_not_linked_to_a_product_is_a_data_error() -> None:
    line = OrderLine(store_product_id="", store_variant_id="", sku="X", title="x", quantity=1,
                     unit_price=Decimal(1))
    with pytest.raises(DataError):
        mappers.order_body(_draft(lines=[line]), channel_id=1, external_source="f", status_id=11)
    with pytest.raises(DataError):
        mappers.order_body(_draft(lines=[]), channel_id=1, external_source="f", status_id=11)


def test_notes_append_a_line_with_tags() -> None:
    assert mappers.note_text("", "First", ()) == "First"
    assert mappers.note_text("First", "Second", ["TikTok Shop"]) == "First\nSecond [tags: TikTok Shop]"


def test_times_in_v2_v3_and_webhook_forms() -> None:
    expected = datetime(2019, 3, 5, 21, 40, 11, tzinfo=UTC)
    assert mappers.parse_time("Tue, 05 Mar 2019 21:40:11 +0000") == expected
    assert mappers.parse_time("2019-03-05T21:40:11+00:00") == expected
    assert mappers.parse_time(int(expected.timestamp())) == expected
    assert mappers.parse_time("") is None
    with pytest.raises(DataError):
        mappers.parse_time("yesterday")


def test_store_info_reads_currency_weight_unit_and_time_zone() -> None:
    info = mappers.store_info({"name": "Shop", "currency": "EUR", "weight_units": "KGS",
                               "timezone": {"name": "Europe/Paris"}, "domain": "shop.example"})
    assert (info.currency, info.weight_unit, info.timezone) == ("EUR", WeightUnit.KILOGRAM, "Europe/Paris")


def test_carrier_names_and_values_come_from_bigcommerce_list() -> None:
    assert carriers.carrier_value("UPS") == "ups"
    assert carriers.carrier_value("ups") == "ups"
    assert carriers.carrier_value("dhl express") == "dhl"
    assert carriers.carrier_value("Pigeon Post") is None
    assert carriers.carrier_name("fedex") == "FedEx®"
    assert len(carriers.carrier_names()) > 900


def test_shipment_with_an_unlisted_carrier_reads_it_from_the_shipping_method() -> None:
    shipment = {"id": 1, "tracking_number": "X1", "tracking_carrier": "", "shipping_provider": "",
                "shipping_method": "Pigeon Post", "items": []}
    assert mappers.fulfilment(shipment).carrier == "Pigeon Post"
    assert mappers.fulfilment({**shipment, "shipping_method": "None"}).carrier == ""
