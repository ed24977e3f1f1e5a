"""The Magento client's edge: searchCriteria parameters and typed errors from Magento's error answers."""

from __future__ import annotations

import httpx
import pytest
import respx

from feedbridge.errors import AuthError, PlatformError, RetryableError
from feedbridge.stores.magento.client import MagentoClient, error_message
from feedbridge.stores.magento.search import SearchCriteria

BASE = "https://shop.test"
CREDS = {"bearer_token": "token-abcdef"}


def test_search_criteria_uses_the_schema_spelling_and_ands_groups() -> None:
    criteria = SearchCriteria(page_size=10, current_page=2).where("sku", ["A", "B"], "in").where("status", 1)
    criteria.sort = [("entity_id", "ASC")]
    assert criteria.params() == [
        ("searchCriteria[filterGroups][0][filters][0][field]", "sku"),
        ("searchCriteria[filterGroups][0][filters][0][value]", "A,B"),
        ("searchCriteria[filterGroups][0][filters][0][conditionType]", "in"),
        ("searchCriteria[filterGroups][1][filters][0][field]", "status"),
        ("searchCriteria[filterGroups][1][filters][0][value]", "1"),
        ("searchCriteria[filterGroups][1][filters][0][conditionType]", "eq"),
        ("searchCriteria[sortOrders][0][field]", "entity_id"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[pageSize]", "10"),
        ("searchCriteria[currentPage]", "2"),
    ]


def test_error_message_fills_positional_and_named_placeholders() -> None:
    assert error_message({"message": "No %1 in %2", "parameters": ["sku", "cart"]}, "") == "No sku in cart"
    assert error_message({"message": "Cannot access %resources.", "parameters": {"resources": "X::y"}}, "") == (
        "Cannot access X::y.")
    assert error_message("oops", "fallback") == "fallback"


@respx.mock
async def test_unauthorized_answer_is_an_auth_error_telling_how_to_reconnect() -> None:
    respx.get(f"{BASE}/rest/default/V1/orders/1").mock(return_value=httpx.Response(
        401, json={"message": "The consumer isn't authorized to access %resources.",
                   "parameters": {"resources": "Magento_Sales::actions_view"}}))
    client = MagentoClient(BASE, CREDS)
    with pytest.raises(AuthError) as err:
        await client.get("/V1/orders/1")
    await client.aclose()
    assert "Magento_Sales::actions_view" in str(err.value) and "Integrations" in str(err.value)


@respx.mock
async def test_bad_request_is_a_platform_error_and_missing_is_none_when_allowed() -> None:
    respx.post(f"{BASE}/rest/default/V1/orders").mock(return_value=httpx.Response(
        400, json={"message": '"%fieldName" is required.', "parameters": {"fieldName": "items"}}))
    respx.get(f"{BASE}/rest/default/V1/products/X").mock(return_value=httpx.Response(
        404, json={"message": "The product that was requested doesn't exist.", "parameters": []}))
    client = MagentoClient(BASE, CREDS)
    with pytest.raises(PlatformError) as err:
        await client.post("/V1/orders", {"entity": {}})
    assert err.value.status == 400 and '"items" is required.' in str(err.value)
    assert await client.get("/V1/products/X", allow_404=True) is None
    await client.aclose()


@respx.mock
async def test_write_that_failed_with_5xx_is_retryable_and_not_resent() -> None:
    route = respx.post(f"{BASE}/rest/default/V1/orders").mock(return_value=httpx.Response(504))
    client = MagentoClient(BASE, CREDS)
    with pytest.raises(RetryableError):
        await client.post("/V1/orders", {"entity": {}})
    await client.aclose()
    assert route.call_count == 1


@respx.mock
async def test_rate_limited_read_waits_for_retry_after_then_succeeds() -> None:
    route = respx.get(f"{BASE}/rest/default/V1/store/storeViews").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "Too many", "parameters": []}),
        httpx.Response(200, json=[]),
    ])
    client = MagentoClient(BASE, CREDS)
    assert await client.get("/V1/store/storeViews") == []
    await client.aclose()
    assert route.call_count == 2


@respx.mock
async def test_search_pages_stop_at_total_count_even_when_magento_repeats_the_last_page() -> None:
    page = {"items": [{"id": 1}, {"id": 2}], "total_count": 3}
    last = {"items": [{"id": 3}], "total_count": 3}
    route = respx.get(f"{BASE}/rest/default/V1/products").mock(side_effect=[
        httpx.Response(200, json=page), httpx.Response(200, json=last), httpx.Response(200, json=last)])
    client = MagentoClient(BASE, CREDS)
    pages = [p async for p in client.search_pages("/V1/products", SearchCriteria(), page_size=2)]
    await client.aclose()
    assert [[i["id"] for i in p] for p in pages] == [[1, 2], [3]]
    assert route.call_count == 2
