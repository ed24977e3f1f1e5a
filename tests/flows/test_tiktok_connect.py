"""A merchant connects a TikTok shop from the dashboard: feedbridge → TikTok's consent page → back with a code."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from feedbridge.db.models import TikTokShop
from feedbridge.runtime import Runtime
from feedbridge.web.app import create_app
from feedbridge_sandbox.core import RunningServer, serve
from tests.integration.web.helpers import Visitor


@pytest.fixture
def connected_app(runtime: Runtime) -> Iterator[tuple[str, RunningServer, dict]]:  # type: ignore[type-arg]
    from feedbridge_sandbox.tiktok import create_sandbox

    sandbox = create_sandbox(seed=False)
    tiktok = serve(sandbox.app)
    manifest = sandbox.manifest(tiktok.url)
    app = serve(create_app(runtime))
    settings = runtime.settings
    settings.tiktok_app_key, settings.tiktok_app_secret = manifest["app_key"], manifest["app_secret"]
    settings.tiktok_service_id = manifest["service_id"]
    settings.tiktok_api_url = settings.tiktok_auth_url = tiktok.url
    settings.public_url = app.url
    yield app.url, tiktok, manifest
    app.stop()
    tiktok.stop()


def test_merchant_connects_a_tiktok_shop_through_the_consent_page(runtime: Runtime, connected_app) -> None:  # type: ignore[no-untyped-def]
    app_url, tiktok, manifest = connected_app
    visitor = Visitor(app_url)
    assert visitor.sign_up("seller@example.com").status_code == 303
    start = visitor.get("/connect/tiktok/start?region=US")
    assert start.status_code == 303
    consent = start.headers["location"]
    assert consent.startswith(f"{tiktok.url}/open/authorize?") and "state=" in consent
    back = httpx.get(consent, follow_redirects=False, timeout=10)  # the seller approves on TikTok
    assert back.status_code == 302 and back.headers["location"].startswith(f"{app_url}/connect/tiktok/callback")
    done = visitor.get(back.headers["location"].removeprefix(app_url))
    assert done.status_code == 303 and done.headers["location"] == "/connections"
    with runtime.sessions() as session:
        shop = session.query(TikTokShop).one()
        tokens = runtime.vault.decrypt(shop.tokens)
    assert shop.shop_id == manifest["shops"][0]["id"] and shop.region == "US" and shop.currency == "USD"
    assert shop.cipher == manifest["shops"][0]["cipher"] and shop.default_warehouse_id
    assert tokens["access_token"] and tokens["access_token"] not in shop.tokens
    assert shop.status == "connected", shop.status_reason
    assert "Sandbox US Shop" in visitor.get("/connections").text


def test_a_forged_state_connects_nothing(runtime: Runtime, connected_app) -> None:  # type: ignore[no-untyped-def]
    app_url, tiktok, _manifest = connected_app
    visitor = Visitor(app_url)
    visitor.sign_up("forger@example.com")
    answer = visitor.get("/connect/tiktok/callback?code=abc&state=forged.state.value.mac")
    assert answer.status_code == 422 and "start the connection again" in answer.text
    declined = visitor.get("/connect/tiktok/callback?code=null&error=auth_denied&state=x")
    assert declined.status_code == 400 and "approve feedbridge" in declined.text
    with runtime.sessions() as session:
        assert session.query(TikTokShop).count() == 0
