"""The Shopify sandbox answers the captured Admin GraphQL calls in specs/shopify/fixtures/ with the same shape:
every field present in the capture is present in the sandbox's answer, with the same JSON type."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    parse,
)

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shared import shared_path
from feedbridge_sandbox.shopify import GRAPHQL_PATH, ShopifySandbox, create_sandbox

FIXTURES = shared_path("specs", "shopify", "fixtures")
for _parent in Path(__file__).resolve().parents:
    if (_parent / "specs" / "shopify" / "fixtures").is_dir():
        FIXTURES = _parent / "specs" / "shopify" / "fixtures"
        break


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def shape_problems(captured: Any, ours: Any, path: str = "$") -> list[str]:
    """Differences in keys and JSON types; nulls on either side are not compared (values differ by store)."""
    if captured is None or ours is None:
        return []
    if _kind(captured) != _kind(ours):
        return [f"{path}: captured {_kind(captured)}, sandbox {_kind(ours)}"]
    problems: list[str] = []
    if isinstance(captured, dict):
        for key, value in captured.items():
            if key not in ours:
                problems.append(f"{path}.{key}: missing in the sandbox answer")
            else:
                problems += shape_problems(value, ours[key], f"{path}.{key}")
    elif isinstance(captured, list) and captured and ours:
        problems += shape_problems(captured[0], ours[0], f"{path}[0]")
    return problems


def _selected(selection_set: Any, fragments: dict[str, Any]) -> dict[str, Any]:
    """Response key -> sub-selection of a selection set, with fragments merged."""
    keys: dict[str, Any] = {}
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            keys[node.alias.value if node.alias else node.name.value] = node.selection_set
        elif isinstance(node, InlineFragmentNode):
            keys.update(_selected(node.selection_set, fragments))
        elif isinstance(node, FragmentSpreadNode):
            keys.update(_selected(fragments[node.name.value].selection_set, fragments))
    return keys


def prune(data: Any, selection_set: Any, fragments: dict[str, Any]) -> Any:
    """Keep only what the query asked for (some captures hold a merged answer with more fields)."""
    if isinstance(data, list):
        return [prune(item, selection_set, fragments) for item in data]
    if not isinstance(data, dict) or selection_set is None:
        return data
    wanted = _selected(selection_set, fragments)
    return {key: prune(value, wanted[key], fragments) for key, value in data.items() if key in wanted}


def captured_answer(query: str, body: dict[str, Any]) -> dict[str, Any]:
    """A captured response body restricted to the fields `query` selects."""
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return dict(body, data=prune(body.get("data"), operation.selection_set, fragments))


def test_shape_comparison_can_fail() -> None:
    assert shape_problems({"a": "1", "b": {"c": 1}}, {"a": 1, "b": {}}) == [
        "$.a: captured str, sandbox number", "$.b.c: missing in the sandbox answer"]


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[ShopifySandbox, RunningServer]]:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    asyncio.run(sandbox.seed(server.url))
    try:
        yield sandbox, server
    finally:
        server.stop()


async def gql(running: tuple[ShopifySandbox, RunningServer], query: str,
              variables: dict[str, Any] | None = None) -> dict[str, Any]:
    sandbox, server = running
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(server.url + GRAPHQL_PATH, json={"query": query, "variables": variables or {}},
                                     headers={"X-Shopify-Access-Token": sandbox.access_token})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def assert_same_shape(captured: dict[str, Any], ours: dict[str, Any]) -> None:
    assert not ours.get("errors"), ours.get("errors")
    assert shape_problems(captured, ours) == []


async def test_products_catalog_page_matches_capture(running: Any) -> None:
    capture = fixture("graphql-products-catalog-page.json")
    call = capture["upstreamCalls"][0]
    ours = await gql(running, call["query"], call["variables"])
    assert_same_shape(captured_answer(call["query"], call["response"]["body"]), ours)
    assert len(ours["data"]["products"]["edges"]) == call["variables"]["first"]


async def test_locations_catalog_matches_capture(running: Any) -> None:
    capture = fixture("graphql-locations-catalog.json")
    call = capture["upstreamCalls"][0]
    assert_same_shape(captured_answer(call["query"], call["response"]["body"]),
                      await gql(running, call["query"], call["variables"]))


async def test_product_variants_and_inventory_levels_match_capture(running: Any) -> None:
    capture = fixture("graphql-product-variants-inventory-levels.json")
    call = capture["upstreamCalls"][0]
    first = (await gql(running, """{ products(first: 1, query: "handle:ocean-blue-shirt") { nodes { id
        variants(first: 1) { nodes { id inventoryItem { id } } } } } }"""))["data"]["products"]["nodes"][0]
    variant = first["variants"]["nodes"][0]
    ours = await gql(running, call["query"], {"productId": first["id"], "variantId": variant["id"],
                                              "inventoryItemId": variant["inventoryItem"]["id"]})
    assert_same_shape(captured_answer(call["query"], call["response"]["body"]), ours)


ORDER_FIELDS = """
  id name email note tags
  customAttributes { key value }
  billingAddress { firstName lastName address1 city provinceCode countryCodeV2 zip }
  shippingAddress { firstName lastName address1 city provinceCode countryCodeV2 zip }
  displayFinancialStatus displayFulfillmentStatus
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  discountCodes
"""

ORDER_CREATE = """
mutation OrderCreateParity($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order {
""" + ORDER_FIELDS + """
      shippingLines(first: 5) { nodes { title code source originalPriceSet { shopMoney { amount currencyCode } }
        taxLines { title rate priceSet { shopMoney { amount currencyCode } } } } }
      lineItems(first: 5) { nodes { id title quantity sku variant { id } variantTitle
        originalUnitPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        taxLines { title rate priceSet { shopMoney { amount currencyCode } } } } }
    }
    userErrors { field message }
  }
}
"""

ORDER_READ = """
query OrderCreateParityRead($id: ID!) {
  order(id: $id) {
""" + ORDER_FIELDS + """
    lineItems(first: 5) { nodes { title quantity sku variant { id }
      taxLines { title rate priceSet { shopMoney { amount currencyCode } } } } }
  }
}
"""


async def _sandbox_variant(running: Any) -> str:
    data = await gql(running, "{ productVariants(first: 1) { nodes { id } } }")
    return str(data["data"]["productVariants"]["nodes"][0]["id"])


async def test_order_create_and_read_back_match_capture(running: Any) -> None:
    capture = fixture("graphql-orderCreate.json")
    variables = copy.deepcopy(capture["variables"])
    for line in variables["order"]["lineItems"]:
        line["variantId"] = await _sandbox_variant(running)
    created = await gql(running, ORDER_CREATE, variables)
    assert_same_shape(capture["mutation"]["response"], created)
    order = created["data"]["orderCreate"]["order"]
    read = await gql(running, ORDER_READ, {"id": order["id"]})
    assert_same_shape(capture["downstreamRead"]["response"], read)
    assert read["data"]["order"]["tags"] == sorted(capture["variables"]["order"]["tags"])


async def test_order_cancel_and_read_back_match_capture(running: Any) -> None:
    capture = fixture("graphql-orderCancel.json")
    created = await gql(running, """mutation($v: ID!) { orderCreate(order: {email: "cancel@example.com",
        lineItems: [{variantId: $v, quantity: 1}]}) { order { id } userErrors { message } } }""",
                        {"v": await _sandbox_variant(running)})
    variables = dict(capture["variables"], orderId=created["data"]["orderCreate"]["order"]["id"])
    cancel = await gql(running, """mutation OrderCancel($orderId: ID!, $restock: Boolean!, $reason: OrderCancelReason!,
        $notifyCustomer: Boolean, $staffNote: String) { orderCancel(orderId: $orderId, restock: $restock,
        reason: $reason, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
        orderCancelUserErrors { field message code } } }""", variables)
    assert_same_shape(capture["mutation"]["response"], cancel)
    read_call = capture["upstreamCalls"][0]
    read = await gql(running, read_call["query"], {"id": variables["orderId"]})
    assert_same_shape(capture["downstreamRead"]["response"], read)
    assert read["data"]["order"]["cancelReason"] == "OTHER" and read["data"]["order"]["cancelledAt"]


async def test_fulfillment_with_multiple_tracking_numbers_matches_capture(running: Any) -> None:
    capture = fixture("graphql-fulfillmentCreate-tracking.json")
    setup = capture["setup"]["orderCreate"]
    created = await gql(running, setup["query"], setup["variables"])
    assert_same_shape(setup["response"], created)
    order = created["data"]["orderCreate"]["order"]
    fulfillment_order_id = order["fulfillmentOrders"]["nodes"][0]["id"]

    hydrate = capture["setup"]["hydrateBeforeFulfillmentCreate"]
    assert_same_shape(hydrate["response"], await gql(running, hydrate["query"], {"id": fulfillment_order_id}))

    create = capture["fulfillmentCreate"]
    variables = copy.deepcopy(create["variables"])
    variables["fulfillment"]["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderId"] = fulfillment_order_id
    made = await gql(running, create["query"], variables)
    assert_same_shape(create["response"], made)
    fulfillment = made["data"]["fulfillmentCreate"]["fulfillment"]
    assert [t["number"] for t in fulfillment["trackingInfo"]] == variables["fulfillment"]["trackingInfo"]["numbers"]

    update = capture["fulfillmentTrackingInfoUpdate"]
    updated = await gql(running, update["query"], dict(update["variables"], fulfillmentId=fulfillment["id"]))
    assert_same_shape(update["response"], updated)

    read = capture["downstreamRead"]
    back = await gql(running, read["query"], {"id": order["id"]})
    assert_same_shape(read["response"], back)
    assert back["data"]["order"]["fulfillments"][0]["trackingInfo"][0]["company"] == "UPS"

    cleanup = capture["cleanup"]["cancel"]
    refused = await gql(running, cleanup["query"], dict(cleanup["variables"], orderId=order["id"]))
    assert_same_shape(cleanup["response"], refused)
    assert refused["data"]["orderCancel"]["orderCancelUserErrors"][0]["message"] == \
        cleanup["response"]["data"]["orderCancel"]["orderCancelUserErrors"][0]["message"]
