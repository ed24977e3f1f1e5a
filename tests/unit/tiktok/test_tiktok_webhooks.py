"""Webhook envelopes become typed events; ids become strings; unknown types are kept; bad input is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from feedbridge.errors import DataError
from feedbridge.tiktok.errors import WebhookSignatureError
from feedbridge.tiktok.webhooks import WebhookType, parse_webhook, verified_event
from tests.unit.tiktok.specs import load

VECTOR = load("signing-vectors.json")["webhook_signing"]["vectors"][0]
TOPICS: list[dict[str, Any]] = load("tiktok-shop-webhooks.json")["webhooks"]


def _examples() -> list[tuple[int, dict[str, Any]]]:
    found = []
    for topic in TOPICS:
        try:
            found.append((topic["type"], json.loads(topic["event_example_text"])))
        except (TypeError, ValueError):
            continue  # a few doc examples are not valid JSON (types 12 and 27)
    return found


EXAMPLES = _examples()


def envelope(**overrides: Any) -> bytes:
    body: dict[str, Any] = {
        "type": 1, "tts_notification_id": "7380066284010030890", "shop_id": "7495540735365777507",
        "timestamp": 1718305585, "data": {"order_id": "576653688135258178", "order_status": "UNPAID"},
    }
    body.update(overrides)
    return json.dumps(body).encode()


def test_verified_official_example_parses_into_an_order_event() -> None:
    event = verified_event(VECTOR["app_key"], VECTOR["app_secret"], VECTOR["raw_body"].encode(),
                           VECTOR["expected_authorization"])
    assert event.type == WebhookType.ORDER_STATUS_CHANGE
    assert event.topic == "ORDER_STATUS_CHANGE"
    assert event.notification_id == "7380066284010030890"
    assert event.shop_id == "7495540735365777507"
    assert event.timestamp == datetime.fromtimestamp(1718305585, UTC)
    assert (event.order_id, event.status, event.is_on_hold_order) == ("576653688135258178", "UNPAID", True)


@pytest.mark.parametrize("header", [None, "", "0" * 64])
def test_unverified_delivery_raises_signature_error(header: str | None) -> None:
    with pytest.raises(WebhookSignatureError):
        verified_event(VECTOR["app_key"], VECTOR["app_secret"], VECTOR["raw_body"].encode(), header)


@pytest.mark.parametrize(("kind", "example"), EXAMPLES, ids=[str(k) for k, _ in EXAMPLES])
def test_every_documented_example_parses_with_its_type(kind: int, example: dict[str, Any]) -> None:
    event = parse_webhook(json.dumps(example).encode())
    assert event.type == kind
    assert event.shop_id == str(example.get("shop_id", ""))
    assert event.shop_id or event.open_id
    assert event.notification_id


def test_documented_examples_cover_the_topics_we_subscribe_to() -> None:
    assert {1, 3, 4, 5, 6, 7, 11, 15, 16, 37} <= {kind for kind, _ in EXAMPLES}


def test_numeric_product_id_becomes_a_string() -> None:
    event = parse_webhook(envelope(type=5, data={"product_id": 576486316948490000, "status": "PRODUCT_FIRST_PASS_REVIEW"}))
    assert event.product_id == "576486316948490000"
    assert event.data["product_id"] == "576486316948490000"
    assert event.status == "PRODUCT_FIRST_PASS_REVIEW"


def test_numeric_ids_in_nested_lists_become_strings() -> None:
    event = parse_webhook(envelope(type=4, data={"package_list": [{"package_id": 123, "order_id_list": [152523]}]}))
    assert event.data["package_list"] == [{"package_id": "123", "order_id_list": ["152523"]}]


def test_numeric_shop_and_notification_ids_become_strings() -> None:
    event = parse_webhook(envelope(shop_id=7495540735365777507, tts_notification_id=42))
    assert (event.shop_id, event.notification_id) == ("7495540735365777507", "42")


def test_audit_status_is_read_from_the_audit_object() -> None:
    event = parse_webhook(envelope(type=37, data={"product_id": 7, "audit": {"status": "FAILED"}}))
    assert (event.topic, event.status) == ("PRODUCT_AUDIT_STATUS_CHANGE", "FAILED")


def test_missing_notification_id_falls_back_to_a_stable_body_digest() -> None:
    body = json.dumps({"type": 3, "shop_id": "1", "timestamp": 1644412885, "data": {"order_id": "9"}}).encode()
    first, again = parse_webhook(body), parse_webhook(body)
    assert first.notification_id.startswith("sha256:")
    assert first.notification_id == again.notification_id


def test_creator_level_topic_is_kept_with_its_open_id() -> None:
    body = json.dumps({"type": 20, "creator_open_id": "VIyS", "tts_notification_id": "5", "timestamp": 1}).encode()
    event = parse_webhook(body)
    assert (event.shop_id, event.open_id, event.topic) == ("", "VIyS", "UNKNOWN_20")


def test_unknown_type_is_kept_with_its_data() -> None:
    event = parse_webhook(envelope(type=999, data={"anything": [1, 2]}))
    assert not event.known
    assert event.topic == "UNKNOWN_999"
    assert event.data == {"anything": [1, 2]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (envelope(type="order"), "type"),
        (envelope(type=None), "type"),
        (envelope(tts_notification_id=""), "tts_notification_id"),
        (envelope(tts_notification_id=[1]), "tts_notification_id"),
        (envelope(shop_id=None), "shop_id"),
        (envelope(timestamp="yesterday"), "timestamp"),
        (envelope(data=[1]), "data"),
    ],
)
def test_malformed_envelope_raises_data_error_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(DataError) as info:
        parse_webhook(body)
    assert info.value.field == field


async def test_subscribe_sets_only_event_types_not_already_pointing_here() -> None:
    import httpx
    import respx

    from feedbridge.tiktok.client import TikTokClient
    from feedbridge.tiktok.webhooks import SUBSCRIBED, subscribe
    from tests.unit.tiktok.clienttools import API_URL, APP_KEY, APP_SECRET, json_body, ok

    address = "https://feedbridge.example/webhooks/tiktok"
    existing = {"webhooks": [{"event_type": "ORDER_STATUS_CHANGE", "address": address},
                             {"event_type": "PACKAGE_UPDATE", "address": "https://old.example/hook"}]}
    with respx.mock(base_url=API_URL) as api:
        api.get("/event/202309/webhooks").mock(return_value=ok(existing))
        put = api.put("/event/202309/webhooks").mock(return_value=ok({}))
        async with TikTokClient(API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="c") as client:
            done = await subscribe(client, address)
    sent = [json_body(c.request)["event_type"] for c in put.calls]
    assert "ORDER_STATUS_CHANGE" not in sent
    assert "PACKAGE_UPDATE" in sent
    assert len(sent) == len(SUBSCRIBED) - 1
    assert done == [k.name for k in SUBSCRIBED]
    assert all(isinstance(c.response, httpx.Response) for c in put.calls)
