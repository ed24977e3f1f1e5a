"""Installing through OAuth against the sandbox: authorize, HMAC-checked callback, code → offline token, refresh."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from feedbridge.errors import AuthError, ConfigError, DataError
from feedbridge.stores.shopify import oauth
from feedbridge.stores.shopify.adapter import ShopifyAdapter
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shopify import ShopifySandbox, create_sandbox


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[ShopifySandbox, RunningServer]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        yield sandbox, server
    finally:
        server.stop()


async def _callback(sandbox: ShopifySandbox, server: RunningServer, state: str) -> dict[str, str]:
    url = oauth.authorize_url("feedbridge-sandbox.myshopify.com", sandbox.server.app_install.client_id,
                              "https://feedbridge.example/shopify/callback", state, base_url=server.url)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 302
    return dict(parse_qsl(urlsplit(response.headers["location"]).query))


async def test_install_exchanges_a_verified_code_for_a_working_offline_token(running) -> None:
    sandbox, server = running
    params = await _callback(sandbox, server, "state-123")
    assert oauth.verify_callback(params, sandbox.client_secret, "state-123")
    token = await oauth.exchange_code(server.url, sandbox.server.app_install.client_id, sandbox.client_secret,
                                      params["code"])
    assert token.refresh_token is None and token.expires_at is None
    adapter = ShopifyAdapter(server.url, token.credentials(sandbox.client_secret))
    try:
        assert (await adapter.store_info()).currency == "USD"
    finally:
        await adapter.aclose()


async def test_callback_with_altered_parameters_or_state_is_refused(running) -> None:
    sandbox, server = running
    params = await _callback(sandbox, server, "state-abc")
    assert not oauth.verify_callback({**params, "shop": "evil.myshopify.com"}, sandbox.client_secret, "state-abc")
    assert not oauth.verify_callback(params, sandbox.client_secret, "another-state")
    assert not oauth.verify_callback(params, "wrong-secret", "state-abc")


async def test_a_code_is_used_once(running) -> None:
    sandbox, server = running
    params = await _callback(sandbox, server, "s")
    client_id = sandbox.server.app_install.client_id
    await oauth.exchange_code(server.url, client_id, sandbox.client_secret, params["code"])
    with pytest.raises(AuthError):
        await oauth.exchange_code(server.url, client_id, sandbox.client_secret, params["code"])


async def test_expiring_token_is_refreshed_by_the_adapter_when_refused(running) -> None:
    sandbox, server = running
    params = await _callback(sandbox, server, "s2")
    client_id = sandbox.server.app_install.client_id
    token = await oauth.exchange_code(server.url, client_id, sandbox.client_secret, params["code"], expiring=True)
    assert token.refresh_token and token.expires_at
    sandbox.server.app_install.access_tokens.pop(token.access_token)  # the token expired / was revoked
    saved: list[oauth.OfflineToken] = []
    adapter = ShopifyAdapter(server.url, token.credentials(sandbox.client_secret, client_id),
                             on_token_refresh=saved.append)
    try:
        assert (await adapter.store_info()).name
    finally:
        await adapter.aclose()
    assert saved and saved[0].access_token != token.access_token
    with pytest.raises(AuthError):  # the old refresh token was replaced
        await oauth.refresh_access_token(server.url, client_id, sandbox.client_secret, str(token.refresh_token))


def test_authorize_url_asks_for_the_needed_scopes() -> None:
    url = oauth.authorize_url("my-shop.myshopify.com", "cid", "https://fb.example/cb", "st")
    query = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("https://my-shop.myshopify.com/admin/oauth/authorize?")
    assert set(query["scope"].split(",")) == set(oauth.SCOPES)


def test_authorize_url_refuses_a_host_that_is_not_a_shop() -> None:
    with pytest.raises(DataError):
        oauth.authorize_url("evil.example.com", "cid", "https://fb.example/cb", "st")


async def test_a_token_without_order_scopes_gets_a_config_error_naming_the_fix(running) -> None:
    sandbox, server = running
    url = oauth.authorize_url("feedbridge-sandbox.myshopify.com", sandbox.server.app_install.client_id,
                              "https://feedbridge.example/cb", "s3", scopes=("read_products",), base_url=server.url)
    async with httpx.AsyncClient() as client:
        params = dict(parse_qsl(urlsplit((await client.get(url)).headers["location"]).query))
    token = await oauth.exchange_code(server.url, sandbox.server.app_install.client_id, sandbox.client_secret,
                                      params["code"])
    assert token.scope == "read_products"
    adapter = ShopifyAdapter(server.url, token.credentials(sandbox.client_secret))
    try:
        assert (await adapter.store_info()).currency == "USD"  # shop needs no scope
        with pytest.raises(ConfigError) as caught:
            await adapter.find_order("576912345")
        assert "scopes" in str(caught.value.action)
    finally:
        await adapter.aclose()
