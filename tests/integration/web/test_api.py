"""JSON API v1: bearer tokens, store connections with checks, feeds, lists, and one error shape."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from feedbridge.db.models import ApiToken, StoreConnection
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.stores import PLATFORMS
from feedbridge.web.app import create_app
from feedbridge.web.connect import FORMS, CredentialField, PlatformForm
from feedbridge_sandbox.core import serve
from tests.integration.web.helpers import GOOD_TOKEN, Visitor, api, merchant_id, seed_rows


@pytest.fixture
def token(visitor: Visitor) -> str:
    visitor.sign_up("api@example.com", name="API shop")
    return visitor.new_api_token("tests")


@pytest.fixture
def client(web: str, token: str) -> Iterator[httpx.Client]:
    with api(web, token) as http:
        yield http


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert "field" in error and error["field"] == field
    return error  # type: ignore[no-any-return]


def test_the_api_needs_a_bearer_token(web: str) -> None:
    assert_error(httpx.get(f"{web}/api/v1/me"), 401, "unauthorized")
    assert_error(httpx.get(f"{web}/api/v1/me", headers={"Authorization": "Bearer fb_nope"}), 401, "unauthorized")
    assert_error(httpx.get(f"{web}/api/v1/me", headers={"Authorization": "Basic YTpi"}), 401, "unauthorized")


def test_a_token_made_on_the_settings_page_authenticates_the_api(client: httpx.Client, token: str,
                                                                 runtime: Runtime) -> None:
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "api@example.com"
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash != token and token not in row.token_hash and len(row.token_hash) == 64
        assert token.startswith(row.prefix) and row.last_used_at is not None


def test_a_revoked_token_stops_working(client: httpx.Client, web: str) -> None:
    made = client.post("/api/v1/tokens", json={"name": "second"})
    assert made.status_code == 201
    second = made.json()
    with api(web, second["token"]) as other:
        assert other.get("/api/v1/me").status_code == 200
        assert client.delete(f"/api/v1/tokens/{second['id']}").status_code == 204
        assert_error(other.get("/api/v1/me"), 401, "unauthorized")
    listed = [t["name"] for t in client.get("/api/v1/tokens").json()]
    assert listed == ["tests"]
    assert "token" not in client.get("/api/v1/tokens").json()[0]


def test_a_store_is_connected_only_after_it_answers(client: httpx.Client, runtime: Runtime,
                                                    fake_platform: list[dict[str, object]]) -> None:
    refused = client.post("/api/v1/connections", json={
        "platform": "fakeshop", "base_url": "https://fake-outfitters.example",
        "credentials": {"access_token": "wrong", "client_secret": "s"}})
    error = assert_error(refused, 422, "invalid", "access_token")
    assert "refused these credentials" in str(error["message"])
    created = client.post("/api/v1/connections", json={
        "platform": "fakeshop", "base_url": "https://fake-outfitters.example/",
        "credentials": {"access_token": GOOD_TOKEN, "client_secret": "s3cret-value", "ignored": "x"}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Fake Outfitters" and body["currency"] == "USD"
    assert body["base_url"] == "https://fake-outfitters.example"
    assert "credentials" not in body
    assert fake_platform[-1] == {"base_url": "https://fake-outfitters.example", "access_token": GOOD_TOKEN,
                                 "client_secret": "s3cret-value"}
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(StoreConnection)).one()
        assert "s3cret-value" not in row.credentials
        assert runtime.vault.decrypt(row.credentials) == {"access_token": GOOD_TOKEN, "client_secret": "s3cret-value"}
    assert [c["id"] for c in client.get("/api/v1/connections").json()] == [body["id"]]
    again = client.post("/api/v1/connections", json={
        "platform": "fakeshop", "base_url": "https://fake-outfitters.example",
        "credentials": {"access_token": GOOD_TOKEN, "client_secret": "s3cret-value"}})
    assert_error(again, 409, "conflict", "base_url")
    assert client.delete(f"/api/v1/connections/{body['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/connections/{body['id']}"), 404, "not_found")


def test_missing_credentials_and_unknown_platforms_name_the_field(client: httpx.Client) -> None:
    missing = client.post("/api/v1/connections", json={
        "platform": "fakeshop", "base_url": "https://x.example", "credentials": {"access_token": GOOD_TOKEN}})
    assert_error(missing, 422, "invalid", "client_secret")
    unknown = client.post("/api/v1/connections", json={
        "platform": "prestashop", "base_url": "https://x.example", "credentials": {}})
    assert_error(unknown, 422, "invalid", "platform")
    no_body = client.post("/api/v1/connections", json={"platform": "fakeshop"})
    assert_error(no_body, 422, "invalid", "credentials")


def test_a_platform_whose_connector_is_missing_is_a_config_error(client: httpx.Client,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PLATFORMS, "ghost", "feedbridge.stores.ghost_platform.adapter:GhostAdapter")
    monkeypatch.setitem(FORMS, "ghost", PlatformForm("ghost", "Ghost", "URL", "", (CredentialField("key", "Key"),),
                                                     (("key",),)))
    response = client.post("/api/v1/connections", json={
        "platform": "ghost", "base_url": "https://ghost.example", "credentials": {"key": "k"}})
    error = assert_error(response, 400, "config_error")
    assert "not installed" in str(error["message"])


def test_private_store_addresses_are_refused_outside_sandbox_mode(runtime: Runtime, token: str,
                                                                  fake_platform: list[dict[str, object]]) -> None:
    strict = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update={"sandbox_mode": False}))
    server = serve(create_app(strict))
    try:
        with api(server.url, token) as http:
            response = http.post("/api/v1/connections", json={
                "platform": "fakeshop", "base_url": "http://127.0.0.1:9/",
                "credentials": {"access_token": GOOD_TOKEN, "client_secret": "s"}})
        error = assert_error(response, 422, "invalid", "base_url")
        assert "private address" in str(error["message"])
        assert fake_platform == []
    finally:
        server.stop()


def test_feeds_flag_a_currency_mismatch_until_an_exchange_rate_is_given(client: httpx.Client,
                                                                        runtime: Runtime) -> None:
    me = merchant_id(runtime, "api@example.com")
    ids = seed_rows(runtime, me, "Mine")
    second = seed_rows(runtime, me, "Other")
    created = client.post("/api/v1/feeds", json={"store_connection_id": ids["store"],
                                                 "tiktok_shop_id": second["shop"]})
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "currency_mismatch"
    assert "USD" in created.json()["status_reason"] and "GBP" in created.json()["status_reason"]
    with_rate = client.post("/api/v1/feeds", json={"store_connection_id": second["store"],
                                                   "tiktok_shop_id": ids["shop"], "exchange_rate": "0.79"})
    assert with_rate.status_code == 201 and with_rate.json()["status"] == "active"
    assert with_rate.json()["exchange_rate"] == "0.79"
    duplicate = client.post("/api/v1/feeds", json={"store_connection_id": ids["store"],
                                                   "tiktok_shop_id": second["shop"]})
    assert_error(duplicate, 409, "conflict", "tiktok_shop_id")
    bad_rate = client.post("/api/v1/feeds", json={"store_connection_id": ids["store"],
                                                  "tiktok_shop_id": ids["shop"], "exchange_rate": "-2"})
    assert bad_rate.status_code in (409, 422)
    of_store = client.get("/api/v1/feeds", params={"store_connection_id": ids["store"]}).json()
    assert sorted(f["tiktok_shop_id"] for f in of_store) == sorted([ids["shop"], second["shop"]])
    assert client.delete(f"/api/v1/feeds/{created.json()['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/feeds/{created.json()['id']}"), 404, "not_found")


def test_a_bad_exchange_rate_names_the_field(client: httpx.Client, runtime: Runtime) -> None:
    me = merchant_id(runtime, "api@example.com")
    first, second = seed_rows(runtime, me, "One"), seed_rows(runtime, me, "Two")
    response = client.post("/api/v1/feeds", json={"store_connection_id": first["store"],
                                                  "tiktok_shop_id": second["shop"], "exchange_rate": "abc"})
    assert_error(response, 422, "invalid", "exchange_rate")


def test_listings_orders_and_activity_filter_and_page(client: httpx.Client, runtime: Runtime) -> None:
    me = merchant_id(runtime, "api@example.com")
    ids = seed_rows(runtime, me, "Lists")
    failed = client.get("/api/v1/listings", params={"status": "failed_to_sync"}).json()
    assert [item["id"] for item in failed["items"]] == [ids["listing"]]
    assert failed["items"][0]["reason"] == "Lists title too long" and failed["next_offset"] is None
    assert client.get("/api/v1/listings", params={"status": "live"}).json()["items"] == []
    assert client.get(f"/api/v1/listings/{ids['listing']}").json()["title"] == "Lists listing"
    orders = client.get("/api/v1/orders", params={"sync_state": "failed"}).json()
    assert [item["tiktok_order_id"] for item in orders["items"]] == ["Lists-order"]
    assert client.get("/api/v1/orders", params={"sync_state": "created"}).json()["items"] == []
    assert client.get(f"/api/v1/orders/{ids['order']}").json()["reason"] == "Lists sku not linked"
    first_page = client.get("/api/v1/activity", params={"limit": 1}).json()
    assert len(first_page["items"]) == 1 and first_page["next_before"] is not None
    rest = client.get("/api/v1/activity", params={"before": first_page["next_before"], "limit": 200}).json()
    everything = client.get("/api/v1/activity", params={"limit": 200}).json()["items"]
    assert [a["id"] for a in everything] == [first_page["items"][0]["id"]] + [a["id"] for a in rest["items"]]
    assert [a["id"] for a in everything] == sorted((a["id"] for a in everything), reverse=True)
    errors = client.get("/api/v1/activity", params={"level": "error"}).json()["items"]
    assert [a["message"] for a in errors] == ["Lists activity entry"]
    assert_error(client.get("/api/v1/activity", params={"level": "loud"}), 422, "invalid", "level")


def test_every_error_has_the_same_shape(client: httpx.Client, web: str, visitor: Visitor) -> None:
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v1/listings/999999"), 404, "not_found")
    assert_error(client.get("/api/v1/listings/abc"), 422, "invalid", "listing_id")
    assert_error(client.get("/api/v1/orders", params={"limit": 0}), 422, "invalid", "limit")
    assert_error(client.post("/api/v1/tokens", content=b"{not json", headers={"content-type": "application/json"}),
                 422, "invalid")
    assert_error(client.put("/api/v1/me"), 405, "method_not_allowed")
    forbidden = visitor.http.post("/settings/tokens", data={"name": "x"}, headers={"Accept": "application/json"})
    assert_error(forbidden, 403, "csrf_failed")


def test_the_openapi_document_describes_api_v1_with_response_models(web: str) -> None:
    doc = httpx.get(f"{web}/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/v1/me", "/api/v1/connections", "/api/v1/connections/{connection_id}", "/api/v1/feeds",
                 "/api/v1/activity", "/api/v1/listings", "/api/v1/orders", "/api/v1/tokens",
                 "/api/v1/tokens/{token_id}"):
        assert path in paths, path
    ok = paths["/api/v1/listings"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ListingPage"}
    missing = paths["/api/v1/me"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert missing == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    assert not any(path.startswith(("/settings", "/login", "/connections")) for path in paths)
