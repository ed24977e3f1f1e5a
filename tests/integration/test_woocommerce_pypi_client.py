"""The official `woocommerce` Python client (OAuth 1.0a over http) works against the sandbox, and so does Basic."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from woocommerce import API

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.woocommerce import WooCommerceSandbox, create_sandbox


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[WooCommerceSandbox, RunningServer]]:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    asyncio.run(sandbox.seed(server.url))
    try:
        yield sandbox, server
    finally:
        server.stop()


def _api(sandbox: WooCommerceSandbox, server: RunningServer, secret: str | None = None) -> API:
    return API(url=server.url, consumer_key=sandbox.consumer_key, consumer_secret=secret or sandbox.consumer_secret,
               version="wc/v3", timeout=20)


def test_pypi_client_lists_seeded_products_with_pagination_headers(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    response = _api(sandbox, server).get("products", params={"per_page": 5, "orderby": "id", "order": "asc"})
    assert response.status_code == 200, response.text
    assert len(response.json()) == 5
    assert int(response.headers["X-WP-Total"]) >= 18
    assert response.headers["X-WP-TotalPages"] == str(-(-int(response.headers["X-WP-Total"]) // 5))
    names = {p["name"] for p in _api(sandbox, server).get("products", params={"per_page": 100}).json()}
    assert {"Hoodie", "Awesome V-Neck T-Shirt", "Beanie"} <= names
    hoodie = next(p for p in _api(sandbox, server).get("products", params={"sku": "woo-hoodie"}).json())
    assert hoodie["type"] == "variable" and len(hoodie["variations"]) == 4


def test_pypi_client_creates_a_product_and_an_order(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    wc = _api(sandbox, server)
    created = wc.post("products", {"name": "Pypi Mug", "type": "simple", "regular_price": "12.50",
                                   "sku": "PYPI-MUG", "manage_stock": True, "stock_quantity": 4})
    assert created.status_code == 201, created.text
    product = created.json()
    order = wc.post("orders", {"set_paid": True, "billing": {"first_name": "Ada", "email": "ada@example.com"},
                               "line_items": [{"product_id": product["id"], "quantity": 3}],
                               "meta_data": [{"key": "_tiktok_order_id", "value": "5769000001"}]})
    assert order.status_code == 201, order.text
    body = order.json()
    assert body["status"] == "processing" and body["total"] == "37.50" and body["currency"] == "USD"
    assert wc.get(f"products/{product['id']}").json()["stock_quantity"] == 1  # set_paid reduced stock


def test_wrong_secret_is_refused_with_woocommerce_error_shape(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    response = _api(sandbox, server, secret="cs_wrong").get("products")
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_authentication_error"
    assert response.json()["data"] == {"status": 401}


def test_basic_auth_and_missing_auth(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    ok = httpx.get(server.url + "/wp-json/wc/v3/orders", auth=(sandbox.consumer_key, sandbox.consumer_secret))
    assert ok.status_code == 200 and isinstance(ok.json(), list)
    bad = httpx.get(server.url + "/wp-json/wc/v3/orders", auth=(sandbox.consumer_key, "cs_nope"))
    assert bad.status_code == 401
    missing = httpx.get(server.url + "/wp-json/wc/v3/orders")
    assert missing.status_code == 401
    assert missing.json() == {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
                              "data": {"status": 401}}


def test_replayed_oauth_request_is_refused(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    from feedbridge.stores.woocommerce.auth import oauth_params

    url = server.url + "/wp-json/wc/v3/products"
    params = oauth_params("GET", url, {"per_page": "1"}, sandbox.consumer_key, sandbox.consumer_secret)
    assert httpx.get(url, params=params).status_code == 200
    again = httpx.get(url, params=params)
    assert again.status_code == 401 and "nonce" in again.json()["message"]


def test_oauth_in_authorization_header_and_sha1_are_accepted(store: tuple[WooCommerceSandbox, RunningServer]) -> None:
    sandbox, server = store
    from urllib.parse import quote

    from feedbridge.stores.woocommerce.auth import oauth_params

    url = server.url + "/wp-json/wc/v3/products"
    signed = oauth_params("GET", url, {}, sandbox.consumer_key, sandbox.consumer_secret, signature_method="HMAC-SHA1")
    header = "OAuth " + ", ".join(f'{k}="{quote(v, safe="")}"' for k, v in signed.items())
    assert httpx.get(url, headers={"Authorization": header}).status_code == 200
    tampered = header.replace(signed["oauth_nonce"], "0" * len(signed["oauth_nonce"]))
    assert httpx.get(url, headers={"Authorization": tampered}).status_code == 401
