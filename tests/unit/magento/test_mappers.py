"""Magento mappers on the real documented payloads in specs/magento/fixtures."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from feedbridge.domain.catalog import ProductStatus, WeightUnit
from feedbridge.domain.orders import Address, OrderDraft, OrderLine, StoreOrderStatus
from feedbridge.errors import DataError
from feedbridge.stores.magento import mappers
from tests.unit.magento import swagger
from tests.unit.magento.fixtures import fixture

SIZE = mappers.AttributeInfo(code="size", label="Size", options={"91": "M", "92": "L"})


def test_configurable_product_fixture_maps_title_categories_description_and_handle() -> None:
    product = mappers.product_from_payload(fixture("configurable-product"), [], attributes={})
    assert product.id == "2078"
    assert product.title == "Champ Tee"
    assert product.category_ids == ["11", "12", "16"]
    assert product.description_html.startswith("The Champ Tee keeps you cool")
    assert product.handle == "champ-tee"
    assert product.status == ProductStatus.ACTIVE
    assert product.product_type == "configurable"
    assert product.variants == [] and product.option_names == []
    assert product.updated_at == datetime(2017, 11, 29, 19, 57, 20, tzinfo=UTC)


def test_configurable_children_become_variants_with_option_labels() -> None:
    parent = copy.deepcopy(fixture("configurable-product"))
    parent["extension_attributes"]["configurable_product_options"] = [
        {"id": 1, "attribute_id": "144", "label": "Size", "position": 0, "values": [{"value_index": 91}]}]
    child = copy.deepcopy(fixture("configurable-product"))
    child.update({"id": 2079, "sku": "MS-Champ-M", "type_id": "simple", "price": 25, "name": "Champ Tee-M"})
    product = mappers.product_from_payload(
        parent, [child], attributes={"144": SIZE}, unit=WeightUnit.POUND,
        source_items=[{"sku": "MS-Champ-M", "source_code": "default", "quantity": 4, "status": 1}],
        salable={"MS-Champ-M": 3})
    [variant] = product.variants
    assert product.option_names == ["Size"]
    assert variant.id == "2079" and variant.product_id == "2078"
    assert variant.options == {"Size": "M"}
    assert variant.price == Decimal("25")
    assert variant.stock == {"default": 4} and variant.salable == 3
    assert variant.weight == Decimal("0.5") and variant.weight_unit == WeightUnit.POUND


def test_child_without_the_option_value_is_a_data_error() -> None:
    parent = copy.deepcopy(fixture("configurable-product"))
    parent["extension_attributes"]["configurable_product_options"] = [{"attribute_id": "144", "label": "Size"}]
    child = {"id": 5, "sku": "X", "price": 1, "custom_attributes": []}
    with pytest.raises(DataError):
        mappers.product_from_payload(parent, [child], attributes={"144": SIZE})


def test_simple_product_is_its_own_single_variant_tracked_from_stock_item() -> None:
    simple = copy.deepcopy(fixture("configurable-product"))
    simple["type_id"] = "simple"
    simple["price"] = 29
    product = mappers.product_from_payload(simple)
    [variant] = product.variants
    assert variant.id == product.id == "2078"
    assert variant.sku == "MS-Champ"
    assert variant.inventory_tracked is True and variant.continue_selling is False


def test_special_price_sells_and_regular_price_becomes_compare_at() -> None:
    payload = {"id": 1, "sku": "A", "price": 24.5,
               "custom_attributes": [{"attribute_code": "special_price", "value": "19.99"}]}
    variant = mappers.variant_from_payload(payload, "1")
    assert variant.price == Decimal("19.99") and variant.compare_at_price == Decimal("24.5")


def test_msi_source_items_fixture_gives_stock_per_source() -> None:
    items = fixture("msi-source-items")["items"]
    assert mappers.stock_by_source("new_product2", items) == {"central": 500, "east": 250}
    assert mappers.stock_by_source("other", items) == {}


def test_out_of_stock_source_counts_as_zero() -> None:
    items = [{"sku": "A", "source_code": "s", "quantity": 9, "status": 0}]
    assert mappers.stock_by_source("A", items) == {"s": 0}


def test_order_fixture_maps_to_a_reference_with_state_and_number() -> None:
    ref = mappers.ref_from_order(fixture("order-get"))
    assert ref.id == "3" and ref.number == "000000003"
    assert ref.status == StoreOrderStatus.PENDING
    assert ref.tiktok_order_id == ""


@pytest.mark.parametrize(("state", "status"), [("processing", StoreOrderStatus.PROCESSING),
                                               ("complete", StoreOrderStatus.COMPLETED),
                                               ("canceled", StoreOrderStatus.CANCELLED)])
def test_order_state_maps_to_our_status(state: str, status: StoreOrderStatus) -> None:
    assert mappers.order_status({"state": state}) == status


def _draft() -> OrderDraft:
    return OrderDraft(
        tiktok_order_id="576912345678901234", currency="USD", subtotal=Decimal("20.00"), shipping=Decimal("3.00"),
        tax=Decimal("1.60"), seller_discount=Decimal("1.00"), platform_discount=Decimal("2.00"),
        total=Decimal("23.60"), email="b@scs.tiktokw.us",
        lines=[OrderLine("10", "11", "SKU-1", "Tee", 2, Decimal("10.00"))],
        shipping_address=Address(name="Ada", line1="1 Main St", city="Austin", state="TX", postal_code="78701",
                                 country_code="us"))


def test_order_payload_carries_tiktok_id_and_totals_and_fits_the_schema() -> None:
    entity = mappers.order_payload(_draft(), email_fallback="x@y.invalid")
    swagger.validate_request("POST", "/rest/default/V1/orders", {"entity": entity})
    assert entity["ext_order_id"] == "576912345678901234"
    assert entity["grand_total"] == 23.6 and entity["base_grand_total"] == 23.6
    assert entity["discount_amount"] == -1.0
    assert entity["items"][0]["product_id"] == 11 and entity["items"][0]["row_total"] == 20.0
    address = entity["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    assert address["country_id"] == "US" and address["lastname"] == "-" and address["telephone"] == "-"


def test_order_without_country_is_refused_with_the_field_named() -> None:
    draft = _draft()
    draft.shipping_address = Address(name="Ada")
    with pytest.raises(DataError) as err:
        mappers.order_payload(draft, email_fallback="x@y.invalid")
    assert err.value.field == "shipping_address.country_code"


def test_order_comment_names_label_platform_discount_and_buyer_message() -> None:
    draft = _draft()
    draft.buyer_message = "Gift wrap"
    comment = mappers.order_comment(draft)
    assert comment.startswith("[TikTok Shop]")
    assert "576912345678901234" in comment and "2.00 USD" in comment and "Gift wrap" in comment


def test_shipment_maps_to_fulfilment_with_track_title_as_carrier() -> None:
    request = fixture("order-ship-with-tracks")
    shipment = {"entity_id": 7, "created_at": "2024-01-02 03:04:05", "tracks": request["tracks"],
                "items": [{"order_item_id": 3, "qty": 1, "sku": "WS12-M-Orange", "product_id": 1553}]}
    fulfilment = mappers.fulfilment_from_shipment(shipment)
    assert fulfilment.id == "7"
    assert fulfilment.carrier == "United Parcel Service" and fulfilment.tracking_number == "1Y-9876543210"
    assert fulfilment.lines[0].store_variant_id == "1553" and fulfilment.lines[0].quantity == 1


def test_carrier_code_for_known_and_custom_carriers() -> None:
    assert mappers.carrier_code("United Parcel Service") == "ups"
    assert mappers.carrier_code("FedEx Ground") == "fedex"
    assert mappers.carrier_code("Yun Express") == "custom"


def test_category_tree_skips_the_root_and_builds_paths() -> None:
    tree = {"id": 2, "name": "Default Category", "level": 1, "children_data": [
        {"id": 3, "name": "Clothing", "level": 2, "children_data": [
            {"id": 4, "name": "Tops", "level": 3, "children_data": []}]}]}
    categories = mappers.categories_from_tree(tree)
    assert [(c.id, c.parent_id, c.path) for c in categories] == [
        ("3", None, ("Clothing",)), ("4", "3", ("Clothing", "Tops"))]


def test_bad_magento_date_is_a_data_error() -> None:
    with pytest.raises(DataError):
        mappers.parse_time("yesterday")
