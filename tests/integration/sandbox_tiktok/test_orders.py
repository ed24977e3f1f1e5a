"""Orders in the TikTok sandbox: buyers check out, the on-hold window, shipping with tracking, TikTok-side
delivery, cancellations and returns, each with the webhooks TikTok sends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sandbox_tiktok.conftest import subscribe
from tests.integration.sandbox_tiktok.helpers import TikTok, WebhookReceiver

EVENTS = ("ORDER_STATUS_CHANGE", "CANCELLATION_STATUS_CHANGE", "RETURN_STATUS_CHANGE")


@pytest.fixture
def listed(tt: TikTok) -> dict[str, Any]:
    return tt.live_product()


@pytest.fixture
def hooks(tt: TikTok, receiver: WebhookReceiver) -> WebhookReceiver:
    assert receiver.server is not None
    subscribe(tt, receiver.server.url + "/hooks", *EVENTS)
    return receiver


def place(tt: TikTok, product: dict[str, Any], quantity: int = 2, **extra: Any) -> dict[str, Any]:
    sku = product["skus"][0]
    order: dict[str, Any] = tt.control("POST", "/buyer/orders", {
        "items": [{"sku_id": sku["id"], "quantity": quantity}], "buyer_message": "Please ship asap!", **extra})
    return order


def detail(tt: TikTok, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = tt.ok("GET", "/order/202507/orders", query={"ids": order_id})["orders"][0]
    return order


def providers(tt: TikTok) -> dict[str, str]:
    options = tt.ok("GET", f"/logistics/202309/warehouses/{tt.shop['warehouse_id']}/delivery_options")
    seller = next(o for o in options["delivery_options"] if o["type"] == "SEND_BY_SELLER")
    data = tt.ok("GET", f"/logistics/202309/delivery_options/{seller['id']}/shipping_providers")
    return {p["name"]: p["id"] for p in data["shipping_providers"]}


def statuses(hooks: WebhookReceiver, order_id: str) -> list[str]:
    """Order statuses notified for an order, sorted: TikTok (and the sandbox) do not promise delivery order."""
    return sorted(h["data"]["order_status"] for h in hooks.of_type(1) if h["data"]["order_id"] == order_id)


def test_paid_order_is_on_hold_then_awaits_shipment(tt: TikTok, listed: dict[str, Any],
                                                    hooks: WebhookReceiver) -> None:
    order = place(tt, listed)
    seen = detail(tt, order["id"])
    assert seen["status"] == "ON_HOLD" and seen["is_on_hold_order"] is True
    assert "recipient_address" not in seen  # withheld while the buyer can still cancel
    tt.advance(601)
    tt.drain()
    seen = detail(tt, order["id"])
    assert seen["status"] == "AWAITING_SHIPMENT" and seen["recipient_address"]["region_code"] == "US"
    assert statuses(hooks, order["id"]) == sorted(["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"])


def test_order_detail_has_one_line_item_per_unit_with_prices(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed, quantity=3)
    seen = detail(tt, order["id"])
    sku = listed["skus"][0]
    assert [i["sku_id"] for i in seen["line_items"]] == [sku["id"]] * 3
    item = seen["line_items"][0]
    assert item["seller_sku"] == sku["seller_sku"] and item["sale_price"] == "50.00"
    assert {"original_price", "seller_discount", "platform_discount", "product_id"} <= set(item)
    assert tt.http.get(item["sku_image"]).content.startswith(b"\x89PNG")
    assert seen["payment"]["sub_total"] == "150.00" and seen["payment"]["currency"] == "USD"
    assert seen["buyer_message"] == "Please ship asap!"
    assert len(seen["packages"]) == 1


def test_placing_an_order_reserves_stock(tt: TikTok, listed: dict[str, Any]) -> None:
    place(tt, listed, quantity=4)
    product = tt.ok("GET", f"/product/202309/products/{listed['id']}")
    assert product["skus"][0]["inventory"][0]["quantity"] == 6


def test_shipping_is_refused_during_the_on_hold_window(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    package_id = detail(tt, order["id"])["packages"][0]["id"]
    _, code, message = tt.error("POST", f"/fulfillment/202309/packages/{package_id}/ship", {
        "self_shipment": {"tracking_number": "9400111899223197428490", "shipping_provider_id": providers(tt)["USPS"]}})
    assert code == 21011003 and "ON_HOLD" in message


def test_ship_with_tracking_then_tiktok_delivers(tt: TikTok, listed: dict[str, Any], hooks: WebhookReceiver) -> None:
    order = place(tt, listed)
    tt.advance(601)
    package_id = detail(tt, order["id"])["packages"][0]["id"]
    ship = f"/fulfillment/202309/packages/{package_id}/ship"
    _, code, _ = tt.error("POST", ship, {"self_shipment": {"tracking_number": "1Z999AA10123456784",
                                                           "shipping_provider_id": "12345"}})
    assert code == 21011022
    tt.ok("POST", ship, {"self_shipment": {"tracking_number": "1Z999AA10123456784",
                                           "shipping_provider_id": providers(tt)["UPS"]}})
    seen = detail(tt, order["id"])
    assert seen["status"] == "AWAITING_COLLECTION"
    assert (seen["tracking_number"], seen["shipping_provider"]) == ("1Z999AA10123456784", "UPS")
    assert all(i["tracking_number"] == "1Z999AA10123456784" for i in seen["line_items"])
    package = tt.ok("GET", f"/fulfillment/202309/packages/{package_id}")
    assert package["package_status"] == "FULFILLING" and package["shipping_provider_name"] == "UPS"
    assert tt.error("POST", ship, {"self_shipment": {"tracking_number": "1Z999AA10123456785",
                                                     "shipping_provider_id": providers(tt)["UPS"]}})[1] == 21011040
    for status in ("IN_TRANSIT", "DELIVERED", "COMPLETED"):
        tt.control("POST", f"/orders/{order['id']}/advance")
        assert detail(tt, order["id"])["status"] == status
    tt.drain()
    assert statuses(hooks, order["id"]) == sorted(["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "AWAITING_COLLECTION",
                                                   "IN_TRANSIT", "DELIVERED", "COMPLETED"])
    assert tt.ok("GET", f"/fulfillment/202309/packages/{package_id}")["package_status"] == "COMPLETED"


def test_mark_package_as_shipped_splits_an_order(tt: TikTok, listed: dict[str, Any],
                                                 receiver: WebhookReceiver) -> None:
    assert receiver.server is not None
    subscribe(tt, receiver.server.url + "/hooks", "PACKAGE_UPDATE")
    order = place(tt, listed, quantity=2)
    tt.advance(601)
    lines = [i["id"] for i in detail(tt, order["id"])["line_items"]]
    first = tt.ok("POST", f"/fulfillment/202309/orders/{order['id']}/packages", {
        "order_line_item_ids": lines[:1], "tracking_number": "9400111899223197428490",
        "shipping_provider_id": providers(tt)["USPS"]})
    assert detail(tt, order["id"])["status"] == "PARTIALLY_SHIPPING"
    second = tt.ok("POST", f"/fulfillment/202309/orders/{order['id']}/packages", {
        "tracking_number": "9400111899223197428491", "shipping_provider_id": providers(tt)["USPS"]})
    assert first["package_id"] != second["package_id"] and second["order_line_item_ids"] == lines[1:]
    seen = detail(tt, order["id"])
    assert seen["status"] == "AWAITING_COLLECTION" and len(seen["packages"]) == 2
    tt.drain()
    split = receiver.of_type(4)
    assert len(split) == 1 and split[0]["data"]["sc_type"] == "SPLIT"
    assert {p["package_id"] for p in split[0]["data"]["package_list"]} == {p["id"] for p in seen["packages"]}


def test_tracking_can_be_corrected_after_shipping(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    tt.advance(601)
    package_id = detail(tt, order["id"])["packages"][0]["id"]
    update = f"/fulfillment/202309/packages/{package_id}/shipping_info/update"
    body = {"tracking_number": "776655443322", "shipping_provider_id": providers(tt)["FedEx"]}
    assert tt.error("POST", update, body)[1] == 21011043
    tt.ok("POST", f"/fulfillment/202309/packages/{package_id}/ship", {"self_shipment": {
        "tracking_number": "1Z999AA10123456784", "shipping_provider_id": providers(tt)["UPS"]}})
    tt.ok("POST", update, body)
    assert detail(tt, order["id"])["tracking_number"] == "776655443322"
    by_order = f"/fulfillment/202309/orders/{order['id']}/shipping_info/update"
    tt.ok("POST", by_order, {"tracking_number": "776655443323", "shipping_provider_id": providers(tt)["FedEx"]})
    assert detail(tt, order["id"])["tracking_number"] == "776655443323"
    tt.advance(73 * 3600)
    assert tt.error("POST", by_order, body)[1] == 21011050


def test_buyer_cancel_inside_window_cancels_at_once(tt: TikTok, listed: dict[str, Any],
                                                    hooks: WebhookReceiver) -> None:
    order = place(tt, listed, quantity=2)
    tt.control("POST", f"/buyer/orders/{order['id']}/cancel", {})
    tt.drain()
    seen = detail(tt, order["id"])
    assert seen["status"] == "CANCELLED" and seen["cancellation_initiator"] == "BUYER"
    assert "CANCEL" in statuses(hooks, order["id"])
    cancel = hooks.of_type(11)[-1]["data"]
    assert cancel["order_id"] == order["id"] and cancel["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    found = tt.ok("POST", "/return_refund/202309/cancellations/search", {"order_ids": [order["id"]]})
    assert found["cancellations"][0]["cancel_id"] == cancel["cancel_id"]
    product = tt.ok("GET", f"/product/202309/products/{listed['id']}")
    assert product["skus"][0]["inventory"][0]["quantity"] == 10  # stock released


def test_buyer_cancel_after_window_waits_for_the_seller(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    tt.advance(601)
    cancel = tt.control("POST", f"/buyer/orders/{order['id']}/cancel", {})
    seen = detail(tt, order["id"])
    assert seen["status"] == "AWAITING_SHIPMENT" and seen["is_buyer_request_cancel"] is True
    tt.ok("POST", f"/return_refund/202309/cancellations/{cancel['id']}/approve")
    assert detail(tt, order["id"])["status"] == "CANCELLED"


def test_seller_cancel_and_shipping_a_cancelled_order(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    tt.advance(601)
    tt.ok("POST", "/return_refund/202309/cancellations", {"order_id": order["id"],
                                                          "cancel_reason": "seller_cancel_reason_out_of_stock"})
    package_id = detail(tt, order["id"])["packages"][0]["id"]
    _, code, _ = tt.error("POST", f"/fulfillment/202309/packages/{package_id}/ship", {"self_shipment": {
        "tracking_number": "1Z999AA10123456784", "shipping_provider_id": providers(tt)["UPS"]}})
    assert code == 21011041


def test_return_request_approval_and_receipt(tt: TikTok, listed: dict[str, Any], hooks: WebhookReceiver) -> None:
    order = place(tt, listed, quantity=1)
    tt.advance(601)
    package_id = detail(tt, order["id"])["packages"][0]["id"]
    tt.ok("POST", f"/fulfillment/202309/packages/{package_id}/ship", {"self_shipment": {
        "tracking_number": "1Z999AA10123456784", "shipping_provider_id": providers(tt)["UPS"]}})
    tt.control("POST", f"/orders/{order['id']}/advance", {"status": "DELIVERED"})
    ret = tt.control("POST", f"/buyer/orders/{order['id']}/return", {"type": "RETURN_AND_REFUND"})
    found = tt.ok("POST", "/return_refund/202309/returns/search", {"order_ids": [order["id"]]})
    assert found["return_orders"][0]["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING"
    assert found["return_orders"][0]["refund_amount"]["refund_total"] == "50.00"
    tt.ok("POST", f"/return_refund/202309/returns/{ret['id']}/approve")
    tt.control("POST", f"/buyer/returns/{ret['id']}/ship", {"tracking_number": "RT123456789"})
    tt.ok("POST", f"/return_refund/202309/returns/{ret['id']}/approve")
    tt.drain()
    assert sorted(h["data"]["return_status"] for h in hooks.of_type(12)) == sorted([
        "RETURN_OR_REFUND_REQUEST_PENDING", "AWAITING_BUYER_SHIP", "BUYER_SHIPPED_ITEM",
        "RETURN_OR_REFUND_REQUEST_COMPLETE"])


def test_order_search_filters_by_status_and_pages(tt: TikTok, listed: dict[str, Any]) -> None:
    ids = [place(tt, listed, quantity=1)["id"] for _ in range(3)]
    unpaid = place(tt, listed, quantity=1, pay=False)["id"]
    seen, token = [], ""
    while True:
        query = {"page_size": "2"} | ({"page_token": token} if token else {})
        data = tt.ok("POST", "/order/202309/orders/search", {"order_status": "ON_HOLD"}, query=query)
        seen += [o["id"] for o in data["orders"]]
        token = data["next_page_token"]
        if not token:
            break
    assert sorted(seen) == sorted(ids)
    data = tt.ok("POST", "/order/202309/orders/search", {"order_status": "UNPAID"}, query={"page_size": "10"})
    assert [o["id"] for o in data["orders"]] == [unpaid]
    assert tt.error("POST", "/order/202309/orders/search", {}, query={"page_size": "0"})[1] == 12019109


def test_orders_of_another_shop_are_not_visible(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    gb = TikTok(tt.manifest, shop=1)
    assert gb.error("GET", "/order/202507/orders", query={"ids": order["id"]})[1] == 21008111


def test_seller_rejects_a_late_cancellation_and_the_order_stays(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    tt.advance(601)
    cancel = tt.control("POST", f"/buyer/orders/{order['id']}/cancel", {})
    tt.ok("POST", f"/return_refund/202309/cancellations/{cancel['id']}/reject")
    seen = detail(tt, order["id"])
    assert seen["status"] == "AWAITING_SHIPMENT" and seen["is_buyer_request_cancel"] is False
    found = tt.ok("POST", "/return_refund/202309/cancellations/search", {"cancel_ids": [cancel["id"]]})
    assert found["cancellations"][0]["cancel_status"] == "CANCELLATION_REQUEST_CANCEL"


def test_return_before_shipping_is_refused(tt: TikTok, listed: dict[str, Any]) -> None:
    order = place(tt, listed)
    response = tt.http.post(tt.manifest["control_url"] + f"/buyer/orders/{order['id']}/return", json={})
    assert response.status_code == 400 and response.json()["code"] == 25001001
