"""The WooCommerce sandbox behaves like a store: webhooks (headers, signature, disabling), stock, limits, seed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feedbridge.stores.woocommerce.adapter import WooCommerceAdapter
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.woocommerce import WooCommerceSandbox, create_sandbox


class Hooks:
    """A receiver that records deliveries (pings apart) and answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.pings: list[bytes] = []

        async def hook(request: Request) -> Response:
            body = await request.body()
            if "x-wc-webhook-topic" in request.headers:
                self.got.append((dict(request.headers), body))
            else:
                self.pings.append(body)
            return Response(status_code=self.status)

        self.server = serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
        self.url = self.server.url + "/hook"


@pytest.fixture
def store() -> Iterator[tuple[WooCommerceSandbox, RunningServer, httpx.Client, Hooks]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    client = httpx.Client(base_url=server.url, auth=(sandbox.consumer_key, sandbox.consumer_secret))
    hooks = Hooks()
    try:
        yield sandbox, server, client, hooks
    finally:
        client.close()
        hooks.server.stop()
        server.stop()


def _drain(client: httpx.Client) -> None:
    client.post("/_sandbox/webhooks/drain").raise_for_status()


def _webhook(client: httpx.Client, url: str, topic: str = "product.updated") -> dict[str, Any]:
    response = client.post("/wp-json/wc/v3/webhooks", json={"topic": topic, "delivery_url": url, "secret": "s3cret"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_delivery_carries_every_woocommerce_header_and_a_valid_signature(store: Any) -> None:
    _, server, client, hooks = store
    hook = _webhook(client, hooks.url)
    product = client.post("/wp-json/wc/v3/products", json={"name": "Cap", "regular_price": "5"}).json()
    client.put(f"/wp-json/wc/v3/products/{product['id']}", json={"regular_price": "6"}).raise_for_status()
    _drain(client)
    [(headers, body)] = hooks.got
    assert hooks.pings == [f"webhook_id={hook['id']}".encode()]  # sent before the create answered
    assert headers["x-wc-webhook-topic"] == "product.updated"
    assert headers["x-wc-webhook-resource"] == "product" and headers["x-wc-webhook-event"] == "updated"
    assert headers["x-wc-webhook-id"] == str(hook["id"]) and headers["x-wc-webhook-delivery-id"]
    assert headers["x-wc-webhook-source"] == server.url + "/"
    expected = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    assert headers["x-wc-webhook-signature"] == expected


def test_webhook_disabled_after_five_failures_and_reactivated_by_register(store: Any) -> None:
    sandbox, server, client, hooks = store
    hooks.status = 500
    adapter = WooCommerceAdapter(server.url, {**sandbox.credentials(), "webhook_secret": "s3cret"})
    first = asyncio.run(adapter.register_webhooks(hooks.url))
    product = client.post("/wp-json/wc/v3/products", json={"name": "Cap", "regular_price": "5"}).json()
    for price in range(6, 12):
        client.put(f"/wp-json/wc/v3/products/{product['id']}", json={"regular_price": str(price)})
        _drain(client)
    updated = next(r for r in first if r.topic == "product.updated")
    status = client.get(f"/wp-json/wc/v3/webhooks/{updated.id}").json()["status"]
    assert status == "disabled"
    assert len([h for h, _ in hooks.got if h["x-wc-webhook-topic"] == "product.updated"]) == 5

    hooks.status = 200
    adapter = WooCommerceAdapter(server.url, {**sandbox.credentials(), "webhook_secret": "s3cret"})
    again = asyncio.run(adapter.register_webhooks(hooks.url))
    assert [r.id for r in again] == [r.id for r in first] and all(r.active for r in again)
    client.put(f"/wp-json/wc/v3/products/{product['id']}", json={"regular_price": "20"})
    _drain(client)
    assert hooks.got[-1][0]["x-wc-webhook-topic"] == "product.updated"


def test_variation_change_sends_product_updated_for_the_variation(store: Any) -> None:
    sandbox, server, client, hooks = store
    _webhook(client, hooks.url)
    product = client.post("/wp-json/wc/v3/products", json={
        "name": "Tee", "type": "variable", "attributes": [{"name": "Size", "variation": True, "options": ["S"]}]}).json()
    variation = client.post(f"/wp-json/wc/v3/products/{product['id']}/variations",
                            json={"sku": "T-S", "regular_price": "9", "attributes": [{"name": "Size", "option": "S"}]}).json()
    client.put(f"/wp-json/wc/v3/products/{product['id']}/variations/{variation['id']}", json={"sale_price": "7"})
    _drain(client)
    headers, body = hooks.got[-1]
    adapter = WooCommerceAdapter(server.url, {**sandbox.credentials(), "webhook_secret": "s3cret"})
    assert adapter.verify_webhook(headers, body)
    [event] = adapter.parse_webhook(headers, body)
    assert (event.object_id, event.variant_id) == (str(product["id"]), str(variation["id"]))


def test_paid_order_reduces_stock_and_cancelling_restores_it(store: Any) -> None:
    _, _, client, _ = store
    product = client.post("/wp-json/wc/v3/products", json={"name": "Mug", "regular_price": "5", "manage_stock": True,
                                                           "stock_quantity": 3}).json()
    order = client.post("/wp-json/wc/v3/orders", json={"set_paid": True,
                                                       "line_items": [{"product_id": product["id"], "quantity": 3}]}).json()
    after = client.get(f"/wp-json/wc/v3/products/{product['id']}").json()
    assert after["stock_quantity"] == 0 and after["stock_status"] == "outofstock"
    client.put(f"/wp-json/wc/v3/orders/{order['id']}", json={"status": "cancelled"}).raise_for_status()
    assert client.get(f"/wp-json/wc/v3/products/{product['id']}").json()["stock_quantity"] == 3


def test_rate_limit_answers_429_with_retry_after_and_faults_use_the_envelope(store: Any) -> None:
    _, _, client, _ = store
    client.post("/_sandbox/ratelimit", json={"limit": 2, "window": 30}).raise_for_status()
    codes = [client.get("/wp-json/wc/v3/products").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/wp-json/wc/v3/products")
    assert int(limited.headers["retry-after"]) >= 1 and limited.json()["data"] == {"status": 429}
    client.post("/_sandbox/ratelimit", json={"limit": 0}).raise_for_status()
    client.post("/_sandbox/faults", json={"kind": "status", "path": "/wc/v3/orders", "status": 503}).raise_for_status()
    faulted = client.get("/wp-json/wc/v3/orders")
    assert faulted.status_code == 503 and faulted.json()["data"] == {"status": 503}
    assert client.get("/wp-json/wc/v3/orders").status_code == 200


def test_default_seed_loads_the_sample_catalog_through_the_api() -> None:
    sandbox = create_sandbox()
    server = serve(sandbox.app)
    try:
        asyncio.run(sandbox.seed(server.url))
        auth = (sandbox.consumer_key, sandbox.consumer_secret)
        products = httpx.get(server.url + "/wp-json/wc/v3/products", params={"per_page": 100}, auth=auth).json()
        by_sku = {p["sku"]: p for p in products}
        assert len(products) == 18  # 25 rows minus 7 variation rows
        assert len(by_sku["woo-vneck-tee"]["variations"]) == 3 and len(by_sku["woo-hoodie"]["variations"]) == 4
        assert by_sku["logo-collection"]["type"] == "grouped" and len(by_sku["logo-collection"]["grouped_products"]) == 3
        assert by_sku["wp-pennant"]["type"] == "external"
        assert by_sku["woo-beanie"]["price"] == "18" and by_sku["woo-beanie"]["regular_price"] == "20"
        adapter = WooCommerceAdapter(server.url, sandbox.credentials())

        async def read() -> tuple[list[Any], list[Any]]:
            try:
                cats = [c async for c in adapter.categories()]
                items = [p async for page in adapter.products() for p in page]
                return cats, items
            finally:
                await adapter.aclose()

        categories, catalog = asyncio.run(read())
        assert ("Clothing", "Tshirts") in {c.path for c in categories}
        hoodie = next(p for p in catalog if p.handle.startswith("hoodie-") and p.product_type == "variable")
        assert {v.sku for v in hoodie.variants} == {"woo-hoodie-red", "woo-hoodie-green", "woo-hoodie-blue",
                                                    "woo-hoodie-blue-logo"}
        assert all(v.stock["default"] > 0 for v in hoodie.variants)
    finally:
        server.stop()


def test_empty_sandbox_has_no_products(store: Any) -> None:
    _, _, client, _ = store
    response = client.get("/wp-json/wc/v3/products")
    assert response.json() == [] and response.headers["x-wp-total"] == "0"


def test_find_order_falls_back_to_recent_orders_when_search_misses(store: Any) -> None:
    sandbox, server, client, _ = store
    product = client.post("/wp-json/wc/v3/products", json={"name": "Mug", "regular_price": "5"}).json()
    # Made by hand: the TikTok id is only in meta, where WooCommerce's order search does not look.
    order = client.post("/wp-json/wc/v3/orders", json={
        "line_items": [{"product_id": product["id"], "quantity": 1}],
        "meta_data": [{"key": "_tiktok_order_id", "value": "5769111"}]}).json()
    assert client.get("/wp-json/wc/v3/orders", params={"search": "5769111"}).json() == []
    adapter = WooCommerceAdapter(server.url, sandbox.credentials())

    async def find() -> Any:
        try:
            return await adapter.find_order("5769111"), await adapter.find_order("5769222")
        finally:
            await adapter.aclose()

    found, missing = asyncio.run(find())
    assert found is not None and found.id == str(order["id"]) and missing is None


def test_refused_keys_raise_auth_error_saying_what_to_do(store: Any) -> None:
    from feedbridge.errors import AuthError

    sandbox, server, _, _ = store
    adapter = WooCommerceAdapter(server.url, {**sandbox.credentials(), "consumer_secret": "cs_wrong"})

    async def read() -> None:
        try:
            await adapter.get_product("1")
        finally:
            await adapter.aclose()

    with pytest.raises(AuthError) as err:
        asyncio.run(read())
    assert err.value.status == 401 and "Read/Write" in str(err.value)


def test_without_a_tracking_extension_shipments_go_to_order_meta_and_read_back() -> None:
    from decimal import Decimal

    from feedbridge.domain.orders import Fulfilment, OrderDraft, OrderLine

    sandbox = create_sandbox(seed=False, tracking_extension=False)
    server = serve(sandbox.app)
    try:
        auth = (sandbox.consumer_key, sandbox.consumer_secret)
        product = httpx.post(server.url + "/wp-json/wc/v3/products", auth=auth,
                             json={"name": "Mug", "regular_price": "5", "sku": "MUG"}).json()
        adapter = WooCommerceAdapter(server.url, sandbox.credentials())

        async def ship() -> Any:
            try:
                ref = await adapter.create_order(OrderDraft(
                    tiktok_order_id="5769333", currency="USD", subtotal=Decimal(5),
                    lines=[OrderLine(str(product["id"]), str(product["id"]), "MUG", "Mug", 1, Decimal(5))]))
                made = await adapter.fulfil_order(ref, Fulfilment(id="", carrier="Acme Post", tracking_number="AP1"))
                return made, await adapter.fulfilments(ref), await adapter.carrier_names(), ref
            finally:
                await adapter.aclose()

        made, read, carriers, ref = asyncio.run(ship())
        assert [(f.carrier, f.tracking_number) for f in read] == [("Acme Post", "AP1")] and made.id == read[0].id
        assert "USPS" in carriers
        order = httpx.get(server.url + f"/wp-json/wc/v3/orders/{ref.id}", auth=auth).json()
        assert order["status"] == "completed"
        notes = httpx.get(server.url + f"/wp-json/wc/v3/orders/{ref.id}/notes", auth=auth).json()
        assert any("AP1" in n["note"] for n in notes)
    finally:
        server.stop()


def test_seed_without_the_sample_csv_loads_a_small_built_in_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedbridge_sandbox.woocommerce import seed

    monkeypatch.setattr(seed, "sample_csv_path", lambda: None)
    sandbox = create_sandbox()
    server = serve(sandbox.app)
    try:
        asyncio.run(sandbox.seed(server.url))
        products = httpx.get(server.url + "/wp-json/wc/v3/products", auth=(sandbox.consumer_key,
                                                                            sandbox.consumer_secret)).json()
        assert {p["sku"] for p in products} == {"fb-tee", "fb-cap", "fb-mug"}
    finally:
        server.stop()


def test_deleting_a_product_trashes_it_and_sends_product_deleted(store: Any) -> None:
    sandbox, server, client, hooks = store
    _webhook(client, hooks.url, topic="product.deleted")
    product = client.post("/wp-json/wc/v3/products", json={"name": "Old", "regular_price": "5"}).json()
    trashed = client.delete(f"/wp-json/wc/v3/products/{product['id']}")
    assert trashed.status_code == 200 and trashed.json()["status"] == "trash"
    assert client.get("/wp-json/wc/v3/products").json() == []
    _drain(client)
    headers, body = hooks.got[-1]
    adapter = WooCommerceAdapter(server.url, {**sandbox.credentials(), "webhook_secret": "s3cret"})
    [event] = adapter.parse_webhook(headers, body)
    assert event.kind.value == "product_deleted" and event.object_id == str(product["id"])

    async def read() -> Any:
        try:
            return await adapter.get_product(str(product["id"]))
        finally:
            await adapter.aclose()

    assert asyncio.run(read()).status.value == "archived"
    client.delete(f"/wp-json/wc/v3/products/{product['id']}", params={"force": "true"}).raise_for_status()
    assert client.get(f"/wp-json/wc/v3/products/{product['id']}").status_code == 404


def test_order_labelled_with_a_note_once_even_when_create_timed_out(store: Any) -> None:
    from decimal import Decimal

    from feedbridge.domain.orders import OrderDraft, OrderLine
    from feedbridge.errors import RetryableError

    sandbox, server, client, _ = store
    product = client.post("/wp-json/wc/v3/products", json={"name": "Mug", "regular_price": "5"}).json()
    client.post("/_sandbox/faults", json={"kind": "after", "method": "POST", "path": "/wc/v3/orders",
                                          "status": 504}).raise_for_status()
    draft = OrderDraft(tiktok_order_id="5769444", currency="USD", subtotal=Decimal(5), note="Paid on TikTok",
                       lines=[OrderLine(str(product["id"]), str(product["id"]), "", "Mug", 1, Decimal(5))])
    adapter = WooCommerceAdapter(server.url, sandbox.credentials())

    async def create() -> Any:
        try:
            with pytest.raises(RetryableError):
                await adapter.create_order(draft)
            first = await adapter.create_order(draft)
            second = await adapter.create_order(draft)
            return first, second
        finally:
            await adapter.aclose()

    first, second = asyncio.run(create())
    assert first.id == second.id
    notes = [n["note"] for n in client.get(f"/wp-json/wc/v3/orders/{first.id}/notes").json()]
    assert sum("5769444" in n for n in notes) == 1
    assert any(n.startswith("TikTok Shop order 5769444. Paid on TikTok") for n in notes)


def test_polling_finds_a_variation_change_that_left_the_parent_date_alone(store: Any) -> None:
    from datetime import UTC, datetime, timedelta

    sandbox, server, client, _ = store
    product = client.post("/wp-json/wc/v3/products", json={
        "name": "Tee", "type": "variable", "attributes": [{"name": "Size", "variation": True, "options": ["S"]}]}).json()
    variation = client.post(f"/wp-json/wc/v3/products/{product['id']}/variations",
                            json={"sku": "PT-S", "regular_price": "9", "attributes": [{"name": "Size", "option": "S"}]}).json()
    client.post("/_sandbox/clock/advance", json={"seconds": 3600}).raise_for_status()
    mark = sandbox.clock.utcnow() - timedelta(seconds=1)
    client.put(f"/wp-json/wc/v3/products/{product['id']}/variations/{variation['id']}", json={"regular_price": "11"})
    parent = client.get(f"/wp-json/wc/v3/products/{product['id']}").json()
    assert datetime.fromisoformat(parent["date_modified_gmt"]).replace(tzinfo=UTC) < mark  # as in WooCommerce
    adapter = WooCommerceAdapter(server.url, sandbox.credentials())

    async def poll() -> Any:
        try:
            return await adapter.changes_since(mark, timedelta(0))
        finally:
            await adapter.aclose()

    page = asyncio.run(poll())
    assert [(e.object_id, e.variant_id) for e in page.events] == [(str(product["id"]), str(variation["id"]))]


def test_store_refusing_an_order_is_a_platform_error_with_woocommerce_code(store: Any) -> None:
    from decimal import Decimal

    from feedbridge.domain.orders import OrderDraft, OrderLine
    from feedbridge.errors import PlatformError

    sandbox, server, _, _ = store
    adapter = WooCommerceAdapter(server.url, sandbox.credentials())
    draft = OrderDraft(tiktok_order_id="5769555", currency="USD", subtotal=Decimal(5),
                       lines=[OrderLine("4242", "4242", "GONE", "Gone", 1, Decimal(5))])

    async def create() -> None:
        try:
            await adapter.create_order(draft)
        finally:
            await adapter.aclose()

    with pytest.raises(PlatformError) as err:
        asyncio.run(create())
    assert err.value.code == "woocommerce_rest_invalid_product_id" and err.value.status == 400
    assert "4242" in str(err.value)
