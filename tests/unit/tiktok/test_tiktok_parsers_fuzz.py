"""Parsers fail only with DataError, whatever TikTok (or an attacker) sends."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feedbridge.errors import DataError
from feedbridge.tiktok.mappers import order_from_payload, product_from_payload
from feedbridge.tiktok.webhooks import parse_webhook

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
ENVELOPE_KEYS = st.sampled_from(["type", "tts_notification_id", "shop_id", "timestamp", "data", "creator_open_id"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_webhook_parser_raises_only_data_error_on_any_bytes(body: bytes) -> None:
    with contextlib.suppress(DataError):
        parse_webhook(body)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(ENVELOPE_KEYS, JSON))
def test_webhook_parser_raises_only_data_error_on_any_envelope(envelope: dict[str, Any]) -> None:
    try:
        event = parse_webhook(json.dumps(envelope).encode())
    except DataError:
        return
    assert event.notification_id
    assert event.shop_id or event.open_id


SCALAR: st.SearchStrategy[Any] = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=6) | st.just([])
ID = st.from_regex(r"\A[0-9]{1,6}\Z") | st.integers(min_value=1)


def mostly(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the well-formed shape, sometimes any scalar: deep fields get reached, shallow ones still break."""
    # one_of would flatten SCALAR's branches and favour them; pick the branch explicitly instead.
    return st.integers(0, 7).flatmap(lambda n: SCALAR if n == 0 else good)


def objects(keys: list[str], value: st.SearchStrategy[Any] = SCALAR) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), value)


LINE_ITEM = st.fixed_dictionaries({"id": ID, "sku_id": ID}).flatmap(
    lambda ids: objects(["seller_sku", "sale_price", "original_price", "seller_discount", "platform_discount",
                         "currency", "is_gift", "package_id"]).map(lambda d: {**d, **ids})
)
LINE_ITEM_WITH_TAX = st.builds(lambda d, t: {**d, "item_tax": t}, LINE_ITEM,
                               mostly(st.lists(objects(["tax_amount", "tax_type"]), max_size=2)))
ORDER = st.fixed_dictionaries(
    {"id": ID, "status": st.sampled_from(["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"])},
    optional={ "create_time": SCALAR, "update_time": SCALAR,
        "payment": mostly(objects(["currency", "sub_total", "shipping_fee", "tax", "total_amount"])),
        "line_items": mostly(st.lists(mostly(LINE_ITEM_WITH_TAX), max_size=3)),
        "recipient_address": mostly(objects(["name", "postal_code", "region_code", "district_info"],
                                            mostly(st.lists(mostly(objects(["address_level", "address_name"])),
                                                            max_size=2)))),
        "packages": mostly(st.lists(mostly(objects(["id"])), max_size=2)),
    },
)
SKU = st.fixed_dictionaries({"id": ID}, optional={"seller_sku": SCALAR}).flatmap(
    lambda d: st.builds(
        lambda price, inventory, status: {**d, "price": price, "inventory": inventory, "status_info": status},
        mostly(objects(["sale_price", "tax_exclusive_price", "amount", "currency"])),
        mostly(st.lists(mostly(objects(["warehouse_id", "quantity"])), max_size=2)),
        mostly(objects(["status"])),
    )
)
PRODUCT = st.fixed_dictionaries(
    {"id": ID},
    optional={
        "status": SCALAR, "update_time": SCALAR,
        "skus": mostly(st.lists(mostly(SKU), max_size=2)),
        "audit": mostly(objects(["status"])),
        "audit_failed_reasons": mostly(st.lists(mostly(objects(["position", "reasons", "suggestions"])), max_size=2)),
        "category_chains": mostly(st.lists(mostly(objects(["id", "is_leaf"])), max_size=2)),
    },
)


@settings(max_examples=200, deadline=None)
@given(ORDER)
def test_order_mapper_raises_only_data_error(payload: dict[str, Any]) -> None:
    with contextlib.suppress(DataError):
        order_from_payload(payload)


@settings(max_examples=200, deadline=None)
@given(PRODUCT)
def test_product_mapper_raises_only_data_error(payload: dict[str, Any]) -> None:
    with contextlib.suppress(DataError):
        product_from_payload(payload)
