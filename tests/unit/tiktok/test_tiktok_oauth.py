"""Connecting a shop: signed state, authorization link, code exchange, refresh, token provider, shops."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from feedbridge.errors import DataError
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import TikTokAuthError, TikTokRetryableError
from feedbridge.tiktok.oauth import (
    TokenRefresher,
    Tokens,
    authorization_url,
    authorized_shops,
    check_state,
    exchange_code,
    make_state,
    parse_callback,
    refresh_tokens,
)
from tests.unit.tiktok.clienttools import API_URL, APP_KEY, APP_SECRET, ok
from tests.unit.tiktok.specs import sample_response

AUTH_URL = "https://auth.tiktok.test"
KEY = "state-signing-key-0123456789"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

TOKEN_DATA = {
    "access_token": "ROW_access_abc",
    "access_token_expire_in": 1767873600,  # 2026-01-08 12:00 UTC
    "refresh_token": "ROW_refresh_def",
    "refresh_token_expire_in": 1798718400,
    "open_id": "open-1",
    "seller_name": "Maomao",
    "seller_base_region": "GB",
    "user_type": 0,
    "granted_scopes": ["seller.product.basic", "seller.order.info"],
}


@pytest.fixture
def auth() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=AUTH_URL, assert_all_called=False) as router:
        yield router


def test_state_round_trip_returns_the_merchant() -> None:
    state = make_state(KEY, "merchant-42", now=NOW)
    claims = check_state(KEY, state, now=NOW + timedelta(minutes=5))
    assert claims.merchant_id == "merchant-42"
    assert claims.nonce
    assert claims.expires_at == NOW + timedelta(minutes=30)


def test_each_state_has_its_own_nonce() -> None:
    assert make_state(KEY, "m", now=NOW) != make_state(KEY, "m", now=NOW)


@pytest.mark.parametrize("position", [0, 1, 2])
def test_tampered_state_is_refused(position: int) -> None:
    parts = make_state(KEY, "merchant-42", now=NOW).split(".")
    parts[position] = parts[position][:-1] + ("A" if parts[position][-1] != "A" else "B")
    with pytest.raises(DataError):
        check_state(KEY, ".".join(parts), now=NOW)


def test_state_signed_with_another_key_is_refused() -> None:
    with pytest.raises(DataError):
        check_state("another-key", make_state(KEY, "m", now=NOW), now=NOW)


def test_expired_state_is_refused() -> None:
    state = make_state(KEY, "m", now=NOW, ttl=timedelta(minutes=10))
    with pytest.raises(DataError, match="expired"):
        check_state(KEY, state, now=NOW + timedelta(minutes=11))


@pytest.mark.parametrize("state", ["", "abc", "a.b.c.d.e"])
def test_malformed_state_is_refused(state: str) -> None:
    with pytest.raises(DataError):
        check_state(KEY, state, now=NOW)


def test_authorization_url_uses_the_us_host_for_us_shops() -> None:
    url = authorization_url("7123", "st.at.e", region_code="US")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "services.tiktokshops.us", "/open/authorize")
    assert parse_qs(parts.query) == {"service_id": ["7123"], "state": ["st.at.e"]}


@pytest.mark.parametrize("code", ["GB", "UK", "SG", "VN", "TH", "MY", "ID", "PH"])
def test_authorization_url_uses_the_global_host_elsewhere(code: str) -> None:
    assert authorization_url("7123", "s", region_code=code).startswith("https://services.tiktokshop.com/open/authorize?")


def test_authorization_url_needs_a_service_id() -> None:
    with pytest.raises(DataError):
        authorization_url("", "s")


def test_callback_returns_code_and_verified_merchant() -> None:
    state = make_state(KEY, "merchant-7", now=NOW)
    result = parse_callback({"code": "auth-code-1", "state": state}, KEY, now=NOW)
    assert result.auth_code == "auth-code-1"
    assert result.claims is not None and result.claims.merchant_id == "merchant-7"


def test_callback_when_merchant_declined_raises_auth_error() -> None:
    with pytest.raises(TikTokAuthError):
        parse_callback({"code": "null", "error": "auth_denied", "state": make_state(KEY, "m")}, KEY)


def test_callback_without_state_is_refused_unless_allowed() -> None:
    with pytest.raises(DataError):
        parse_callback({"code": "c"}, KEY)
    assert parse_callback({"code": "c"}, KEY, allow_missing_state=True).claims is None


async def test_code_is_exchanged_for_tokens_with_expiries_as_datetimes(auth: respx.MockRouter) -> None:
    route = auth.get("/api/v2/token/get").mock(return_value=ok(TOKEN_DATA))
    tokens = await exchange_code(AUTH_URL, APP_KEY, APP_SECRET, "auth-code-1")
    params = route.calls.last.request.url.params
    assert dict(params) == {
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": "auth-code-1", "grant_type": "authorized_code"
    }
    assert tokens.access_token == "ROW_access_abc"
    assert tokens.refresh_token == "ROW_refresh_def"
    assert tokens.access_token_expires_at == datetime(2026, 1, 8, 12, 0, tzinfo=UTC)
    assert tokens.refresh_token_expires_at == datetime.fromtimestamp(1798718400, UTC)
    assert tokens.seller_base_region == "GB"
    assert tokens.granted_scopes == ("seller.product.basic", "seller.order.info")


async def test_refresh_uses_the_refresh_grant(auth: respx.MockRouter) -> None:
    route = auth.get("/api/v2/token/refresh").mock(return_value=ok(TOKEN_DATA))
    await refresh_tokens(AUTH_URL, APP_KEY, APP_SECRET, "ROW_refresh_def")
    params = route.calls.last.request.url.params
    assert (params["grant_type"], params["refresh_token"]) == ("refresh_token", "ROW_refresh_def")


async def test_refused_code_raises_auth_error_with_tiktok_details(auth: respx.MockRouter) -> None:
    auth.get("/api/v2/token/get").mock(
        return_value=httpx.Response(200, json={"code": 36004004, "message": "invalid auth_code", "request_id": "R1"})
    )
    with pytest.raises(TikTokAuthError) as info:
        await exchange_code(AUTH_URL, APP_KEY, APP_SECRET, "used-code")
    assert (info.value.code, info.value.request_id) == (36004004, "R1")


async def test_rate_limited_token_call_stays_retryable(auth: respx.MockRouter) -> None:
    auth.get("/api/v2/token/refresh").mock(
        return_value=httpx.Response(429, json={"code": 36009002, "message": "Too many requests"})
    )
    with pytest.raises(TikTokRetryableError):
        await refresh_tokens(AUTH_URL, APP_KEY, APP_SECRET, "r")


def test_tokens_without_access_token_are_refused() -> None:
    with pytest.raises(DataError):
        Tokens.from_payload({"refresh_token": "r", "access_token_expire_in": 1, "refresh_token_expire_in": 1})


def test_access_expiry_check_uses_a_margin() -> None:
    tokens = Tokens.from_payload(TOKEN_DATA)
    expiry = tokens.access_token_expires_at
    assert tokens.access_expires_within(timedelta(days=1), now=expiry - timedelta(hours=12))
    assert not tokens.access_expires_within(timedelta(days=1), now=expiry - timedelta(days=2))


async def test_refresher_stores_new_tokens_and_shares_one_refresh(auth: respx.MockRouter) -> None:
    route = auth.get("/api/v2/token/refresh").mock(
        return_value=ok({**TOKEN_DATA, "access_token": "ROW_access_new", "refresh_token": "ROW_refresh_new"})
    )
    saved: list[Tokens] = []

    async def on_refresh(tokens: Tokens) -> None:
        saved.append(tokens)

    refresher = TokenRefresher(AUTH_URL, APP_KEY, APP_SECRET, Tokens.from_payload(TOKEN_DATA), on_refresh=on_refresh)
    assert await refresher.refresh() == "ROW_access_new"
    assert await refresher.refresh() == "ROW_access_new"
    assert route.call_count == 1
    assert [t.refresh_token for t in saved] == ["ROW_refresh_new"]
    assert route.calls.last.request.url.params["refresh_token"] == "ROW_refresh_def"


async def test_authorized_shops_come_with_their_cipher() -> None:
    sample = sample_response("GET", "/authorization/202309/shops")
    with respx.mock(base_url=API_URL) as api:
        api.get("/authorization/202309/shops").mock(return_value=httpx.Response(200, json=sample))
        async with TikTokClient(API_URL, APP_KEY, APP_SECRET, access_token="t-abcdef", shop_cipher="") as client:
            shops = await authorized_shops(client)
    assert [(s.id, s.region, s.cipher) for s in shops] == [
        ("7000714532876273420", "GB", "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3")
    ]
