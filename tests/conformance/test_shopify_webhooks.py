"""The Shopify sandbox's order webhook bodies have the REST shape of specs/shopify/fixtures/rest-order-webhook-shape.json."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shopify import GRAPHQL_PATH, ShopifySandbox, create_sandbox
from tests.conformance.test_shopify_graphql import fixture, shape_problems
from tests.contract.receiver import Receiver

CORE_ORDER_KEYS = {
    "id", "name", "email", "created_at", "updated_at", "currency", "financial_status", "fulfillment_status", "note",
    "note_attributes", "tags", "total_price", "subtotal_price", "total_tax", "total_discounts", "line_items",
    "shipping_address", "billing_address", "cancelled_at", "cancel_reason", "closed_at", "order_number",
    "tax_lines", "shipping_lines", "fulfillments", "source_name", "test", "discount_codes",
}
CORE_LINE_KEYS = {"id", "product_id", "variant_id", "sku", "quantity", "price", "title", "variant_title",
                  "fulfillment_status", "requires_shipping", "name"}


@pytest.fixture(scope="module")
def order_webhook() -> Iterator[dict[str, Any]]:
    sandbox: ShopifySandbox = create_sandbox(seed=True)
    server: RunningServer = serve(sandbox.app)
    receiver = Receiver()
    url = receiver.start()

    async def run() -> None:
        await sandbox.seed(server.url)
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     headers={"X-Shopify-Access-Token": sandbox.access_token}) as client:
            async def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
                response = await client.post(GRAPHQL_PATH, json={"query": query, "variables": variables or {}})
                return dict(response.json()["data"])

            await gql("""mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE,
                webhookSubscription: {uri: $uri}) { userErrors { message } } }""", {"uri": url + "/orders"})
            variant = (await gql("{ productVariants(first: 1) { nodes { id } } }"))["productVariants"]["nodes"][0]
            await gql("""mutation($v: ID!) { orderCreate(order: {email: "bob@example.com", note: "hi",
                tags: ["TikTok Shop"], sourceIdentifier: "5769",
                shippingAddress: {firstName: "Bob", lastName: "Norman", address1: "Chestnut Street 92",
                                  city: "Louisville", provinceCode: "KY", countryCode: US, zip: "40202"},
                taxLines: [{title: "State Tax", rate: "0.06", priceSet: {shopMoney: {amount: "3.00", currencyCode: USD}}}],
                lineItems: [{variantId: $v, quantity: 1}]}) { userErrors { message } } }""", {"v": variant["id"]})
            await client.post("/_sandbox/webhooks/drain")

    try:
        asyncio.run(run())
        hook = receiver.received[-1]
        assert hook.headers["x-shopify-topic"] == "orders/create"
        yield json.loads(hook.body)
    finally:
        sandbox.server.webhooks.enabled = False
        receiver.stop()
        server.stop()


def test_order_webhook_has_the_core_rest_keys(order_webhook: dict[str, Any]) -> None:
    assert set(order_webhook) >= CORE_ORDER_KEYS
    assert set(order_webhook["line_items"][0]) >= CORE_LINE_KEYS


def test_keys_shared_with_the_captured_order_have_the_same_types(order_webhook: dict[str, Any]) -> None:
    captured = fixture("rest-order-webhook-shape.json")["order"]
    shared = {k: v for k, v in captured.items() if k in order_webhook}
    assert len(shared) >= 30
    assert shape_problems(shared, order_webhook) == []


def test_money_is_a_two_decimal_string_as_in_rest(order_webhook: dict[str, Any]) -> None:
    assert order_webhook["total_price"].count(".") == 1 and len(order_webhook["total_price"].split(".")[1]) == 2
