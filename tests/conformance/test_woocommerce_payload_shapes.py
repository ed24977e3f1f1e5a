"""The WooCommerce sandbox answers with the keys and value types real stores return (specs/woocommerce/fixtures)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shared import shared_path
from feedbridge_sandbox.woocommerce import WooCommerceSandbox, create_sandbox

FIXTURES = shared_path("specs", "woocommerce", "fixtures")
# Keys in the captures that plugins add (WooCommerce Gift Cards, Product Bundles, Composite Products).
PLUGIN_KEYS = {"gift_cards", "composite_parent", "composite_children", "bundled_by", "bundled_item_title",
               "bundled_items"}


def load(name: str) -> Any:
    data = json.loads((FIXTURES / name).read_text())
    return data["data"] if isinstance(data, dict) and "data" in data else data


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(real: Any, ours: Any, where: str = "$") -> None:
    """Every key the real payload has exists in ours with the same JSON type (null matches anything)."""
    if isinstance(real, dict):
        assert isinstance(ours, dict), f"{where}: expected an object"
        for key, value in real.items():
            if key in PLUGIN_KEYS or key == "_links":
                continue
            assert key in ours, f"{where}.{key} is missing"
            assert_same_shape(value, ours[key], f"{where}.{key}")
    elif isinstance(real, list):
        assert isinstance(ours, list), f"{where}: expected a list"
        if real and ours:
            assert_same_shape(real[0], ours[0], f"{where}[0]")
    elif real is not None and ours is not None:
        assert kind(real) == kind(ours), f"{where}: {kind(real)} in the capture, {kind(ours)} in the sandbox"


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[WooCommerceSandbox, RunningServer, httpx.Client]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    client = httpx.Client(base_url=server.url + "/wp-json/wc/v3", auth=(sandbox.consumer_key, sandbox.consumer_secret))
    try:
        yield sandbox, server, client
    finally:
        client.close()
        server.stop()


def _variable_product(client: httpx.Client) -> dict[str, Any]:
    product = client.post("/products", json={
        "name": "Chocolate", "type": "variable", "weight": "2.5",
        "attributes": [{"name": "Darkness", "variation": True, "options": ["99%", "70%"]}]}).json()
    client.post(f"/products/{product['id']}/variations", json={
        "sku": f"choc-{product['id']}", "regular_price": "12", "sale_price": "8", "manage_stock": True,
        "stock_quantity": 16, "backorders": "notify", "weight": "2.5",
        "image": {"src": "https://example.com/a.jpg"}, "attributes": [{"name": "Darkness", "option": "99%"}],
        "meta_data": [{"key": "_created_via", "value": "rest"}]}).raise_for_status()
    return dict(product)


def test_variations_have_the_captured_keys_and_types(store: tuple[WooCommerceSandbox, RunningServer, httpx.Client]) -> None:
    _, _, client = store
    product = _variable_product(client)
    ours = client.get(f"/products/{product['id']}/variations").json()
    real = load("wc-v3-product-variations.ios-capture.json")
    real[0]["stock_quantity"] = 16  # the capture's 16.5 is a float; WooCommerce core stores whole units
    assert_same_shape(real, ours)
    assert set(ours[0]) - {"_links"} == set(real[0]) - {"_links"}


def test_created_order_matches_the_documented_response_and_the_capture(
        store: tuple[WooCommerceSandbox, RunningServer, httpx.Client]) -> None:
    _, _, client = store
    simple = client.post("/products", json={"name": "Woo Single #1", "type": "simple", "regular_price": "3"}).json()
    product = _variable_product(client)
    variation = client.get(f"/products/{product['id']}/variations").json()[0]
    documented = load("wc-v3-order-create.docs-example.json")
    body = json.loads(json.dumps(documented["request"]["body"]))
    body["line_items"] = [{"product_id": simple["id"], "quantity": 2},
                          {"product_id": product["id"], "variation_id": variation["id"], "quantity": 1}]
    response = client.post("/orders", json=body)
    assert response.status_code == 201, response.text
    order = response.json()
    assert_same_shape(documented["response"], order)
    capture = load("wc-v3-order.ios-capture.json")
    assert_same_shape({k: v for k, v in capture.items() if k != "line_items"}, order)
    assert order["status"] == "processing" and order["date_paid"] is not None
    assert order["created_via"] == "rest-api"  # read-only in wc/v3: clients cannot set it


def test_order_notes_and_shipment_trackings_match_the_captures(
        store: tuple[WooCommerceSandbox, RunningServer, httpx.Client]) -> None:
    sandbox, server, client = store
    simple = client.post("/products", json={"name": "Note item", "type": "simple", "regular_price": "3"}).json()
    order = client.post("/orders", json={"line_items": [{"product_id": simple["id"], "quantity": 1}]}).json()
    client.post(f"/orders/{order['id']}/notes", json={"note": "Hello", "customer_note": True}).raise_for_status()
    assert_same_shape(load("wc-v3-order-notes.ios-capture.json"), client.get(f"/orders/{order['id']}/notes").json())
    tracking = httpx.Client(base_url=server.url + "/wp-json/wc-shipment-tracking/v3",
                            auth=(sandbox.consumer_key, sandbox.consumer_secret))
    created = tracking.post(f"/orders/{order['id']}/shipment-trackings",
                            json={"tracking_provider": "USPS", "tracking_number": "345645674567"})
    assert created.status_code == 201, created.text
    listed = tracking.get(f"/orders/{order['id']}/shipment-trackings").json()
    assert_same_shape(load("wc-shipment-trackings-plugin.ios-capture.json")[:3], listed)
    assert listed[0]["tracking_link"].endswith("345645674567")
    meta = {m["key"]: m["value"] for m in client.get(f"/orders/{order['id']}").json()["meta_data"]}
    assert meta["_wc_shipment_tracking_items"][0]["tracking_number"] == "345645674567"


def test_errors_use_the_wordpress_envelope(store: tuple[WooCommerceSandbox, RunningServer, httpx.Client]) -> None:
    _, _, client = store
    missing = client.get("/products/99999999")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "data"} and missing.json()["data"] == {"status": 404}
    too_many = client.get("/products", params={"per_page": 101})
    assert too_many.status_code == 400 and too_many.json()["code"] == "rest_invalid_param"
    no_route = client.get("/nothing-here")
    assert no_route.status_code == 404 and no_route.json()["code"] == "rest_no_route"
