"""The Shopify sandbox answers like Shopify: error envelopes, cost throttling, idempotency keys, signed webhooks,
faults by GraphQL root field, and a seed through its own API."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shopify import GRAPHQL_PATH, ShopifySandbox, create_sandbox
from tests.contract.receiver import Receiver


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[ShopifySandbox, RunningServer]]:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    asyncio.run(sandbox.seed(server.url))
    try:
        yield sandbox, server
    finally:
        server.stop()


async def gql(running: tuple[ShopifySandbox, RunningServer], query: str, variables: dict[str, Any] | None = None,
              token: str | None = None) -> httpx.Response:
    sandbox, server = running
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(server.url + GRAPHQL_PATH, json={"query": query, "variables": variables or {}},
                                 headers={"X-Shopify-Access-Token": token or sandbox.access_token})


async def test_seed_loads_both_sample_catalogs_with_skus_and_two_locations(running: Any) -> None:
    body = (await gql(running, """{ locations(first: 10) { nodes { id } }
        products(first: 60) { nodes { handle variants(first: 5) { nodes { sku } } } }
        collections(first: 10) { nodes { title } } }""")).json()["data"]
    handles = {p["handle"] for p in body["products"]["nodes"]}
    assert {"ocean-blue-shirt", "clay-plant-pot"} <= handles  # one from each CSV
    assert len(body["locations"]["nodes"]) >= 2
    assert all(v["sku"] for p in body["products"]["nodes"] for v in p["variants"]["nodes"])
    assert body["collections"]["nodes"]


async def test_invalid_document_is_http_200_with_errors(running: Any) -> None:
    response = await gql(running, "{ shop { currency } }")
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"]
    assert "data" not in response.json()


async def test_bad_token_is_401_with_shopify_message(running: Any) -> None:
    response = await gql(running, "{ shop { name } }", token="shpat_wrong")
    assert response.status_code == 401
    assert response.json()["errors"].startswith("[API] Invalid API key or access token")


async def test_every_answer_reports_cost_and_bucket(running: Any) -> None:
    response = await gql(running, "{ shop { name } }")
    assert response.headers["x-request-id"] and response.headers["x-shopify-api-version"] == "2026-04"
    cost = response.json()["extensions"]["cost"]
    assert set(cost) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


async def test_empty_bucket_answers_throttled(running: Any) -> None:
    sandbox, server = running
    async with httpx.AsyncClient(base_url=server.url) as control:
        await control.post("/_sandbox/ratelimit", json={"maximumAvailable": 30, "restoreRate": 1})
        try:
            query = "{ products(first: 5) { nodes { id } } }"  # 2 + 5 x 1 = 7 points
            answers = [(await gql(running, query)).json() for _ in range(6)]
        finally:
            await control.delete("/_sandbox/ratelimit")
    throttled = [a for a in answers if a.get("errors")]
    assert throttled, "a 30-point bucket cannot pay for six 7-point queries"
    assert throttled[0]["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert throttled[0]["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 7


async def test_query_over_the_single_query_limit_is_refused(running: Any) -> None:
    body = (await gql(running, "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["cost"] > body["errors"][0]["extensions"]["maxCost"]


SET = """mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) { userErrors { message } } }"""
SET_WITHOUT_KEY = """mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { message } } }"""


async def _item_and_location(running: Any) -> tuple[str, str, str]:
    data = (await gql(running, """{ products(first: 1) { nodes { variants(first: 1) { nodes { id
        inventoryItem { id inventoryLevels(first: 1) { nodes { location { id } } } } } } } } }""")).json()["data"]
    variant = data["products"]["nodes"][0]["variants"]["nodes"][0]
    item = variant["inventoryItem"]
    return variant["id"], item["id"], item["inventoryLevels"]["nodes"][0]["location"]["id"]


async def _available(running: Any, variant_id: str) -> int:
    data = (await gql(running, """query($id: ID!) { productVariant(id: $id) { inventoryItem {
        inventoryLevels(first: 1) { nodes { quantities(names: ["available"]) { quantity } } } } } }""",
                      {"id": variant_id})).json()["data"]
    level = data["productVariant"]["inventoryItem"]["inventoryLevels"]["nodes"][0]
    return int(level["quantities"][0]["quantity"])


async def test_inventory_set_requires_an_idempotency_key_and_replays_by_key(running: Any) -> None:
    variant_id, item, location = await _item_and_location(running)

    def quantities(n: int) -> dict[str, Any]:
        return {"name": "available", "reason": "correction",
                "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": n}]}

    missing = (await gql(running, SET_WITHOUT_KEY, {"input": quantities(3)})).json()
    assert "idempotent" in missing["errors"][0]["message"]
    key = str(uuid.uuid4())
    await gql(running, SET, {"input": quantities(5), "key": key})
    await gql(running, SET, {"input": quantities(7), "key": str(uuid.uuid4())})
    await gql(running, SET, {"input": quantities(5), "key": key})  # a retried request: not applied again
    assert await _available(running, variant_id) == 7


async def test_webhooks_are_signed_with_the_client_secret(running: Any) -> None:
    sandbox, server = running
    receiver = Receiver()
    url = receiver.start()
    try:
        await gql(running, """mutation($uri: String!) { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE,
            webhookSubscription: {uri: $uri}) { userErrors { message } } }""", {"uri": url + "/hooks"})
        data = (await gql(running, "{ products(first: 1) { nodes { id variants(first: 1) { nodes { id } } } } }"
                          )).json()["data"]
        product = data["products"]["nodes"][0]
        await gql(running, """mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) {
            productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }""",
                  {"p": product["id"], "v": [{"id": product["variants"]["nodes"][0]["id"], "price": "12.34"}]})
        async with httpx.AsyncClient(base_url=server.url) as control:
            await control.post("/_sandbox/webhooks/drain")
        hook = receiver.received[-1]
        expected = base64.b64encode(hmac.new(sandbox.client_secret.encode(), hook.body, hashlib.sha256).digest())
        assert hook.headers["x-shopify-hmac-sha256"] == expected.decode()
        assert hook.headers["x-shopify-topic"] == "products/update"
        assert hook.headers["x-shopify-api-version"] == "2026-04"
        assert hook.headers["x-shopify-shop-domain"].endswith(".myshopify.com")
        assert hook.headers["x-shopify-webhook-id"]
    finally:
        sandbox.server.webhooks.enabled = False
        receiver.stop()


async def test_a_fault_on_a_mutation_does_not_hit_queries(running: Any) -> None:
    sandbox, server = running
    async with httpx.AsyncClient(base_url=server.url) as control:
        await control.post("/_sandbox/faults", json={"kind": "status", "path": "orderCreate", "status": 503})
        try:
            assert (await gql(running, "{ shop { name } }")).status_code == 200
            refused = await gql(running, """mutation { orderCreate(order: {lineItems: [{title: "x", quantity: 1,
                priceSet: {shopMoney: {amount: "1.00", currencyCode: USD}}}]}) { order { id } } }""")
            assert refused.status_code == 503
        finally:
            await control.delete("/_sandbox/faults")


async def test_an_order_takes_stock_and_its_cancellation_puts_it_back(running: Any) -> None:
    variant_id, item, location = await _item_and_location(running)
    await gql(running, SET, {"key": str(uuid.uuid4()), "input": {"name": "available", "reason": "correction",
              "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": 10}]}})
    created = (await gql(running, """mutation($v: ID!) { orderCreate(order: {lineItems: [{variantId: $v,
        quantity: 3}]}, options: {inventoryBehaviour: DECREMENT_IGNORING_POLICY}) { order { id } } }""",
                         {"v": variant_id})).json()["data"]["orderCreate"]["order"]
    assert await _available(running, variant_id) == 7
    await gql(running, """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true) {
        orderCancelUserErrors { message } } }""", {"id": created["id"]})
    assert await _available(running, variant_id) == 10


async def test_paging_continues_after_the_cursor_item_was_deleted(running: Any) -> None:
    query = "query($after: String) { products(first: 2, after: $after) { nodes { id } pageInfo { endCursor } } }"
    page = (await gql(running, query)).json()["data"]["products"]
    everything = [n["id"] for n in (await gql(running, "{ products(first: 100) { nodes { id } } }")).json()[
        "data"]["products"]["nodes"]]
    await gql(running, """mutation($id: ID!) { productDelete(input: {id: $id}) { deletedProductId } }""",
              {"id": page["nodes"][-1]["id"]})
    following = (await gql(running, query, {"after": page["pageInfo"]["endCursor"]})).json()["data"]["products"]
    assert [n["id"] for n in following["nodes"]] == everything[2:4]
