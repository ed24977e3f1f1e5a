"""Mappers on the documented sample responses (order detail, product detail, product search, shops)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from feedbridge.errors import DataError
from feedbridge.tiktok.mappers import (
    cancellation_from_payload,
    draft_from_order,
    order_from_payload,
    orders_from_detail,
    package_from_payload,
    product_from_payload,
    return_from_payload,
    shop_from_payload,
)
from tests.unit.tiktok.specs import sample_response


def order_sample() -> dict[str, Any]:
    return copy.deepcopy(sample_response("GET", "/order/202507/orders")["data"]["orders"][0])


def product_sample() -> dict[str, Any]:
    return copy.deepcopy(sample_response("GET", "/product/202309/products/{product_id}")["data"])


def test_order_detail_sample_maps_ids_status_and_times() -> None:
    [order] = orders_from_detail(sample_response("GET", "/order/202507/orders")["data"])
    assert order.id == "576461413038785752"
    assert order.status == "UNPAID"
    assert order.currency == "IDR"
    assert order.create_time == datetime.fromtimestamp(1619611561, UTC)
    assert order.update_time == datetime.fromtimestamp(1619621355, UTC)
    assert order.is_on_hold_order is False
    assert order.buyer_message == "Please ship asap!"
    assert order.package_ids == ("1152321127278713123",)
    assert order.shipping_type == "TIKTOK"
    assert order.delivery_option_id == "7091146663229654785"


def test_order_detail_sample_maps_payment_as_decimals() -> None:
    payment = order_from_payload(order_sample()).payment
    assert payment.shipping_fee == Decimal("5000")
    assert payment.tax == Decimal("5000")
    assert payment.seller_discount == Decimal("5000")
    assert payment.platform_discount == Decimal("5000")
    assert payment.total_amount == Decimal("5000")


def test_order_detail_sample_maps_line_item_prices_and_discounts() -> None:
    [item] = order_from_payload(order_sample()).line_items
    assert (item.id, item.sku_id, item.seller_sku) == ("577086512123755123", "2729382476852921560", "red_iphone_256")
    assert (item.sale_price, item.original_price) == (Decimal("0.01"), Decimal("0.01"))
    assert (item.seller_discount, item.platform_discount) == (Decimal("0"), Decimal("0"))
    assert item.tax == Decimal("21.2")
    assert item.package_id == "1153132168123859123"


def test_order_detail_sample_maps_recipient_address() -> None:
    order = order_from_payload(order_sample())
    address = order.address
    assert address.name == "David Kong"
    assert address.phone == "(+1)213-***-1234"
    assert address.line1 == "TikTok 5800 bristol Pkwy"
    assert "Suite 100" in address.line2
    assert address.postal_code == "95110"
    assert address.country_code == "US"
    assert address.city == "Ribbleton"  # post_town wins where TikTok gives one
    assert order.full_address == "1199 Coleman Ave San Jose, CA 95110"


def test_district_info_gives_state_and_city_when_no_post_town() -> None:
    payload = order_sample()
    recipient = payload["recipient_address"]
    del recipient["post_town"]
    recipient["district_info"] = [
        {"address_level_name": "Country", "address_name": "United States", "address_level": "L0"},
        {"address_level_name": "State", "address_name": "California", "address_level": "L1"},
        {"address_level_name": "County", "address_name": "Santa Clara", "address_level": "L2"},
        {"address_level_name": "City", "address_name": "San Jose", "address_level": "L3"},
    ]
    address = order_from_payload(payload).address
    assert (address.state, address.city) == ("California", "San Jose")


def test_one_line_item_per_unit_is_grouped_by_sku() -> None:
    payload = order_sample()
    first = payload["line_items"][0]
    second = {**first, "id": "577086512123755124", "seller_discount": "0.005"}
    other = {**first, "id": "577086512123755125", "sku_id": "99", "seller_sku": "blue"}
    payload["line_items"] = [first, other, second]
    lines = order_from_payload(payload).lines
    assert [(g.sku_id, g.quantity) for g in lines] == [("2729382476852921560", 2), ("99", 1)]
    assert lines[0].line_item_ids == ("577086512123755123", "577086512123755124")
    assert lines[0].original_total == Decimal("0.02")
    assert lines[0].seller_discount == Decimal("0.005")


def test_on_hold_order_cannot_be_fulfilled() -> None:
    payload = order_sample()
    payload.update(status="AWAITING_SHIPMENT", is_on_hold_order=True)
    assert not order_from_payload(payload).can_fulfil
    payload.update(is_on_hold_order=False)
    assert order_from_payload(payload).can_fulfil


def test_draft_uses_store_variants_and_unit_price_after_seller_discount() -> None:
    payload = order_sample()
    item = payload["line_items"][0]
    item.update(original_price="20.00", sale_price="15.00", seller_discount="3.00", platform_discount="2.00")
    payload["line_items"] = [item, {**item, "id": "2"}]
    payload["payment"].update(currency="USD")
    draft = draft_from_order(order_from_payload(payload), lambda sku_id, seller_sku: ("prod-1", f"var-{seller_sku}"))
    [line] = draft.lines
    assert (line.store_product_id, line.store_variant_id, line.quantity) == ("prod-1", "var-red_iphone_256", 2)
    assert line.unit_price == Decimal("17.00")
    assert line.original_price == Decimal("20.00")
    assert line.tiktok_sku_id == "2729382476852921560"
    assert draft.tiktok_order_id == "576461413038785752"
    assert draft.buyer_message == "Please ship asap!"
    assert draft.shipping_address.postal_code == "95110"


def test_draft_refuses_an_unlinked_sku_naming_it() -> None:
    with pytest.raises(DataError, match="red_iphone_256"):
        draft_from_order(order_from_payload(order_sample()), lambda sku_id, seller_sku: None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"payment": {"currency": ""}, "line_items": []}, "payment.currency"),
        ({"line_items": [{"id": "1", "sku_id": "2", "sale_price": "abc"}]}, "line_items.sale_price"),
        ({"create_time": "soon"}, "create_time"),
        ({"line_items": {"id": "1"}}, "line_items"),
    ],
)
def test_malformed_order_raises_data_error_naming_the_field(change: dict[str, Any], field: str) -> None:
    payload = order_sample()
    payload.update(change)
    with pytest.raises(DataError) as info:
        order_from_payload(payload)
    assert info.value.field == field


def test_product_detail_sample_maps_status_and_skus() -> None:
    product = product_from_payload(product_sample())
    assert product.id == "1729592969712207008"
    assert product.status == "SELLER_DEACTIVATED"
    assert product.audit_status == "AUDITING"
    assert product.category_id == "853000"
    assert product.external_product_id == "172959296971220002"
    [sku] = product.skus
    assert (sku.id, sku.seller_sku, sku.external_sku_id) == ("10001", "sku name", "1729592969712207234")
    assert (sku.price, sku.tax_exclusive_price, sku.currency) == (Decimal("117.5"), Decimal("110"), "USD")
    assert sku.quantity == 999
    assert sku.inventory[0].warehouse_id == "6966568648651605766"
    assert sku.status == "DEACTIVATED"
    assert product.sku_by_seller_sku("sku name") is sku


def test_product_detail_sample_maps_audit_failed_reasons() -> None:
    [failure] = product_from_payload(product_sample()).audit_failed_reasons
    assert failure.position == "product"
    assert failure.reasons == ("violate listing rules",)
    assert "please check and resubmit" in failure.message
    assert failure.message.startswith("product: violate listing rules")


def test_search_products_sample_maps_every_product() -> None:
    data = sample_response("POST", "/product/202502/products/search")["data"]
    products = [product_from_payload(p) for p in data["products"]]
    assert products[0].status == "ACTIVATE"
    assert products[0].skus[0].seller_sku == "Color-Red-XM01"
    assert products[0].skus[0].price == Decimal("121.11")


def test_product_without_id_is_a_data_error() -> None:
    payload = product_sample()
    payload["id"] = ""
    with pytest.raises(DataError):
        product_from_payload(payload)


def test_authorized_shop_sample_maps_cipher() -> None:
    data = sample_response("GET", "/authorization/202309/shops")["data"]
    shop = shop_from_payload(data["shops"][0])
    assert (shop.id, shop.region, shop.seller_type) == ("7000714532876273420", "GB", "CROSS_BORDER")
    assert shop.cipher == "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3"


def test_shop_without_cipher_is_a_data_error() -> None:
    with pytest.raises(DataError):
        shop_from_payload({"id": "1", "cipher": ""})


def test_cancellation_sample_maps_ids_status_and_refund() -> None:
    data = sample_response("POST", "/return_refund/202309/cancellations/search")["data"]
    cancel = cancellation_from_payload(data["cancellations"][0])
    assert (cancel.kind, cancel.id, cancel.order_id) == ("cancellation", "4035318504086604100", "577087614418520388")
    assert (cancel.status, cancel.role) == ("CANCELLATION_REQUEST_PENDING", "BUYER")
    assert cancel.reason == "Order created by mistake"
    assert (cancel.refund_total, cancel.currency) == (Decimal("1.23"), "USD")
    assert [(line.sku_id, line.seller_sku) for line in cancel.lines] == [("2729382476852921560", "YYAPC23078TRT30")]


def test_return_sample_maps_tracking_and_lines() -> None:
    data = sample_response("POST", "/return_refund/202309/returns/search")["data"]
    ret = return_from_payload(data["return_orders"][0])
    assert (ret.kind, ret.id, ret.type, ret.status) == (
        "return", "4035318504086604100", "REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"
    )
    assert (ret.tracking_number, ret.carrier) == ("213456789098765433456", "J&T Express")
    assert ret.lines[0].order_line_item_id == "576473917261451851"


def test_package_detail_sample_maps_tracking_and_items() -> None:
    data = sample_response("GET", "/fulfillment/202309/packages/{package_id}")["data"]
    package = package_from_payload(data)
    assert (package.id, package.status, package.tracking_number) == (
        "5433567853345", "PROCESSING", "6617675021119438849"
    )
    assert package.order_ids == ("54335448533296",)
    assert package.order_line_item_ids == ("1729382476852921560",)


def test_cancellation_without_order_id_is_a_data_error() -> None:
    with pytest.raises(DataError):
        cancellation_from_payload({"cancel_id": "1"})


@pytest.mark.parametrize("quantity", ["abc", float("nan"), float("inf"), [1], True, "1.5"])
def test_stock_that_is_not_a_whole_number_is_a_data_error(quantity: Any) -> None:
    with pytest.raises(DataError) as info:
        product_from_payload({"id": "1", "skus": [{"id": "2", "inventory": [{"quantity": quantity}]}]})
    assert info.value.field == "skus.inventory.quantity"


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "abc", True, {"a": 1}])
def test_price_that_is_not_an_amount_is_a_data_error(amount: Any) -> None:
    with pytest.raises(DataError):
        product_from_payload({"id": "1", "skus": [{"id": "2", "price": {"sale_price": amount}}]})


def test_timestamp_out_of_range_is_a_data_error() -> None:
    payload = order_sample()
    payload["create_time"] = 67768036191676800
    with pytest.raises(DataError):
        order_from_payload(payload)
