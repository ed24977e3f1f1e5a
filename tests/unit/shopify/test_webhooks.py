"""Shopify webhook signatures and change events, on the captured REST order shape."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from feedbridge.domain.catalog import ChangeKind
from feedbridge.errors import DataError
from feedbridge.stores.shopify import webhooks
from tests.unit.shopify.conftest import fixture

SECRET = "shpss_test_secret_value"


def _signed(body: bytes, topic: str, secret: str = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"x-shopify-topic": topic, "x-shopify-hmac-sha256": digest, "x-shopify-webhook-id": "b54557e4-1",
            "x-shopify-shop-domain": "example.myshopify.com", "x-shopify-triggered-at": "2026-11-27T04:00:00Z"}


def _order_body() -> bytes:
    return json.dumps(fixture("rest-order-webhook-shape.json")["order"]).encode()


def test_signature_over_the_raw_body_is_accepted() -> None:
    body = _order_body()
    assert webhooks.verify(_signed(body, "orders/updated"), body, [SECRET])


def test_tampered_body_or_wrong_secret_is_rejected() -> None:
    body = _order_body()
    headers = _signed(body, "orders/updated")
    assert not webhooks.verify(headers, body + b" ", [SECRET])
    assert not webhooks.verify(headers, body, ["another-secret"])


def test_missing_signature_is_rejected() -> None:
    body = _order_body()
    headers = {k: v for k, v in _signed(body, "orders/updated").items() if "hmac" not in k}
    assert not webhooks.verify(headers, body, [SECRET])


def test_previous_secret_still_verifies_during_rotation() -> None:
    body = _order_body()
    assert webhooks.verify(_signed(body, "orders/updated", "old-secret"), body, [SECRET, "old-secret"])


def test_header_names_are_matched_case_insensitively() -> None:
    body = _order_body()
    headers = {k.title(): v for k, v in _signed(body, "orders/updated").items()}
    assert webhooks.verify(headers, body, [SECRET])


def test_order_webhook_becomes_an_order_event_with_the_delivery_id() -> None:
    body = _order_body()
    [event] = webhooks.parse(_signed(body, "orders/updated"), body)
    assert event.kind == ChangeKind.ORDER_UPDATED
    assert event.object_id == "450789469"
    assert event.event_id == "b54557e4-1"


def test_inventory_webhook_names_the_inventory_item() -> None:
    body = json.dumps({"inventory_item_id": 271878346596884, "location_id": 24826418, "available": 4}).encode()
    [event] = webhooks.parse(_signed(body, "inventory_levels/update"), body)
    assert event.kind == ChangeKind.INVENTORY_UPDATED
    assert event.object_id == "gid://shopify/InventoryItem/271878346596884"


def test_fulfillment_webhook_names_the_order() -> None:
    body = json.dumps({"id": 255858046, "order_id": 450789469, "tracking_number": "1Z2345"}).encode()
    [event] = webhooks.parse(_signed(body, "fulfillments/create"), body)
    assert (event.kind, event.object_id) == (ChangeKind.FULFILMENT_CREATED, "450789469")


def test_product_delete_becomes_a_deletion() -> None:
    body = b'{"id": 788032119674292922}'
    [event] = webhooks.parse(_signed(body, "products/delete"), body)
    assert (event.kind, event.object_id) == (ChangeKind.PRODUCT_DELETED, "788032119674292922")


@pytest.mark.parametrize(("topic", "body"), [
    ("carts/create", b"{}"),
    ("orders/updated", b"not json"),
    ("orders/updated", b"{}"),
    ("inventory_levels/update", b'{"location_id": 1}'),
])
def test_unusable_webhooks_are_data_errors(topic: str, body: bytes) -> None:
    with pytest.raises(DataError):
        webhooks.parse(_signed(body, topic), body)


def test_delivery_without_webhook_id_is_a_data_error() -> None:
    body = _order_body()
    headers = {k: v for k, v in _signed(body, "orders/updated").items() if k != "x-shopify-webhook-id"}
    with pytest.raises(DataError):
        webhooks.parse(headers, body)


def test_a_webhook_whose_updated_at_is_not_a_date_is_a_data_error_naming_the_field() -> None:
    body = json.dumps({"id": 7, "updated_at": 12345}).encode()
    with pytest.raises(DataError) as caught:
        webhooks.parse({"X-Shopify-Topic": "orders/updated", "X-Shopify-Webhook-Id": "w9"}, body)
    assert caught.value.field == "updated_at"
