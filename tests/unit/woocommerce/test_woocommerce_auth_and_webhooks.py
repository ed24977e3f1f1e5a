"""Auth signing and webhook verification specifications."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import OrderedDict
from urllib.parse import parse_qsl, urlsplit

import pytest
from woocommerce.oauth import OAuth

from feedbridge.domain.catalog import ChangeKind
from feedbridge.errors import ConfigError, DataError
from feedbridge.stores.woocommerce import webhooks
from feedbridge.stores.woocommerce.auth import AuthMode, choose_mode, oauth_params, oauth_signature

KEY, SECRET = "ck_0123456789abcdef", "cs_fedcba9876543210"


def test_oauth_signature_matches_the_official_python_client() -> None:
    url = "http://shop.example/wp-json/wc/v3/products"
    signed_url = OAuth(url=url + "?per_page=20&modified_after=2024-01-02T03:04:05", consumer_key=KEY,
                       consumer_secret=SECRET, version="wc/v3", method="GET", oauth_timestamp=1700000000).get_oauth_url()
    theirs = dict(parse_qsl(urlsplit(signed_url).query))
    ours = oauth_params("GET", url, {"per_page": "20", "modified_after": "2024-01-02T03:04:05"}, KEY, SECRET,
                        timestamp=1700000000, nonce=theirs["oauth_nonce"])
    assert ours["oauth_signature"] == theirs["oauth_signature"]


def test_oauth_signature_changes_with_method_url_params_and_secret() -> None:
    params = OrderedDict(oauth_consumer_key=KEY, oauth_timestamp="1", oauth_nonce="n",
                         oauth_signature_method="HMAC-SHA256")
    base = oauth_signature("GET", "http://a/wp-json/wc/v3/orders", params, SECRET)
    assert base != oauth_signature("POST", "http://a/wp-json/wc/v3/orders", params, SECRET)
    assert base != oauth_signature("GET", "http://a/wp-json/wc/v3/order", params, SECRET)
    assert base != oauth_signature("GET", "http://a/wp-json/wc/v3/orders", {**params, "page": "2"}, SECRET)
    assert base != oauth_signature("GET", "http://a/wp-json/wc/v3/orders", params, SECRET + "x")
    sha1 = oauth_signature("GET", "http://a/wp-json/wc/v3/orders", params, SECRET, "HMAC-SHA1")
    assert len(base64.b64decode(sha1)) == 20


def test_basic_over_https_oauth_over_http_and_no_plain_keys_over_http() -> None:
    assert choose_mode("https://shop.example") is AuthMode.BASIC
    assert choose_mode("http://shop.example") is AuthMode.OAUTH
    assert choose_mode("https://shop.example", "query") is AuthMode.QUERY
    with pytest.raises(ConfigError):
        choose_mode("http://shop.example", "basic")
    with pytest.raises(ConfigError):
        choose_mode("https://shop.example", "bearer")


def _delivery(payload: dict, topic: str = "product.updated", secret: str = "s3cret") -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"x-wc-webhook-topic": topic, "x-wc-webhook-signature": signature,
            "x-wc-webhook-delivery-id": "d41d8cd98f00b204e9800998ecf8427e", "x-wc-webhook-id": "7"}, body


def test_signature_verified_and_tampering_rejected() -> None:
    headers, body = _delivery({"id": 5})
    assert webhooks.verify(headers, body, "s3cret")
    assert webhooks.verify({k.upper(): v for k, v in headers.items()}, body, "s3cret")
    assert not webhooks.verify(headers, body + b" ", "s3cret")
    assert not webhooks.verify(headers, body, "other")
    assert not webhooks.verify({}, body, "s3cret")
    assert not webhooks.verify(headers, body, "")


def test_variation_update_names_the_parent_product_and_the_variant() -> None:
    headers, body = _delivery({"id": 77, "type": "variation", "parent_id": 70,
                               "date_modified_gmt": "2024-05-01T10:00:00"})
    [event] = webhooks.parse(headers, body)
    assert (event.kind, event.object_id, event.variant_id) == (ChangeKind.PRODUCT_UPDATED, "70", "77")


def test_same_delivery_same_event_id_other_change_in_same_second_differs() -> None:
    headers, body = _delivery({"id": 5, "price": "1"})
    other_headers, other_body = _delivery({"id": 5, "price": "2"})
    assert webhooks.parse(headers, body)[0].event_id == webhooks.parse(headers, body)[0].event_id
    assert webhooks.parse(headers, body)[0].event_id != webhooks.parse(other_headers, other_body)[0].event_id


def test_deleted_product_order_update_ping_and_malformed_body() -> None:
    headers, body = _delivery({"id": 5}, topic="product.deleted")
    assert webhooks.parse(headers, body)[0].kind is ChangeKind.PRODUCT_DELETED
    headers, body = _delivery({"id": 9, "status": "completed"}, topic="order.updated")
    assert webhooks.parse(headers, body)[0].kind is ChangeKind.ORDER_UPDATED
    assert webhooks.parse({}, b"webhook_id=12") == []
    with pytest.raises(DataError):
        webhooks.parse({"x-wc-webhook-topic": "product.updated"}, b"not json")
    with pytest.raises(DataError):
        webhooks.parse({"x-wc-webhook-topic": "product.updated"}, b"[]")
