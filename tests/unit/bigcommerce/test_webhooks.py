"""BigCommerce webhook signatures (Standard Webhooks) and thin-payload parsing."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedbridge.domain.catalog import ChangeKind
from feedbridge.errors import DataError
from feedbridge.stores.bigcommerce import webhooks

SECRET = "bc-client-secret-for-tests"
NOW = 1_780_000_000


def _signed(body: bytes, msg_id: str = "msg_1", timestamp: int = NOW) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": webhooks.sign(SECRET, msg_id, timestamp, body)}


def _payload(scope: str, data: dict) -> bytes:
    return json.dumps({"scope": scope, "store_id": "1001", "data": data, "hash": "abc",
                       "created_at": NOW, "producer": "stores/xyz"}).encode()


def test_signature_matches_the_standard_webhooks_published_example() -> None:
    # Test vector from the Standard Webhooks specification (secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw).
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = webhooks.sign_with_key(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_bigcommerce_key_is_the_client_secret_bytes_as_its_base64_sample_implies() -> None:
    body = b"{}"
    assert webhooks.sign(SECRET, "m", 1, body) == webhooks.sign_with_key(
        base64.b64decode(base64.b64encode(SECRET.encode())), "m", 1, body)


def test_valid_delivery_verifies() -> None:
    body = _payload("store/product/updated", {"type": "product", "id": 5})
    assert webhooks.verify(SECRET, _signed(body), body, now=NOW + 10)


def test_header_names_are_case_insensitive() -> None:
    body = b'{"a": 1}'
    headers = {k.title(): v for k, v in _signed(body).items()}
    assert webhooks.verify(SECRET, headers, body, now=NOW)


def test_tampered_body_wrong_secret_or_missing_signature_is_rejected() -> None:
    body = b'{"a": 1}'
    headers = _signed(body)
    assert not webhooks.verify(SECRET, headers, body + b" ", now=NOW)
    assert not webhooks.verify("another-secret", headers, body, now=NOW)
    assert not webhooks.verify(SECRET, {k: v for k, v in headers.items() if k != "webhook-signature"}, body,
                               now=NOW)
    assert not webhooks.verify("", headers, body, now=NOW)


def test_replayed_delivery_outside_tolerance_is_rejected() -> None:
    body = b'{"a": 1}'
    assert not webhooks.verify(SECRET, _signed(body), body, now=NOW + 301)
    assert webhooks.verify(SECRET, _signed(body), body, now=NOW + 299)


def test_one_valid_signature_among_several_verifies() -> None:
    body = b'{"a": 1}'
    headers = _signed(body)
    headers["webhook-signature"] = "v1,bm90LXRoaXM= " + headers["webhook-signature"]
    assert webhooks.verify(SECRET, headers, body, now=NOW)


def test_product_update_becomes_a_product_event_with_the_delivery_id() -> None:
    body = _payload("store/product/updated", {"type": "product", "id": 205})
    [event] = webhooks.parse(_signed(body, msg_id="msg_42"), body)
    assert (event.kind, event.object_id, event.event_id) == (ChangeKind.PRODUCT_UPDATED, "205", "msg_42")


def test_sku_inventory_update_names_product_and_variant() -> None:
    body = _payload("store/sku/inventory/updated", {"type": "sku", "id": 461, "inventory": {
        "product_id": 206, "method": "absolute", "value": 5, "variant_id": 509}})
    [event] = webhooks.parse(_signed(body), body)
    assert (event.kind, event.object_id, event.variant_id) == (ChangeKind.INVENTORY_UPDATED, "206", "509")


def test_sku_update_is_a_product_update_of_its_product() -> None:
    body = _payload("store/sku/updated", {"type": "sku", "id": 461, "sku": {"product_id": 206, "variant_id": 509}})
    [event] = webhooks.parse(_signed(body), body)
    assert (event.kind, event.object_id, event.variant_id) == (ChangeKind.PRODUCT_UPDATED, "206", "509")


def test_shipment_created_names_the_order() -> None:
    body = _payload("store/shipment/created", {"type": "shipment", "id": 12, "orderId": 251})
    [event] = webhooks.parse(_signed(body), body)
    assert (event.kind, event.object_id) == (ChangeKind.FULFILMENT_CREATED, "251")


def test_deleted_product_and_unsubscribed_scope() -> None:
    body = _payload("store/product/deleted", {"type": "product", "id": 9})
    assert webhooks.parse(_signed(body), body)[0].kind == ChangeKind.PRODUCT_DELETED
    other = _payload("store/cart/created", {"type": "cart", "id": "x"})
    assert webhooks.parse(_signed(other), other) == []


def test_event_id_without_webhook_id_falls_back_to_hash_and_time() -> None:
    body = _payload("store/product/updated", {"type": "product", "id": 1})
    [event] = webhooks.parse({}, body)
    assert event.event_id == f"abc:{NOW}"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"scope": "store/product/updated"}',
                                  b'{"scope": "store/product/updated", "data": {"type": "product"}}',
                                  b'{"scope": "store/sku/updated", "data": {"type": "sku", "id": 1}}'])
def test_malformed_payload_raises_data_error(body: bytes) -> None:
    with pytest.raises(DataError):
        webhooks.parse({}, body)


# Properties, not timings: a loaded machine must not fail them (hypothesis's default 200 ms deadline and its
# too_slow health check are timed assertions).
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=4), max_leaves=10)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_parse_to_events_or_a_data_error(body: bytes) -> None:
    with contextlib.suppress(DataError):
        webhooks.parse({}, body)


@PROPERTY
@given(st.sampled_from(sorted(webhooks.SCOPES)), st.dictionaries(st.sampled_from(
    ["type", "id", "sku", "inventory", "orderId"]), _json, max_size=4))
def test_any_payload_of_a_known_scope_parses_or_raises_data_error(scope: str, data: dict) -> None:
    body = json.dumps({"scope": scope, "data": data, "hash": "h", "created_at": NOW}).encode()
    try:
        events = webhooks.parse({}, body)
    except DataError:
        return
    assert all(e.object_id for e in events)


@PROPERTY
@given(st.binary(max_size=64), st.text(max_size=20))
def test_verify_never_accepts_a_signature_made_for_other_bytes(body: bytes, msg_id: str) -> None:
    headers = _signed(body + b"x", msg_id="msg")
    assert not webhooks.verify(SECRET, headers, body, now=NOW)
