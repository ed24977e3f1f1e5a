"""Tenant isolation: merchant B reaches none of merchant A's rows through any page or API route of the app.

The routes are enumerated from the app itself, so a new route with an id in its path is covered (or the test
fails asking for the id it takes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from feedbridge.db.models import (
    ApiToken,
    Binding,
    CarrierMapping,
    CategoryMapping,
    Intent,
    StoreConnection,
    StoreFeed,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.web.app import create_app
from tests.integration.web.helpers import GOOD_TOKEN, Visitor, api, merchant_id, seed_rows

MARKER = "Alpha"
A_EMAIL = "alpha-owner@example.com"
# Routes without an id in the path that change state: what each one does to other merchants (nothing).
PARAMLESS_WRITES = {
    ("POST", "/signup"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/settings/tokens"),
    ("POST", "/settings/password"), ("POST", "/connect/store"), ("POST", "/api/v1/connections"),
    ("POST", "/api/v1/feeds"),
    ("POST", "/api/v1/tokens"),
}
SKIPPED_PREFIXES = ("/static", "/openapi.json", "/api/docs", "/docs", "/redoc", "/healthz", "/webhooks")


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, included routers flattened."""
    try:
        from fastapi.routing import iter_route_contexts
        routes: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # FastAPI versions that flatten included routers themselves
        routes = app.routes
    found = []
    for route in routes:
        path = getattr(route, "path", None)
        if not path or path.startswith(SKIPPED_PREFIXES):
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append((method, path))
    return found


@pytest.fixture
def alpha(runtime: Runtime, web: str) -> Iterator[dict[str, Any]]:
    """Merchant A with one of everything, logged in, with an API token."""
    owner = Visitor(web)
    owner.sign_up(A_EMAIL, name=f"{MARKER} Ltd")
    token = owner.new_api_token(f"{MARKER} token")
    ids: dict[str, Any] = seed_rows(runtime, merchant_id(runtime, A_EMAIL), MARKER)
    ids.update(category="600001", attribute="100107")
    with transaction(runtime.sessions) as session:
        ids["token"] = session.scalars(select(ApiToken.id).where(ApiToken.name == f"{MARKER} token")).one()
    yield {"ids": ids, "token": token, "visitor": owner}
    owner.close()


@pytest.fixture
def bravo(web: str, runtime: Runtime) -> Iterator[tuple[Visitor, httpx.Client]]:
    """Merchant B, logged in, with an API token and rows of their own."""
    visitor = Visitor(web)
    visitor.sign_up("bravo@example.com", name="Bravo")
    token = visitor.new_api_token("bravo token")
    seed_rows(runtime, merchant_id(runtime, "bravo@example.com"), "Bravo")
    with api(web, token) as client:
        yield visitor, client
    visitor.close()


def _leaks(response: httpx.Response) -> bool:
    return MARKER in response.text or A_EMAIL in response.text


def _fill(path: str, ids: dict[str, int]) -> str:
    names = {"connection_id": "store", "feed_id": "feed", "listing_id": "listing", "order_id": "order",
             "token_id": "token", "intent_id": "intent", "shop_id": "shop", "mapping_id": "mapping",
             "binding_id": "binding", "run_id": "run", "carrier_id": "carrier", "category_id": "category",
             "attribute_id": "attribute"}

    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in names, f"{path}: add the path parameter {name!r} to the tenant-isolation test"
        return str(ids[names[name]])

    return re.sub(r"\{([^}]+)\}", one, path)


def _page_body(path: str, ids: dict[str, int]) -> dict[str, Any]:
    return {"shop": str(ids["shop"]), "base_url": "https://fake-outfitters.example",
            "access_token": GOOD_TOKEN, "client_secret": "s", "platform": "fakeshop", "name": "x"}


# Valid bodies of the API routes that take one, so a refusal can only come from ownership (404), not validation.
API_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/feeds/{feed_id}/mappings": {"scope": "product", "store_ref": "p1", "tiktok_category_id": "600001"},
    "/api/v1/feeds/{feed_id}/attribute-defaults/{attribute_id}": {"values": ["Cotton"]},
    "/api/v1/feeds/{feed_id}/sync": {"product_ids": ["p1"]},
    "/api/v1/feeds/{feed_id}/links": {"store_product_id": "p1", "store_variant_id": "v1", "tiktok_product_id": "t1",
                                      "tiktok_sku_id": "s1"},
    "/api/v1/feeds/{feed_id}/links/auto": {"enabled": True},
    "/api/v1/feeds/{feed_id}/rules": {"price": {"percent": "10"}},
    "/api/v1/shops/{shop_id}/settings": {"order_create_when": "at_once"},
    "/api/v1/shops/{shop_id}/carriers": {"store_carrier": "Royal Mail", "provider_id": ""},
}


def _api_body(path: str, ids: dict[str, int]) -> dict[str, Any] | None:
    if path == "/api/v1/feeds":
        return {"store_connection_id": ids["store"], "tiktok_shop_id": ids["shop"]}
    return API_BODIES.get(path)


def test_merchant_b_cannot_read_or_change_merchant_a_rows_on_any_route(
        runtime: Runtime, web: str, alpha: dict[str, Any], bravo: tuple[Visitor, httpx.Client]) -> None:
    visitor, client = bravo
    ids = alpha["ids"]
    routes = app_routes(create_app(runtime))
    assert ("GET", "/api/v1/connections/{connection_id}") in routes and ("POST", "/connections/{connection_id}/delete") in routes
    tried = 0
    for method, template in routes:
        path = _fill(template, ids)
        has_id = path != template
        is_api = template.startswith("/api/")
        if method == "GET":
            response = client.get(path) if is_api else visitor.get(path)
            if has_id:
                assert response.status_code == 404, (method, template, response.status_code)
            else:
                assert response.status_code in (200, 303, 400, 422), (method, template, response.status_code)
            assert not _leaks(response), (method, template)
            tried += 1
            continue
        if not has_id and (method, template) not in PARAMLESS_WRITES:
            raise AssertionError(f"{method} {template}: say in PARAMLESS_WRITES why it cannot touch another "
                                 "merchant's rows, or give it an id")
        if not has_id and template != "/api/v1/feeds":
            continue
        if is_api:
            body = _api_body(template, ids)
            response = client.request(method, path, json=body) if body is not None else client.request(method, path)
        else:
            visitor.get("/settings")
            response = visitor.post(path, _page_body(template, ids))
        assert response.status_code == 404, (method, template, response.status_code, response.text[:300])
        assert not _leaks(response), (method, template)
        tried += 1
    assert tried >= 70

    # Query parameters pointing at A's rows show nothing of A's either.
    assert client.get("/api/v1/feeds", params={"store_connection_id": ids["store"]}).json() == []
    assert not _leaks(client.get("/api/v1/activity", params={"before": ids["activity"] + 1000}))
    assert not _leaks(visitor.get(f"/activity?before={ids['activity'] + 1000}"))
    # B's own store cannot be made to feed A's shop.
    own_store = client.get("/api/v1/connections").json()[0]["id"]
    visitor.get(f"/connections/{own_store}")
    response = visitor.post(f"/connections/{own_store}/feeds", {"shop": str(ids["shop"])})
    assert response.status_code == 404
    assert client.post("/api/v1/feeds", json={"store_connection_id": own_store,
                                              "tiktok_shop_id": ids["shop"]}).status_code == 404

    # A's rows are all still there and A still sees them.
    with transaction(runtime.sessions) as session:
        assert session.get(StoreConnection, ids["store"]) is not None
        assert session.get(StoreFeed, ids["feed"]) is not None
        assert session.get(TikTokShop, ids["shop"]) is not None
        token = session.get(ApiToken, ids["token"])
        assert token is not None and token.revoked_at is None
        intent = session.get(Intent, ids["intent"])
        assert intent is not None and intent.state == "failed"
        assert session.get(CategoryMapping, ids["mapping"]) is not None
        assert session.get(Binding, ids["binding"]) is not None
        assert session.get(CarrierMapping, ids["carrier"]) is not None
        assert session.get(TikTokShop, ids["shop"]).settings == {}  # type: ignore[union-attr]
        feed = session.get(StoreFeed, ids["feed"])
        assert feed is not None and feed.rules == {}
        assert session.scalars(select(Intent).where(Intent.merchant_id == merchant_id(runtime, A_EMAIL),
                                                    Intent.id != ids["intent"])).all() == []
    with api(web, alpha["token"]) as owner_api:
        assert owner_api.get(f"/api/v1/connections/{ids['store']}").status_code == 200
        assert owner_api.get(f"/api/v1/listings/{ids['listing']}").json()["title"] == f"{MARKER} listing"
        assert owner_api.get(f"/api/v1/orders/{ids['order']}").status_code == 200
    assert MARKER in alpha["visitor"].get("/").text


def test_list_pages_and_endpoints_show_only_the_merchants_own_rows(
        alpha: dict[str, Any], bravo: tuple[Visitor, httpx.Client]) -> None:
    visitor, client = bravo
    for path in ("/", "/connections", "/listings", "/orders", "/activity", "/link", "/carriers", "/mapping",
                 "/products", "/settings", "/onboarding", f"/mapping?feed={alpha['ids']['feed']}",
                 f"/products?feed={alpha['ids']['feed']}", f"/link?feed={alpha['ids']['feed']}",
                 f"/carriers?shop={alpha['ids']['shop']}", f"/products?run={alpha['ids']['run']}"):
        page = visitor.get(path)
        assert page.status_code == (404 if "=" in path else 200), path
        assert not _leaks(page), path
    assert "Bravo listing" in visitor.get("/listings").text
    assert "Bravo Tops &gt; Tees" in visitor.get("/mapping").text
    assert "Bravo wrong size" in visitor.get("/").text
    for path in ("/api/v1/connections", "/api/v1/feeds", "/api/v1/shops", "/api/v1/listings", "/api/v1/orders",
                 "/api/v1/activity", "/api/v1/tokens", "/api/v1/me", "/api/v1/after-sales"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _leaks(response), path
    assert [o["tiktok_order_id"] for o in client.get("/api/v1/orders").json()["items"]] == ["Bravo-order"]
