"""Every request the WooCommerce adapter sends names a route of wc-v3-index.json with an allowed method and known
args (or a documented route of the Shipment Tracking extension / the WordPress index)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from feedbridge.domain.orders import Address, Fulfilment, OrderDraft, OrderLine, StoreOrderStatus
from feedbridge.stores.woocommerce.adapter import WooCommerceAdapter
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shared import shared_path
from feedbridge_sandbox.woocommerce import WooCommerceSandbox, create_sandbox

INDEX = json.loads(shared_path("specs", "woocommerce", "wc-v3-index.json").read_text())
# WordPress's global parameters, valid on every route.
GLOBAL_ARGS = {"_fields", "_envelope", "_embed", "_jsonp", "_method"}
AUTH_ARGS = {"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature_method", "oauth_signature",
             "consumer_key", "consumer_secret"}
# Args newer WooCommerce releases added to these routes after the index was published (see its SOURCE.txt).
NEWER_ARGS = {"/wc/v3/products": {"modified_after", "modified_before", "dates_are_gmt"},
              r"/wc/v3/products/(?P<product_id>[\d]+)/variations": {"modified_after", "modified_before", "dates_are_gmt"},
              "/wc/v3/orders": {"modified_after", "modified_before", "dates_are_gmt"}}
# The index types billing/shipping as bare objects; these are the documented address fields (`_orders.md`),
# plus shipping.phone, which WooCommerce added later.
ADDRESS_FIELDS = {
    "billing": {"first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                "country", "email", "phone"},
    "shipping": {"first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                 "country", "phone"},
}
# WooCommerce Shipment Tracking extension routes (namespace wc-shipment-tracking/v3) and the WordPress index.
OTHER_ROUTES = {
    r"/": ({"GET"}, set()),
    r"/wc-shipment-tracking/v3/orders/\d+/shipment-trackings": (
        {"GET", "POST"}, {"tracking_provider", "custom_tracking_provider", "custom_tracking_link", "tracking_number",
                          "date_shipped"}),
    r"/wc-shipment-tracking/v3/orders/\d+/shipment-trackings/providers": ({"GET"}, set()),
    r"/wc-shipment-tracking/v3/orders/\d+/shipment-trackings/[0-9a-f]+": ({"GET", "DELETE"}, set()),
}
# Advanced Shipment Tracking (zorem) registers the same routes under wc-ast/v3.
OTHER_ROUTES.update({k.replace("wc-shipment-tracking", "wc-ast"): v for k, v in list(OTHER_ROUTES.items())
                     if "shipment-tracking/" in k})


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to the network and keeps (method, path, query, json body)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.seen.append((request.method, request.url.path, dict(parse_qsl(request.url.query.decode())), body))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def find_route(path: str) -> tuple[str, dict[str, Any]] | None:
    for pattern, route in INDEX["routes"].items():
        if re.fullmatch(pattern, path):
            return pattern, route
    return None


def problems(method: str, path: str, query: dict[str, str], body: Any) -> list[str]:
    assert path.startswith("/wp-json"), path
    api_path = path[len("/wp-json"):] or "/"
    sent = (set(query) - AUTH_ARGS - GLOBAL_ARGS) | (set(body) if isinstance(body, dict) else set())
    found = find_route(api_path)
    if found is None:
        for pattern, (methods, args) in OTHER_ROUTES.items():
            if re.fullmatch(pattern, api_path):
                bad = [] if method in methods else [f"{method} not allowed on {api_path}"]
                return bad + [f"{api_path}: unknown arg {a}" for a in sent - args]
        return [f"no route matches {api_path}"]
    pattern, route = found
    endpoint = next((e for e in route["endpoints"] if method in e["methods"]), None)
    if endpoint is None:
        return [f"{method} not allowed on {pattern}"]
    args = endpoint.get("args", {})
    known = set(args) | NEWER_ARGS.get(pattern, set())
    out = [f"{pattern}: unknown arg {a}" for a in sorted(sent - known)]
    for name, value in (body.items() if isinstance(body, dict) else ()):
        spec = args.get(name, {})
        fields = set((spec.get("items") or {}).get("properties") or {}) or ADDRESS_FIELDS.get(name, set())
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for item in items if fields else []:
            out += [f"{pattern}: unknown field {name}.{k}" for k in sorted(set(item) - fields)]
    for name, value in query.items():
        spec = args.get(name, {})
        if "enum" in spec and value not in [str(v) for v in spec["enum"]]:
            out.append(f"{pattern}: {name}={value} is not one of {spec['enum']}")
        if name == "per_page" and not 1 <= int(value) <= 100:
            out.append(f"{pattern}: per_page={value} is outside 1..100")
    return out


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[WooCommerceSandbox, RunningServer]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        yield sandbox, server
    finally:
        server.stop()


async def _workflow(adapter: WooCommerceAdapter, sandbox: WooCommerceSandbox, server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url + "/wp-json/wc/v3",
                                 auth=(sandbox.consumer_key, sandbox.consumer_secret)) as merchant:
        tag = uuid.uuid4().hex[:8]
        cat = (await merchant.post("/products/categories", json={"name": f"Clothing {tag}"})).json()
        product = (await merchant.post("/products", json={
            "name": "Tee", "type": "variable", "categories": [{"id": cat["id"]}],
            "attributes": [{"name": "Size", "variation": True, "options": ["S"]}]})).json()
        await merchant.post(f"/products/{product['id']}/variations", json={
            "sku": f"TEE-S-{tag}", "regular_price": "10", "manage_stock": True, "stock_quantity": 3,
            "attributes": [{"name": "Size", "option": "S"}]})
    from datetime import UTC, datetime, timedelta

    await adapter.store_info()
    await adapter.locations()
    _ = [c async for c in adapter.categories()]
    _ = [p async for p in adapter.products(page_size=1)]
    read = await adapter.get_product(str(product["id"]))
    assert read is not None
    await adapter.get_product("99999999")
    await adapter.changes_since(datetime.now(UTC), timedelta(minutes=5))
    await adapter.register_webhooks("http://127.0.0.1:9/hooks")
    hooks = sandbox.store.webhooks
    next(iter(hooks.values())).status = "disabled"
    await adapter.register_webhooks("http://127.0.0.1:9/hooks")
    variant = read.variants[0]
    draft = OrderDraft(tiktok_order_id="5769" + uuid.uuid4().hex[:10], currency="USD", subtotal=Decimal("10"),
                       tax=Decimal("0.80"), shipping=Decimal("2"), total=Decimal("12.80"),
                       lines=[OrderLine(read.id, variant.id, variant.sku, read.title, 1, Decimal("10"))],
                       shipping_address=Address(name="Ada Buyer", line1="1 Main", city="Austin", country_code="US"))
    ref = await adapter.create_order(draft)
    await adapter.create_order(draft)
    await adapter.add_order_note(ref, "note", tags=["TikTok Shop"])
    await adapter.fulfil_order(ref, Fulfilment(id="", carrier="USPS", tracking_number="9400100000000000000000"))
    await adapter.fulfilments(ref)
    await adapter.set_order_status(ref, StoreOrderStatus.COMPLETED)
    await adapter.cancel_order(ref, "Cancelled on TikTok Shop")
    await adapter.carrier_names()


@pytest.mark.parametrize("auth_mode", [None, "oauth"])
async def test_every_adapter_request_is_a_known_route_method_and_args(
        store: tuple[WooCommerceSandbox, RunningServer], auth_mode: str | None) -> None:
    sandbox, server = store
    recorder = Recorder()
    options: dict[str, Any] = {"transport": recorder}
    if auth_mode:
        options["auth_mode"] = auth_mode
    adapter = WooCommerceAdapter(server.url, sandbox.credentials(), **options)
    try:
        await _workflow(adapter, sandbox, server)
    finally:
        await adapter.aclose()
    assert len(recorder.seen) > 20
    found = [p for seen in recorder.seen for p in problems(*seen)]
    assert found == []
    assert all("oauth_signature" in query for _, _, query, _ in recorder.seen)  # http: OAuth 1.0a, never Basic


def test_the_checker_itself_rejects_unknown_routes_methods_args_and_enum_values() -> None:
    assert problems("GET", "/wp-json/wc/v3/nope", {}, None) == ["no route matches /wc/v3/nope"]
    assert problems("DELETE", "/wp-json/wc/v3/orders", {}, None)
    assert problems("GET", "/wp-json/wc/v3/products", {"colour": "red"}, None)
    assert problems("GET", "/wp-json/wc/v3/products", {"orderby": "modified"}, None)
    assert problems("POST", "/wp-json/wc/v3/orders", {}, {"created_via": "feedbridge"})
    assert problems("GET", "/wp-json/wc/v3/products", {"per_page": "250"}, None)
    assert problems("GET", "/wp-json/wc/v3/products", {"modified_after": "2024-01-01T00:00:00"}, None) == []
    assert problems("POST", "/wp-json/wc/v3/orders", {}, {"line_items": [{"product_id": 1, "colour": "red"}]})
    assert problems("POST", "/wp-json/wc/v3/orders", {}, {"billing": {"vat": "x"}})
    assert problems("POST", "/wp-json/wc/v3/orders", {}, {"line_items": [{"product_id": 1, "quantity": 2}],
                                                         "billing": {"email": "a@b.c"}}) == []
