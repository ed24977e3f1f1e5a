"""The Shopify GraphQL client's edge: throttling, retries that must not repeat a mutation, typed errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from feedbridge.errors import AuthError, ConfigError, PlatformError, RetryableError
from feedbridge.stores.shopify.client import QueryTooCostly, ShopifyClient

BASE = "https://example.myshopify.com"
URL = f"{BASE}/admin/api/2026-04/graphql.json"
QUERY = "query FeedbridgeShop { shop { name } }"
MUTATION = "mutation FeedbridgeOrderCreate { orderCreate(order: {}) { order { id } } }"


def _cost(requested: int, available: int, restore: float = 50.0) -> dict[str, Any]:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": requested,
                     "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": available,
                                        "restoreRate": restore}}}


THROTTLED = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
             "extensions": {"cost": {"requestedQueryCost": 300, "actualQueryCost": None,
                                     "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 100,
                                                        "restoreRate": 50.0}}}}


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def client() -> ShopifyClient:
    c = ShopifyClient(BASE, "shpat_unit_test_token")
    c.sleep = Sleeps()  # type: ignore[assignment]
    return c


@respx.mock
async def test_sends_the_token_header_and_returns_data(client: ShopifyClient) -> None:
    route = respx.post(URL).respond(200, json={"data": {"shop": {"name": "S"}}, "extensions": _cost(1, 999)})
    assert await client.query(QUERY) == {"shop": {"name": "S"}}
    assert route.calls.last.request.headers["X-Shopify-Access-Token"] == "shpat_unit_test_token"


@respx.mock
async def test_throttled_query_waits_for_the_bucket_then_succeeds(client: ShopifyClient) -> None:
    respx.post(URL).mock(side_effect=[httpx.Response(200, json=THROTTLED),
                                      httpx.Response(200, json={"data": {"shop": {"name": "S"}},
                                                                "extensions": _cost(300, 700)})])
    assert await client.query(QUERY) == {"shop": {"name": "S"}}
    waits = client.sleep.waits  # type: ignore[attr-defined]
    assert waits and waits[0] >= (300 - 100) / 50.0


@respx.mock
async def test_throttled_mutation_is_sent_again_because_it_did_not_run(client: ShopifyClient) -> None:
    route = respx.post(URL).mock(side_effect=[httpx.Response(200, json=THROTTLED),
                                              httpx.Response(200, json={"data": {"orderCreate": {"order": None}}})])
    await client.mutate(MUTATION)
    assert route.call_count == 2


@respx.mock
async def test_mutation_answered_with_5xx_is_not_sent_twice(client: ShopifyClient) -> None:
    route = respx.post(URL).respond(503, json={"errors": "Service unavailable"})
    with pytest.raises(RetryableError):
        await client.mutate(MUTATION)
    assert route.call_count == 1


@respx.mock
async def test_mutation_that_timed_out_is_not_sent_twice(client: ShopifyClient) -> None:
    route = respx.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(RetryableError):
        await client.mutate(MUTATION)
    assert route.call_count == 1


@respx.mock
async def test_query_answered_with_5xx_is_retried(client: ShopifyClient) -> None:
    route = respx.post(URL).mock(side_effect=[httpx.Response(502), httpx.Response(200, json={"data": {"x": 1}})])
    assert await client.query(QUERY) == {"x": 1}
    assert route.call_count == 2


@respx.mock
async def test_bad_token_is_an_auth_error(client: ShopifyClient) -> None:
    respx.post(URL).respond(401, json={"errors": "[API] Invalid API key or access token"})
    with pytest.raises(AuthError):
        await client.query(QUERY)


@respx.mock
async def test_expiring_token_is_refreshed_once_on_401() -> None:
    refreshed: list[str] = []

    async def refresher() -> str:
        refreshed.append("yes")
        return "shpat_new_token_value"

    c = ShopifyClient(BASE, "shpat_old_token_value", refresher=refresher)
    route = respx.post(URL).mock(side_effect=[httpx.Response(401, json={"errors": "expired"}),
                                              httpx.Response(200, json={"data": {"x": 1}})])
    assert await c.query(QUERY) == {"x": 1}
    assert refreshed == ["yes"]
    assert route.calls.last.request.headers["X-Shopify-Access-Token"] == "shpat_new_token_value"


@respx.mock
async def test_too_costly_query_reports_cost_and_limit(client: ShopifyClient) -> None:
    respx.post(URL).respond(200, json={"errors": [{"message": "Query cost is 1752", "extensions": {
        "code": "MAX_COST_EXCEEDED", "cost": 1752, "maxCost": 1000}}]})
    with pytest.raises(QueryTooCostly) as caught:
        await client.query(QUERY)
    assert (caught.value.cost, caught.value.max_cost) == (1752, 1000)


@respx.mock
async def test_missing_scope_says_what_to_do(client: ShopifyClient) -> None:
    respx.post(URL).respond(200, json={"errors": [{"message": "Access denied for orders field.",
                                                   "extensions": {"code": "ACCESS_DENIED"}}]})
    with pytest.raises(ConfigError) as caught:
        await client.query(QUERY)
    assert caught.value.action


@respx.mock
async def test_other_graphql_errors_are_platform_errors(client: ShopifyClient) -> None:
    respx.post(URL).respond(200, json={"errors": [{"message": "Field 'x' doesn't exist on type 'Shop'",
                                                   "extensions": {"code": "undefinedField"}}]})
    with pytest.raises(PlatformError) as caught:
        await client.query(QUERY)
    assert "doesn't exist" in str(caught.value)


@respx.mock
async def test_known_cost_is_waited_for_before_sending(client: ShopifyClient) -> None:
    respx.post(URL).respond(200, json={"data": {"x": 1}, "extensions": _cost(400, 100)})
    await client.query(QUERY)
    await client.query(QUERY)
    waits = client.sleep.waits  # type: ignore[attr-defined]
    assert client.budget.expected_cost("FeedbridgeShop()") == 400
    # 400 points wanted, 100 left, 50 restored per second: about 6 s (less the time the test itself took).
    assert len(waits) == 1 and 5.0 < waits[0] <= 6.0
