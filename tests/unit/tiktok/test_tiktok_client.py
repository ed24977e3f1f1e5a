"""The TikTok client at its HTTP edge (respx): signing, headers, refresh, retries, pagination, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from feedbridge.errors import AuthError, DataError, PlatformError, RetryableError
from feedbridge.http import retry
from feedbridge.tiktok.client import TikTokClient, encode_json
from feedbridge.tiktok.errors import TikTokAuthError, TikTokError, TikTokRetryableError
from tests.unit.tiktok.clienttools import (
    ACCESS_TOKEN,
    API_URL,
    APP_KEY,
    APP_SECRET,
    SHOP_CIPHER,
    expected_sign,
    fail,
    json_body,
    ok,
)

ORDERS_SEARCH = "/order/202309/orders/search"


class CountingProvider:
    """A token provider that hands out numbered tokens and counts refreshes."""

    def __init__(self) -> None:
        self.calls = 0

    async def refresh(self) -> str:
        self.calls += 1
        return f"access-token-refreshed-{self.calls}"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries wait `backoff(attempt)`; tests need no real waiting to check what is sent.
    monkeypatch.setattr(retry, "backoff", lambda attempt, base=0.25, cap=8.0: 0.0)


@pytest.fixture
def provider() -> CountingProvider:
    return CountingProvider()


@pytest.fixture
async def client(provider: CountingProvider) -> AsyncIterator[TikTokClient]:
    c = TikTokClient(
        API_URL, APP_KEY, APP_SECRET, access_token=ACCESS_TOKEN, shop_cipher=SHOP_CIPHER,
        token_provider=provider, clock=lambda: 1_700_000_000.9,
    )
    yield c
    await c.aclose()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API_URL, assert_all_called=False) as router:
        yield router


async def test_request_carries_app_key_timestamp_sign_and_token_header(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.get("/logistics/202309/warehouses").mock(return_value=ok({"warehouses": [{"id": "w1"}]}))
    assert await client.get_warehouses() == [{"id": "w1"}]
    request = route.calls.last.request
    params = request.url.params
    assert params["app_key"] == APP_KEY
    assert params["timestamp"] == "1700000000"
    assert params["shop_cipher"] == SHOP_CIPHER
    assert params["sign"] == expected_sign(request)
    assert request.headers["x-tts-access-token"] == ACCESS_TOKEN
    assert request.headers["content-type"] == "application/json"
    assert "access_token" not in params


async def test_json_body_sent_is_the_exact_bytes_signed(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.post(ORDERS_SEARCH).mock(return_value=ok({"orders": []}))
    await client.search_orders(order_status="AWAITING_SHIPMENT", update_time_ge=1700000000)
    request = route.calls.last.request
    assert request.content == encode_json({"order_status": "AWAITING_SHIPMENT", "update_time_ge": 1700000000})
    assert request.url.params["sign"] == expected_sign(request)


async def test_non_ascii_body_is_sent_as_utf8_and_signed_as_sent(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.post("/product/202309/categories/recommend").mock(return_value=ok({"leaf_category_id": "1"}))
    await client.recommend_category("Café crème – 500 g")
    request = route.calls.last.request
    assert "Café crème – 500 g".encode() in request.content
    assert request.url.params["sign"] == expected_sign(request)


async def test_auth_endpoint_never_carries_shop_cipher(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.get("/authorization/202309/shops").mock(return_value=ok({"shops": []}))
    await client.get_authorized_shops()
    assert "shop_cipher" not in route.calls.last.request.url.params


async def test_image_upload_is_multipart_and_signed_without_its_body(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.post("/product/202309/images/upload").mock(return_value=ok({"uri": "tos/abc"}))
    assert await client.upload_image(b"\x89PNG fake", use_case="MAIN_IMAGE", filename="a.png") == {"uri": "tos/abc"}
    request = route.calls.last.request
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="data"' in request.content and b"\x89PNG fake" in request.content
    assert b'name="use_case"' in request.content
    params = dict(request.url.params)
    from feedbridge.tiktok.signing import sign

    assert params["sign"] == sign(APP_SECRET, request.url.path, params, b"")
    assert "shop_cipher" not in params


async def test_page_token_with_plus_and_slash_is_signed_decoded_and_sent_encoded(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    token = "6AsPQ/N5M1k+7D1="
    route = api.post(ORDERS_SEARCH).mock(return_value=ok({"orders": []}))
    await client.search_orders(page_token=token)
    request = route.calls.last.request
    assert request.url.params["page_token"] == token
    assert b"6AsPQ%2FN5M1k%2B7D1%3D" in request.url.raw_path
    assert request.url.params["sign"] == expected_sign(request)


async def test_order_ids_are_sent_comma_joined(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.get("/order/202507/orders").mock(return_value=ok({"orders": [{"id": "1"}, {"id": "2"}]}))
    assert len(await client.get_order_detail(["1", "2"])) == 2
    assert route.calls.last.request.url.params["ids"] == "1,2"


async def test_order_detail_is_fetched_fifty_ids_per_call(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.get("/order/202507/orders").mock(return_value=ok({"orders": []}))
    await client.get_order_detail([str(i) for i in range(120)])
    assert [len(c.request.url.params["ids"].split(",")) for c in route.calls] == [50, 50, 20]


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    client: TikTokClient, api: respx.MockRouter, provider: CountingProvider
) -> None:
    route = api.get("/logistics/202309/warehouses").mock(
        side_effect=[fail(105002, "Access token is expired"), ok({"warehouses": [{"id": "w"}]})]
    )
    assert await client.get_warehouses() == [{"id": "w"}]
    assert provider.calls == 1
    first, second = (c.request for c in route.calls)
    assert first.headers["x-tts-access-token"] == ACCESS_TOKEN
    assert second.headers["x-tts-access-token"] == "access-token-refreshed-1"
    assert second.url.params["sign"] == expected_sign(second)
    assert client.access_token == "access-token-refreshed-1"


async def test_token_still_expired_after_refresh_raises_auth_error(
    client: TikTokClient, api: respx.MockRouter, provider: CountingProvider
) -> None:
    api.get("/logistics/202309/warehouses").mock(return_value=fail(105002, "Access token is expired"))
    with pytest.raises(TikTokAuthError) as info:
        await client.get_warehouses()
    assert provider.calls == 1
    assert info.value.code == 105002
    assert isinstance(info.value, AuthError)


async def test_expired_token_without_provider_raises_auth_error(api: respx.MockRouter) -> None:
    api.get("/logistics/202309/warehouses").mock(return_value=fail(105002, "Access token is expired"))
    async with TikTokClient(API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="c") as c:
        with pytest.raises(TikTokAuthError):
            await c.get_warehouses()


async def test_rate_limited_429_is_retried_then_succeeds(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.get("/logistics/202309/warehouses").mock(
        side_effect=[
            fail(36009002, "Too many requests", status=429, **{"Retry-After": "0"}),
            ok({"warehouses": [{"id": "w"}]}),
        ]
    )
    assert await client.get_warehouses() == [{"id": "w"}]
    assert route.call_count == 2


async def test_rate_limit_code_in_a_200_answer_is_retried(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.get("/logistics/202309/warehouses").mock(
        side_effect=[fail(36009002, "Too many requests"), fail(36009003, "Internal error"), ok({"warehouses": []})]
    )
    assert await client.get_warehouses() == []
    assert route.call_count == 3


async def test_each_retry_is_signed_afresh(api: respx.MockRouter) -> None:
    ticks = iter([1_700_000_000.0, 1_700_000_007.0])
    route = api.get("/logistics/202309/warehouses").mock(
        side_effect=[fail(36009003, "Internal error"), ok({"warehouses": []})]
    )
    async with TikTokClient(
        API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="c", clock=lambda: next(ticks)
    ) as c:
        await c.get_warehouses()
    first, second = (call.request for call in route.calls)
    assert (first.url.params["timestamp"], second.url.params["timestamp"]) == ("1700000000", "1700000007")
    assert second.url.params["sign"] == expected_sign(second)


async def test_rate_limit_outlasting_retries_raises_retryable_error(api: respx.MockRouter) -> None:
    route = api.get("/logistics/202309/warehouses").mock(
        return_value=fail(36009002, "Too many requests", status=429, request_id="rq-429", **{"Retry-After": "0"})
    )
    async with TikTokClient(
        API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="c", max_attempts=3
    ) as c:
        with pytest.raises(TikTokRetryableError) as info:
            await c.get_warehouses()
    assert route.call_count == 3
    error = info.value
    assert isinstance(error, RetryableError) and isinstance(error, PlatformError)
    assert (error.code, error.request_id, error.status) == (36009002, "rq-429", 429)
    assert error.delay is not None


async def test_other_error_code_raises_typed_error_with_code_message_and_request_id(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.post("/product/202309/products").mock(
        return_value=fail(12052051, "Title length exceeds the limit", request_id="2024RQ99")
    )
    with pytest.raises(TikTokError) as info:
        await client.create_product({"title": "x" * 300})
    error = info.value
    assert route.call_count == 1  # not retried
    assert not isinstance(error, RetryableError | AuthError)
    assert error.code == 12052051
    assert error.message == "Title length exceeds the limit"
    assert error.request_id == "2024RQ99"
    assert error.platform == "tiktok"
    assert "Shorten the product title" in str(error)
    assert "2024RQ99" in str(error)


async def test_signature_rejected_with_http_401_is_a_platform_error_naming_the_code(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    api.get("/logistics/202309/warehouses").mock(return_value=fail(106001, "Invalid signature", status=401))
    with pytest.raises(TikTokError) as info:
        await client.get_warehouses()
    assert (info.value.code, info.value.status) == (106001, 401)


async def test_answer_without_json_raises_typed_error(client: TikTokClient, api: respx.MockRouter) -> None:
    api.get("/logistics/202309/warehouses").mock(return_value=httpx.Response(404, text="not found"))
    with pytest.raises(TikTokError) as info:
        await client.get_warehouses()
    assert info.value.status == 404


async def test_pagination_follows_next_page_token_to_the_end(client: TikTokClient, api: respx.MockRouter) -> None:
    pages = {
        None: ok({"orders": [{"id": "1"}, {"id": "2"}], "next_page_token": "p2", "total_count": 5}),
        "p2": ok({"orders": [{"id": "3"}, {"id": "4"}], "next_page_token": "p3", "total_count": 5}),
        "p3": ok({"orders": [{"id": "5"}], "next_page_token": "", "total_count": 5}),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return pages[request.url.params.get("page_token")]

    route = api.post(ORDERS_SEARCH).mock(side_effect=answer)
    ids = [order["id"] async for order in client.iter_orders(page_size=2, order_status="AWAITING_SHIPMENT")]
    assert ids == ["1", "2", "3", "4", "5"]
    assert route.call_count == 3
    assert all(c.request.url.params["page_size"] == "2" for c in route.calls)
    assert all(json_body(c.request) == {"order_status": "AWAITING_SHIPMENT"} for c in route.calls)


async def test_pagination_stops_when_next_page_token_is_absent(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.post("/product/202502/products/search").mock(return_value=ok({"products": [{"id": "p"}]}))
    assert [p["id"] async for p in client.iter_products()] == ["p"]
    assert route.call_count == 1


async def test_pagination_refuses_a_repeated_page_token(client: TikTokClient, api: respx.MockRouter) -> None:
    api.post(ORDERS_SEARCH).mock(return_value=ok({"orders": [{"id": "1"}], "next_page_token": "same"}))
    with pytest.raises(DataError):
        _ = [o async for o in client.iter_orders()]


async def test_batch_product_actions_go_twenty_ids_per_call_and_merge_errors(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.post("/product/202309/products/deactivate").mock(
        side_effect=[ok({"errors": [{"code": 1, "detail": {"product_id": "3"}}]}), ok({})]
    )
    result = await client.deactivate_products([str(i) for i in range(25)])
    assert [len(json_body(c.request)["product_ids"]) for c in route.calls] == [20, 5]
    assert result == {"errors": [{"code": 1, "detail": {"product_id": "3"}}]}


async def test_delete_products_sends_a_json_body_with_delete(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.delete("/product/202309/products").mock(return_value=ok({}))
    await client.delete_products(["9"])
    assert json_body(route.calls.last.request) == {"product_ids": ["9"]}


async def test_path_ids_are_escaped_so_they_cannot_change_the_path(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.get(url__regex=r"/product/202309/products/.*").mock(return_value=ok({"id": "x"}))
    await client.get_product("1/../../x")
    assert route.calls.last.request.url.raw_path.startswith(b"/product/202309/products/1%2F..%2F..%2Fx")


async def test_empty_path_id_is_refused_before_sending(client: TikTokClient, api: respx.MockRouter) -> None:
    with pytest.raises(DataError):
        await client.get_product("  ")


async def test_ship_package_with_own_carrier_sends_self_shipment(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.post("/fulfillment/202309/packages/P1/ship").mock(return_value=ok({}))
    await client.ship_package("P1", tracking_number="1Z999", shipping_provider_id="SP1")
    assert json_body(route.calls.last.request) == {
        "self_shipment": {"tracking_number": "1Z999", "shipping_provider_id": "SP1"}
    }


async def test_client_keeps_secrets_out_of_logs() -> None:
    from feedbridge.http.redaction import redact

    async with TikTokClient(API_URL, APP_KEY, "very-secret-value", access_token="token-value-xyz", shop_cipher="c"):
        pass
    assert "very-secret-value" not in redact("secret very-secret-value token-value-xyz")
    assert "token-value-xyz" not in redact("token-value-xyz")


async def test_create_product_gets_an_idempotency_key_kept_across_retries(
    client: TikTokClient, api: respx.MockRouter
) -> None:
    route = api.post("/product/202309/products").mock(
        side_effect=[fail(36009003, "Internal error"), ok({"product_id": "p1"})]
    )
    assert await client.create_product({"title": "Tee"}) == {"product_id": "p1"}
    keys = [json_body(c.request)["idempotency_key"] for c in route.calls]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]


async def test_caller_idempotency_key_is_kept(client: TikTokClient, api: respx.MockRouter) -> None:
    route = api.post("/product/202309/products").mock(return_value=ok({"product_id": "p1"}))
    await client.create_product({"title": "Tee", "idempotency_key": "mine"})
    assert json_body(route.calls.last.request)["idempotency_key"] == "mine"


async def test_rate_limits_are_kept_per_api_not_per_product(client: TikTokClient, api: respx.MockRouter) -> None:
    api.get(url__regex=r"/product/202309/products/\d+").mock(return_value=ok({"id": "x"}))
    api.get("/logistics/202309/warehouses").mock(return_value=ok({"warehouses": []}))
    await client.get_product("1")
    await client.get_product("2")
    await client.get_warehouses()
    keys = set(client._limits._buckets)  # shared by every client of this shop in the process
    assert {"GET /product/202309/products/{product_id}", "GET /logistics/202309/warehouses"} <= keys
    assert not any(k.endswith(("/1", "/2")) for k in keys)


async def test_each_shop_connection_has_its_own_rate_limits(api: respx.MockRouter) -> None:
    async with (
        TikTokClient(API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="a") as one,
        TikTokClient(API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="b") as two,
    ):
        assert one._limits is not two._limits
        key = "GET /logistics/202309/warehouses"
        assert one._limits.bucket(key) is not two._limits.bucket(key)
        bucket = one._limits.bucket(key)
        # Any one-second window holds at most the bucket size plus one second of refill: TikTok's 50.
        assert bucket.capacity + bucket.rate <= 50
        assert bucket.rate >= 40
