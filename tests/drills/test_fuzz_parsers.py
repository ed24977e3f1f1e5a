"""Fuzzing the platform payload parsers (hypothesis, seeded from /work/shared/specs/*/fixtures and TikTok's
documented examples): whatever a platform sends, a parser returns a value or raises a typed feedbridge error
(DataError), never a KeyError, TypeError or other crash that would kill a job without a reason."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from feedbridge.domain.catalog import WeightUnit
from feedbridge.errors import FeedbridgeError
from feedbridge.stores.bigcommerce import mappers as bc_mappers
from feedbridge.stores.bigcommerce import webhooks as bc_webhooks
from feedbridge.stores.magento import mappers as magento_mappers
from feedbridge.stores.shopify import webhooks as shopify_webhooks
from feedbridge.stores.woocommerce import mappers as wc_mappers
from feedbridge.stores.woocommerce import webhooks as wc_webhooks
from feedbridge.tiktok.mappers import order_from_payload, product_from_payload
from feedbridge.tiktok.webhooks import parse_webhook
from tests.drills.corpus import body_bytes, fixtures, mutated, tiktok_webhook_examples

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SAMPLES = json.loads((Path(__file__).resolve().parents[1] / "conformance" / "tiktok_samples.json").read_text())


def typed_or_value(parse: Callable[[], Any]) -> None:
    """Run a parser; a typed feedbridge error is a fine answer to bad input, anything else is a crash."""
    with contextlib.suppress(FeedbridgeError):
        parse()


def sample(key: str) -> dict[str, Any]:
    data: dict[str, Any] = SAMPLES["samples"][key].get("data", {})
    return data


@FUZZ
@given(body=body_bytes(tiktok_webhook_examples()))
def test_tiktok_webhook_envelopes(body: bytes) -> None:
    typed_or_value(lambda: parse_webhook(body))


ORDERS = sample("GET /order/202507/orders").get("orders") or []
PRODUCT = sample("GET /product/202309/products/{product_id}")


@pytest.mark.skipif(not ORDERS, reason="no captured TikTok order sample")
@FUZZ
@given(payload=mutated(ORDERS[0] if ORDERS else {}))
def test_tiktok_orders(payload: Any) -> None:
    typed_or_value(lambda: order_from_payload(payload))


@pytest.mark.skipif(not PRODUCT, reason="no captured TikTok product sample")
@FUZZ
@given(payload=mutated(PRODUCT))
def test_tiktok_products(payload: Any) -> None:
    typed_or_value(lambda: product_from_payload(payload))


SHOPIFY_ORDER = fixtures("shopify")["rest-order-webhook-shape.json"]


@FUZZ
@given(body=body_bytes([SHOPIFY_ORDER.get("order", SHOPIFY_ORDER)]))
def test_shopify_webhook_bodies(body: bytes) -> None:
    for topic in ("orders/updated", "products/update", "inventory_levels/update"):
        typed_or_value(lambda t=topic: shopify_webhooks.parse({"x-shopify-topic": t, "x-shopify-webhook-id": "1"},
                                                              body))


BC_HOOK = {"scope": "store/product/updated", "store_id": "1001", "data": {"type": "product", "id": 174},
           "hash": "3f9ea420af83450d7ef9f78b08c8af25b2213637", "created_at": 1561482670, "producer": "stores/abc"}


@FUZZ
@given(body=body_bytes([BC_HOOK]))
def test_bigcommerce_webhook_bodies(body: bytes) -> None:
    typed_or_value(lambda: bc_webhooks.parse({"webhook-id": "msg_1"}, body))


@FUZZ
@given(payload=mutated(fixtures("bigcommerce")["bc-v3-product-get.spec-example.json"].get("data") or
                       fixtures("bigcommerce")["bc-v3-product-get.spec-example.json"]))
def test_bigcommerce_products(payload: Any) -> None:
    typed_or_value(lambda: bc_mappers.product(payload))


WC_ORDER = fixtures("woocommerce")["wc-v3-order.ios-capture.json"]["data"]


@FUZZ
@given(body=body_bytes([WC_ORDER]))
def test_woocommerce_webhook_bodies(body: bytes) -> None:
    for topic in ("order.updated", "product.updated"):
        typed_or_value(lambda t=topic: wc_webhooks.parse({"x-wc-webhook-topic": t,
                                                          "x-wc-webhook-delivery-id": "7"}, body))


@FUZZ
@given(payload=mutated(WC_ORDER))
def test_woocommerce_orders(payload: Any) -> None:
    typed_or_value(lambda: wc_mappers.order_ref(payload))
    typed_or_value(lambda: wc_mappers.fulfilments_from_meta(payload))


VARIATIONS = fixtures("woocommerce")["wc-v3-product-variations.ios-capture.json"]


@FUZZ
@given(payload=mutated(VARIATIONS[0]))
def test_woocommerce_variations(payload: Any) -> None:
    parent = {"id": 1, "name": "Parent", "type": "variable", "attributes": []}
    typed_or_value(lambda: wc_mappers.variant_from_variation(payload, parent, WeightUnit.KILOGRAM))


@FUZZ
@given(payload=mutated(fixtures("magento")["magento-configurable-product.docs-example.json"]))
def test_magento_products(payload: Any) -> None:
    typed_or_value(lambda: magento_mappers.product_from_payload(payload))
