"""JSON API v1 of the flows: mappings, attribute defaults, products and sync runs, retries, links, carriers,
feed rules and shop settings — the caller's own rows only, and every refusal in the one error shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from feedbridge.db.models import Intent, Listing, SyncRun, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from tests.integration.web.helpers import Visitor, api, merchant_id, seed_catalog, seed_rows
from tests.integration.web.test_api import assert_error


@pytest.fixture
def owner(visitor: Visitor, runtime: Runtime, web: str) -> Iterator[tuple[httpx.Client, dict[str, Any]]]:
    """An API client of a merchant with a feed, a cached category tree and two store products."""
    visitor.sign_up("flow-api@example.com")
    token = visitor.new_api_token("flows")
    me = merchant_id(runtime, "flow-api@example.com")
    ids: dict[str, Any] = seed_rows(runtime, me, "Own")
    seed_catalog(runtime, me, ids)
    ids["merchant"] = me
    with api(web, token) as client:
        yield client, ids


def test_mappings_are_created_listed_counted_and_removed(owner: tuple[httpx.Client, dict[str, Any]]) -> None:
    client, ids = owner
    feed = ids["feed"]
    assert [c["category_id"] for c in client.get(f"/api/v1/feeds/{feed}/categories",
                                                 params={"q": "shirts"}).json()] == ["600002", "600001"]
    created = client.post(f"/api/v1/feeds/{feed}/mappings", json={"scope": "product", "store_ref": "p2",
                                                                 "tiktok_category_id": "600002"})
    assert created.status_code == 201
    assert created.json()["tiktok_category_name"] == "Menswear > Shirts"
    assert {m["store_ref"] for m in client.get(f"/api/v1/feeds/{feed}/mappings").json()} == {"c1", "p2"}
    counts = {c["tiktok_category_id"]: c["products"] for c in client.get(f"/api/v1/feeds/{feed}/category-counts").json()}
    assert counts == {"600001": 1, "600002": 1}
    assert client.delete(f"/api/v1/mappings/{created.json()['id']}").status_code == 204
    assert_error(client.delete(f"/api/v1/mappings/{created.json()['id']}"), 404, "not_found")
    assert_error(client.post(f"/api/v1/feeds/{feed}/mappings", json={"scope": "product", "store_ref": "p2",
                                                                    "tiktok_category_id": "600000"}),
                 422, "invalid", "tiktok_category_id")


def test_a_listed_product_cannot_be_remapped_through_the_api(owner: tuple[httpx.Client, dict[str, Any]],
                                                             runtime: Runtime) -> None:
    client, ids = owner
    with transaction(runtime.sessions) as session:
        session.add(Listing(merchant_id=ids["merchant"], feed_id=ids["feed"], store_product_id="p1", title="Tee",
                            tiktok_product_id="tt-9", tiktok_category_id="600001", status="active"))
    error = assert_error(client.post(f"/api/v1/feeds/{ids['feed']}/mappings", json={
        "scope": "product", "store_ref": "p1", "tiktok_category_id": "600002"}), 400, "config_error")
    assert "locks its category" in str(error["message"]) and error["action"]


def test_attribute_defaults_are_set_read_and_cleared(owner: tuple[httpx.Client, dict[str, Any]]) -> None:
    client, ids = owner
    path = f"/api/v1/feeds/{ids['feed']}/attribute-defaults"
    assert client.put(f"{path}/100107", json={"values": ["Cotton"], "category_id": "600001",
                                              "name": "Material"}).status_code == 204
    assert client.put(f"{path}/100200", json={"values": ["Acme"]}).status_code == 204
    assert client.get(path, params={"category_id": "600001"}).json() == {"100107": ["Cotton"], "100200": ["Acme"]}
    assert client.get(path).json() == {"100200": ["Acme"]}
    assert client.put(f"{path}/100200", json={"values": []}).status_code == 204
    assert client.get(path).json() == {}


def test_a_sync_run_is_started_and_its_progress_read(owner: tuple[httpx.Client, dict[str, Any]],
                                                     runtime: Runtime) -> None:
    client, ids = owner
    feed = ids["feed"]
    products = client.get(f"/api/v1/feeds/{feed}/products", params={"q": "tee"}).json()
    assert [(p["product_id"], p["status"], p["status_label"]) for p in products] == [("p1", "not_synced",
                                                                                      "Not synced")]
    assert_error(client.post(f"/api/v1/feeds/{feed}/sync", json={"product_ids": ["p2"]}), 422, "invalid",
                 "product_ids")
    run = client.post(f"/api/v1/feeds/{feed}/sync", json={"product_ids": ["p1", "p1"]})
    assert run.status_code == 202
    assert (run.json()["total"], run.json()["done"], run.json()["state"]) == (1, 0, "running")
    assert client.get(f"/api/v1/runs/{run.json()['id']}").json()["total"] == 1
    with runtime.sessions() as session:
        assert session.scalars(select(Intent.key).where(Intent.kind == "listing.create",
                                                        Intent.state == "pending")).all() != []
        assert session.get(SyncRun, run.json()["id"]) is not None
    assert_error(client.get(f"/api/v1/feeds/{feed}/products", params={"status": "nope"}), 422, "invalid", "status")


def test_failed_listings_and_orders_are_retried(owner: tuple[httpx.Client, dict[str, Any]]) -> None:
    client, ids = owner
    listing = client.post(f"/api/v1/listings/{ids['listing']}/retry")
    assert listing.status_code == 202 and listing.json()["status"] == "not_synced"
    order = client.post(f"/api/v1/orders/{ids['order']}/retry")
    assert order.status_code == 202 and order.json()["sync_state"] == "queued"
    assert_error(client.post(f"/api/v1/orders/{ids['order']}/retry"), 422, "invalid", "order_id")


def test_links_are_listed_and_removed_and_auto_link_is_switched(owner: tuple[httpx.Client, dict[str, Any]],
                                                                 runtime: Runtime) -> None:
    client, ids = owner
    feed = ids["feed"]
    assert [link["seller_sku"] for link in client.get(f"/api/v1/feeds/{feed}/links").json()] == ["Own-SKU"]
    assert client.delete(f"/api/v1/links/{ids['binding']}").status_code == 204
    assert client.get(f"/api/v1/feeds/{feed}/links").json() == []
    off = client.post(f"/api/v1/feeds/{feed}/links/auto", json={"enabled": False})
    assert off.status_code == 202 and off.json()["auto_link_by_sku"] is False
    client.post(f"/api/v1/feeds/{feed}/links/auto", json={"enabled": True})
    with runtime.sessions() as session:
        assert session.scalars(select(Intent.payload).where(Intent.kind == "link.by_sku")).all() == [{"feed": feed}]


def test_carriers_are_mapped_to_the_shops_providers(owner: tuple[httpx.Client, dict[str, Any]],
                                                    runtime: Runtime) -> None:
    client, ids = owner
    with transaction(runtime.sessions) as session:
        shop = session.get(TikTokShop, ids["shop"])
        assert shop is not None
        shop.settings = {"providers": [{"id": "rm", "name": "Royal Mail"}, {"id": "dpd", "name": "DPD"}]}
    body = client.get(f"/api/v1/shops/{ids['shop']}/carriers").json()
    assert body["default_provider"] == "Royal Mail (the usual carrier in the UK)"
    assert {c["store_carrier"]: c["source"] for c in body["carriers"]} == {"Own Post": "merchant"}
    body = client.put(f"/api/v1/shops/{ids['shop']}/carriers", json={"store_carrier": "Royal Mail 24",
                                                                     "provider_id": "rm"}).json()
    assert {c["store_carrier"]: c["provider_name"] for c in body["carriers"]} == {"Own Post": "Own Provider",
                                                                                 "Royal Mail 24": "Royal Mail"}
    assert_error(client.put(f"/api/v1/shops/{ids['shop']}/carriers", json={"store_carrier": "X",
                                                                          "provider_id": "ups"}),
                 422, "invalid", "provider_id")
    assert client.delete(f"/api/v1/carriers/{ids['carrier']}").status_code == 204


def test_feed_rules_are_validated_saved_and_push_linked_products_again(
        owner: tuple[httpx.Client, dict[str, Any]], runtime: Runtime) -> None:
    client, ids = owner
    path = f"/api/v1/feeds/{ids['feed']}/rules"
    assert client.get(path).json()["defaults"]["package_weight_kg"] == "0.5"
    saved = client.put(path, json={"price": {"percent": "15", "rounding": "end_95"}, "stock": {"buffer": 3},
                                   "defaults": {"package_weight_kg": "2"}, "exchange_rate": "0.8"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["price"]["percent"] == "15" and saved.json()["stock"]["buffer"] == 3
    assert saved.json()["defaults"]["package_weight_kg"] == "2" and saved.json()["exchange_rate"] == "0.8"
    assert_error(client.put(path, json={"price": {"percent": "abc"}}), 422, "invalid", "price_percent")
    assert_error(client.put(path, json={"defaults": {"colour": "red"}}), 422, "invalid", "defaults")
    with runtime.sessions() as session:
        pushes = session.scalars(select(Intent).where(Intent.kind == "price_stock.push")).all()
        assert [(i.key, i.payload["force"]) for i in pushes] == [(f"{ids['feed']}:Own-product", True)]


def test_shop_order_rules_are_read_and_replaced(owner: tuple[httpx.Client, dict[str, Any]]) -> None:
    client, ids = owner
    path = f"/api/v1/shops/{ids['shop']}/settings"
    assert client.get(path).json()["order_create_when"] == "after_hold"
    saved = client.put(path, json={"order_create_when": "at_once", "order_number": "prefix", "order_prefix": "UK-"})
    assert saved.status_code == 200 and saved.json()["order_prefix"] == "UK-"
    assert client.get(path).json()["order_create_when"] == "at_once"
    assert_error(client.put(path, json={"order_number": "prefix", "order_prefix": ""}), 422, "invalid",
                 "order_prefix")
    assert_error(client.put(path, json={"order_create_when": "whenever"}), 422, "invalid", "order_create_when")
    assert client.put(path, json={"restock_on_return": True}).json()["order_prefix"] == "UK-"


def test_after_sales_are_listed_newest_first(owner: tuple[httpx.Client, dict[str, Any]]) -> None:
    client, _ = owner
    assert [(a["kind"], a["reason"]) for a in client.get("/api/v1/after-sales").json()] == [("return",
                                                                                            "Own wrong size")]


def test_the_openapi_document_describes_the_flow_routes_with_models_and_the_error_body(web: str) -> None:
    doc = httpx.get(f"{web}/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/v1/feeds/{feed_id}/mappings", "/api/v1/mappings/{mapping_id}",
                 "/api/v1/feeds/{feed_id}/attribute-defaults/{attribute_id}", "/api/v1/feeds/{feed_id}/sync",
                 "/api/v1/runs/{run_id}", "/api/v1/listings/{listing_id}/retry", "/api/v1/feeds/{feed_id}/links",
                 "/api/v1/links/{binding_id}", "/api/v1/orders/{order_id}/retry", "/api/v1/shops/{shop_id}/carriers",
                 "/api/v1/feeds/{feed_id}/rules", "/api/v1/shops/{shop_id}/settings", "/api/v1/after-sales"):
        assert path in paths, path
    run = paths["/api/v1/feeds/{feed_id}/sync"]["post"]
    assert run["responses"]["202"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RunOut"}
    assert run["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    for model in ("MappingIn", "MappingOut", "RulesIO", "ShopSettingsIO", "CarriersOut", "LinkOut", "RunOut"):
        assert model in doc["components"]["schemas"], model
