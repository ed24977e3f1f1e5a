"""The BigCommerce client's edge: quota headers, 429 waits, retries only where safe, typed errors (respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from feedbridge.errors import AuthError, PlatformError, RetryableError
from feedbridge.http.redaction import redact
from feedbridge.stores.bigcommerce.client import BigCommerceClient

BASE = "https://api.bigcommerce.com"
URL = f"{BASE}/stores/abc123/v3/catalog/products"


def _quota(left: int, reset_ms: int = 12_000) -> dict[str, str]:
    return {"X-Rate-Limit-Requests-Left": str(left), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": "150", "X-Rate-Limit-Time-Window-Ms": "30000"}


class Sleeps:
    """Records the pauses the client asks for instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _client(sleeps: Sleeps, **options: object) -> BigCommerceClient:
    return BigCommerceClient(BASE, "abc123", "token-for-unit-tests", sleep=sleeps, **options)  # type: ignore[arg-type]


@respx.mock
async def test_requests_carry_the_auth_token_and_store_path() -> None:
    route = respx.get(URL).respond(200, json={"data": [], "meta": {}})
    client = _client(Sleeps())
    await client.get_json("/v3/catalog/products")
    assert route.calls.last.request.headers["X-Auth-Token"] == "token-for-unit-tests"
    await client.aclose()


@respx.mock
async def test_pauses_until_the_window_resets_when_the_quota_is_nearly_spent() -> None:
    respx.get(URL).respond(200, json={"data": []}, headers=_quota(left=1, reset_ms=12_000))
    sleeps = Sleeps()
    client = _client(sleeps)
    await client.get_json("/v3/catalog/products")
    assert sleeps.calls == []
    await client.get_json("/v3/catalog/products")
    assert len(sleeps.calls) == 1 and 11.0 < sleeps.calls[0] <= 12.0
    await client.aclose()


@respx.mock
async def test_does_not_pause_while_quota_remains() -> None:
    respx.get(URL).respond(200, json={"data": []}, headers=_quota(left=100))
    sleeps = Sleeps()
    client = _client(sleeps)
    for _ in range(3):
        await client.get_json("/v3/catalog/products")
    assert sleeps.calls == []
    await client.aclose()


@respx.mock
async def test_429_waits_the_reset_time_then_retries() -> None:
    route = respx.get(URL).mock(side_effect=[httpx.Response(429, headers=_quota(left=0, reset_ms=1500)),
                                             httpx.Response(200, json={"data": [1]}, headers=_quota(left=149))])
    sleeps = Sleeps()
    client = _client(sleeps)
    assert await client.get_json("/v3/catalog/products") == {"data": [1]}
    assert route.call_count == 2
    assert any(1.5 <= s <= 1.6 for s in sleeps.calls)
    await client.aclose()


@respx.mock
async def test_endless_429_ends_in_a_retryable_error() -> None:
    respx.get(URL).respond(429, headers=_quota(left=0, reset_ms=10))
    client = _client(Sleeps(), max_rate_waits=3)
    with pytest.raises(RetryableError):
        await client.get_json("/v3/catalog/products")
    await client.aclose()


@respx.mock
async def test_read_is_retried_after_a_5xx() -> None:
    route = respx.get(URL).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"data": []})])
    client = _client(Sleeps())
    await client.get_json("/v3/catalog/products")
    assert route.call_count == 2
    await client.aclose()


@respx.mock
async def test_create_is_never_resent_after_a_5xx_because_the_store_may_have_acted() -> None:
    route = respx.post(f"{BASE}/stores/abc123/v2/orders").respond(504)
    client = _client(Sleeps())
    with pytest.raises(RetryableError):
        await client.send_json("POST", "/v2/orders", {"products": []})
    assert route.call_count == 1
    await client.aclose()


@respx.mock
async def test_create_is_never_resent_after_a_timeout() -> None:
    route = respx.post(f"{BASE}/stores/abc123/v2/orders").mock(side_effect=httpx.ReadTimeout("slow"))
    client = _client(Sleeps())
    with pytest.raises(RetryableError):
        await client.send_json("POST", "/v2/orders", {})
    assert route.call_count == 1
    await client.aclose()


@respx.mock
async def test_create_is_resent_after_a_429_because_the_store_did_nothing() -> None:
    route = respx.post(f"{BASE}/stores/abc123/v2/orders").mock(
        side_effect=[httpx.Response(429, headers=_quota(0, 5)), httpx.Response(200, json={"id": 1})])
    client = _client(Sleeps())
    assert await client.send_json("POST", "/v2/orders", {}) == {"id": 1}
    assert route.call_count == 2
    await client.aclose()


@respx.mock
async def test_refused_token_is_an_auth_error_that_says_to_reconnect() -> None:
    respx.get(URL).respond(401, json={"status": 401, "title": "Unauthorized", "type": "x"})
    client = _client(Sleeps())
    with pytest.raises(AuthError) as caught:
        await client.get_json("/v3/catalog/products")
    assert "Reconnect" in str(caught.value)
    await client.aclose()


@respx.mock
async def test_v3_and_v2_error_bodies_become_platform_errors_with_their_words() -> None:
    respx.post(URL).respond(422, json={"status": 422, "title": "JSON data is missing or invalid",
                                       "type": "x", "errors": {"price": "price is required"}})
    respx.put(f"{BASE}/stores/abc123/v2/orders/5").respond(400, json=[{"status": 400,
                                                                       "message": "The field 'status_id' is invalid."}])
    client = _client(Sleeps())
    with pytest.raises(PlatformError) as v3:
        await client.send_json("POST", "/v3/catalog/products", {})
    assert v3.value.status == 422 and "price is required" in str(v3.value)
    with pytest.raises(PlatformError) as v2:
        await client.send_json("PUT", "/v2/orders/5", {})
    assert "status_id" in str(v2.value)
    await client.aclose()


@respx.mock
async def test_missing_resource_reads_as_none_and_v2_empty_list_as_empty() -> None:
    respx.get(f"{URL}/9").respond(404, json={"status": 404, "title": "Not found", "type": "x"})
    respx.get(f"{BASE}/stores/abc123/v2/orders").respond(204)
    client = _client(Sleeps())
    assert await client.get_json("/v3/catalog/products/9", missing_ok=True) is None
    assert await client.get_json("/v2/orders") == []
    await client.aclose()


@respx.mock
async def test_v3_pages_follow_pagination_meta_to_the_last_page() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        return httpx.Response(200, json={"data": [number], "meta": {"pagination": {"total_pages": 3}}})

    respx.get(URL).mock(side_effect=page)
    client = _client(Sleeps())
    pages = [p async for p in client.v3_pages("/v3/catalog/products", limit=1)]
    assert pages == [[1], [2], [3]]
    await client.aclose()


def test_access_token_is_masked_in_logs() -> None:
    _client(Sleeps())
    assert "token-for-unit-tests" not in redact("sent token-for-unit-tests to the store")


def test_out_of_order_answers_in_one_window_keep_the_lowest_count_left() -> None:
    from feedbridge.stores.bigcommerce.client import RateLimitState

    state = RateLimitState(reserve=1)
    state.update(httpx.Response(200, headers=_quota(left=10, reset_ms=20_000)))
    state.update(httpx.Response(200, headers=_quota(left=12, reset_ms=19_990)))  # an older answer arrives late
    assert state.left == 10
    state.update(httpx.Response(200, headers=_quota(left=149, reset_ms=50_000)))  # the next window
    assert state.left == 149 and state.quota == 150 and state.window_ms == 30_000


@respx.mock
async def test_after_a_reset_the_client_assumes_the_full_quota_and_counts_down() -> None:
    respx.get(URL).respond(200, json={"data": []}, headers={"X-Rate-Limit-Requests-Quota": "3",
                                                             "X-Rate-Limit-Time-Window-Ms": "30000"})
    sleeps = Sleeps()
    client = _client(sleeps)
    client.rate.quota, client.rate.window_ms, client.rate.left = 3, 30_000, 1
    await client.get_json("/v3/catalog/products")  # at the reserve: waits for the window, then counts 3 → 2
    assert len(sleeps.calls) <= 1 and client.rate.left == 2
    await client.get_json("/v3/catalog/products")  # 2 → 1
    await client.get_json("/v3/catalog/products")  # at the reserve again: waits
    assert len(sleeps.calls) >= 1
    await client.aclose()
