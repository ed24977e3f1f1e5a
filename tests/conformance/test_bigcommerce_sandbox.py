"""The BigCommerce sandbox behaves like a store: seeding, quota window, pagination, webhooks, faults, rules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feedbridge.stores.bigcommerce.webhooks import verify
from feedbridge_sandbox.bigcommerce import create_sandbox
from feedbridge_sandbox.core import RunningServer, serve
from tests.contract.receiver import Receiver


class Store:
    def __init__(self, server: RunningServer, manifest: dict[str, Any]) -> None:
        self.url = server.url
        self.creds = manifest["credentials"]
        self.prefix = f"{server.url}/stores/{self.creds['store_hash']}"
        self.headers = {"X-Auth-Token": self.creds["access_token"]}

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, self.prefix + path, headers=self.headers, timeout=30, **kwargs)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        return httpx.request(method, self.url + path, json=body, timeout=30).json()


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    asyncio.run(sandbox.seed(server.url))
    try:
        yield Store(server, sandbox.manifest(server.url))
    finally:
        server.stop()


def test_seeded_store_has_the_sample_catalog_two_locations_and_split_stock(store: Store) -> None:
    locations = store.call("GET", "/v3/inventory/locations").json()["data"]
    assert len(locations) >= 2
    products = store.call("GET", "/v3/catalog/products", params={"limit": 250, "include": "variants"}).json()
    assert products["meta"]["pagination"]["total"] == 40
    names = {p["name"] for p in products["data"]}
    assert {"Ocean Blue Shirt", "Clay Plant Pot"} <= names
    pot = next(p for p in products["data"] if p["name"] == "Clay Plant Pot")
    assert sorted(v["option_values"][0]["label"] for v in pot["variants"]) == ["Large", "Regular"]
    items = store.call("GET", "/v3/inventory/items", params={"product_id:in": str(pot["id"])}).json()["data"]
    assert all(len(i["locations"]) == 2 for i in items)
    assert sum(loc["available_to_sell"] for i in items for loc in i["locations"]) == 4  # 1 + 3 in the CSV
    assert store.call("GET", "/v2/store").json()["currency"] == "USD"


def test_categories_come_from_the_csv_types_and_tags(store: Store) -> None:
    rows = store.call("GET", "/v3/catalog/trees/categories").json()["data"]
    roots = {r["name"] for r in rows if r["parent_id"] == 0}
    assert roots == {"Apparel", "Home And Garden"}
    assert {"Indoor", "Outdoor", "Men", "Women"} <= {r["name"] for r in rows}


def test_unseeded_sandbox_starts_empty() -> None:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        asyncio.run(sandbox.seed(server.url))
        creds = sandbox.manifest(server.url)["credentials"]
        answer = httpx.get(f"{server.url}/stores/{creds['store_hash']}/v3/catalog/products",
                           headers={"X-Auth-Token": creds["access_token"]})
        assert answer.json()["data"] == [] and answer.json()["meta"]["pagination"]["total"] == 0
    finally:
        server.stop()


def test_pagination_meta_counts_pages_and_links(store: Store) -> None:
    page = store.call("GET", "/v3/catalog/products", params={"limit": 15, "page": 2}).json()
    meta = page["meta"]["pagination"]
    assert (meta["total"], meta["count"], meta["per_page"], meta["current_page"], meta["total_pages"]) == \
        (40, 15, 15, 2, 3)
    assert set(meta["links"]) == {"previous", "current", "next"}


def test_quota_headers_count_down_and_a_spent_window_answers_429(store: Store) -> None:
    store.control("POST", "/_sandbox/ratelimit", {"quota": 2, "window_ms": 30_000})
    try:
        first = store.call("GET", "/v3/inventory/locations")
        second = store.call("GET", "/v3/inventory/locations")
        third = store.call("GET", "/v3/inventory/locations")
        assert first.headers["X-Rate-Limit-Requests-Left"] == "1"
        assert second.headers["X-Rate-Limit-Requests-Left"] == "0"
        assert third.status_code == 429 and third.json()["status"] == 429
        assert third.headers["X-Rate-Limit-Requests-Quota"] == "2"
        assert third.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"
        assert 0 < int(third.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 30_000
    finally:
        restored = store.control("POST", "/_sandbox/ratelimit", {"quota": 0})
    assert restored["quota"] == 150 and restored["window_ms"] == 30_000 and restored["rejected"] >= 1


def test_webhook_is_signed_with_the_client_secret_and_echoes_custom_headers(store: Store) -> None:
    receiver = Receiver()
    url = receiver.start()
    try:
        hook = store.call("POST", "/v3/hooks", json={"scope": "store/product/*", "destination": url + "/h",
                                                     "is_active": True, "headers": {"X-Shared": "s3"}}).json()
        product = store.call("GET", "/v3/catalog/products", params={"limit": 1}).json()["data"][0]
        store.call("PUT", f"/v3/catalog/products/{product['id']}", json={"price": 99.5})
        store.control("POST", "/_sandbox/webhooks/drain")
        assert receiver.event.wait(10)
        received = receiver.received[-1]
        assert verify(store.creds["client_secret"], received.headers, received.body)
        payload = json.loads(received.body)
        assert payload["scope"] == "store/product/updated" and payload["data"] == {"type": "product",
                                                                                   "id": product["id"]}
        assert received.headers["x-shared"] == "s3"
        store.call("DELETE", f"/v3/hooks/{hook['data']['id']}")
    finally:
        receiver.stop()


def test_injected_fault_answers_instead_of_the_store(store: Store) -> None:
    store.control("POST", "/_sandbox/faults", {"kind": "status", "path": "/v3/inventory/locations", "status": 503})
    assert store.call("GET", "/v3/inventory/locations").status_code == 503
    assert store.call("GET", "/v3/inventory/locations").status_code == 200


def test_business_rules_duplicate_sku_bad_carrier_and_closed_channel(store: Store) -> None:
    product = store.call("GET", "/v3/catalog/products", params={"limit": 1, "include": "variants"}).json()["data"][0]
    duplicate = store.call("POST", "/v3/catalog/products", json={
        "name": "Copycat", "type": "physical", "weight": 1, "price": 1, "sku": product["variants"][0]["sku"]})
    assert duplicate.status_code == 409
    archived = store.call("POST", "/v3/channels", json={"name": "Old", "type": "marketplace", "platform": "tiktok",
                                                        "status": "archived"}).json()["data"]
    address = {"first_name": "A", "last_name": "B", "zip": "78701", "country_iso2": "US", "email": "a@b.c"}
    line = {"product_id": product["id"], "quantity": 1}
    closed = store.call("POST", "/v2/orders", json={"billing_address": address, "products": [line],
                                                    "channel_id": archived["id"]})
    assert closed.status_code == 400 and "channel" in closed.json()[0]["message"]
    order = store.call("POST", "/v2/orders", json={"billing_address": address, "products": [line]}).json()
    address_id = store.call("GET", f"/v2/orders/{order['id']}/shipping_addresses").json()[0]["id"]
    line_id = store.call("GET", f"/v2/orders/{order['id']}/products").json()[0]["id"]
    bad = store.call("POST", f"/v2/orders/{order['id']}/shipments", json={
        "order_address_id": address_id, "tracking_carrier": "pigeon-post", "tracking_number": "1",
        "items": [{"order_product_id": line_id, "quantity": 1}]})
    assert bad.status_code == 400 and "tracking_carrier" in bad.json()[0]["message"]
    too_many = store.call("POST", f"/v2/orders/{order['id']}/shipments", json={
        "order_address_id": address_id, "tracking_carrier": "ups", "tracking_number": "1",
        "items": [{"order_product_id": line_id, "quantity": 2}]})
    assert too_many.status_code == 400


def test_one_adapter_reading_concurrently_stays_within_the_quota_without_a_429_storm() -> None:
    from tests.contract.harness_bigcommerce import Harness

    harness = Harness()
    harness.start()
    try:
        async def run() -> tuple[list[int], int]:
            await harness.create_products(12, variants=1)
            await harness.control("POST", "/_sandbox/ratelimit", {"quota": 5, "window_ms": 300})
            adapter = harness.adapter()

            async def read() -> int:
                return sum([len(page) async for page in adapter.products(page_size=2)])

            try:
                counts = await asyncio.gather(*[read() for _ in range(3)])
            finally:
                await adapter.aclose()
            return counts, (await harness.control("GET", "/_sandbox/ratelimit"))["rejected"]

        counts, rejected = asyncio.run(run())
        assert counts == [12, 12, 12]
        assert rejected <= 4, f"{rejected} requests were refused out of about 40"  # no storm of 429s
    finally:
        harness.stop()


def test_an_order_takes_stock_from_the_default_location_and_cancelling_returns_it(store: Store) -> None:
    product = store.call("POST", "/v3/catalog/products", json={
        "name": "Stocked lamp", "type": "physical", "weight": 1, "price": 20, "sku": "LAMP-1"}).json()["data"]
    variant_id = product["variants"][0]["id"]
    first_location = min(loc["id"] for loc in store.call("GET", "/v3/inventory/locations").json()["data"])
    store.call("PUT", "/v3/inventory/adjustments/absolute", json={"items": [
        {"location_id": first_location, "variant_id": variant_id, "quantity": 5}]})

    def stock() -> int:
        items = store.call("GET", "/v3/inventory/items", params={"variant_id:in": str(variant_id)}).json()["data"]
        return sum(loc["available_to_sell"] for loc in items[0]["locations"])

    address = {"first_name": "A", "last_name": "B", "zip": "78701", "country_iso2": "US", "email": "a@b.c"}
    order = store.call("POST", "/v2/orders", json={"billing_address": address, "status_id": 11, "products": [
        {"product_id": product["id"], "variant_id": variant_id, "quantity": 2}]}).json()
    assert stock() == 3
    store.call("PUT", f"/v2/orders/{order['id']}", json={"status_id": 5})
    assert stock() == 5
    store.call("PUT", f"/v2/orders/{order['id']}", json={"status_id": 5})
    assert stock() == 5  # cancelling twice returns the stock once


def test_unknown_paths_answer_in_the_api_versions_error_shape(store: Store) -> None:
    v3 = store.call("GET", "/v3/catalog/nothing-here")
    v2 = store.call("GET", "/v2/nothing-here")
    assert v3.status_code == 404 and v3.json()["status"] == 404 and "title" in v3.json()
    assert v2.status_code == 404 and v2.json()[0]["status"] == 404


def test_seeding_waits_out_a_tight_quota_instead_of_failing() -> None:
    sandbox = create_sandbox(seed=True, quota=40, window_ms=200)
    server = serve(sandbox.app)
    try:
        asyncio.run(sandbox.seed(server.url))
        assert len(sandbox.store.state.products) == 40 and sandbox.store.rejected > 0
    finally:
        server.stop()
