"""Every TikTokClient method sends a request that tiktok-shop-endpoints.json allows.

For each public client method we capture the request it sends (respx) and check it against the documented
endpoint: method and path known; required query, path, header and body parameters present; no parameter the
docs do not list; `shop_cipher` present where required and absent where not accepted; and a valid `sign`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from feedbridge.tiktok import endpoints as ep
from feedbridge.tiktok.client import TikTokClient
from tests.unit.tiktok.clienttools import API_URL, APP_KEY, APP_SECRET, expected_sign, is_multipart
from tests.unit.tiktok.specs import endpoints as spec_endpoints

WAREHOUSE = "7068517275539719942"
PRODUCT: dict[str, Any] = {
    "title": "Organic Cotton Tee",
    "description": "<p>Soft organic cotton tee.</p>",
    "category_id": "601226",
    "category_version": "v2",
    "main_images": [{"uri": "tos-maliva-i-o3syd03w52-us/main1"}],
    "skus": [
        {
            "seller_sku": "TEE-RED-M",
            "external_sku_id": "gid://shopify/ProductVariant/1",
            "sales_attributes": [{"name": "Color", "value_name": "Red"}],
            "price": {"amount": "19.99", "currency": "USD"},
            "inventory": [{"warehouse_id": WAREHOUSE, "quantity": 10}],
            "identifier_code": {"code": "00012345678905", "type": "GTIN"},
        }
    ],
    "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
    "package_dimensions": {"length": "30", "width": "20", "height": "3", "unit": "CENTIMETER"},
    "product_attributes": [{"id": "100392", "values": [{"name": "Cotton"}]}],
    "external_product_id": "gid://shopify/Product/1",
    "idempotency_key": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
}
EDIT = {**PRODUCT, "skus": [{**PRODUCT["skus"][0], "id": "1729592969712207012"}]}
EDIT.pop("idempotency_key")


async def drain(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


Call = Callable[[TikTokClient], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "get_authorized_shops": lambda c: c.get_authorized_shops(),
    "get_categories": lambda c: c.get_categories(category_version="v2", locale="en-US"),
    "get_category_rules": lambda c: c.get_category_rules("601226", category_version="v2"),
    "get_attributes": lambda c: c.get_attributes("601226", category_version="v2", locale="en-US"),
    "recommend_category": lambda c: c.recommend_category(
        "Organic Cotton Tee", description="<p>Tee</p>", images=["tos/uri"], category_version="v2"
    ),
    "get_brands": lambda c: c.get_brands(category_id="601226", brand_name="Acme", is_authorized=True),
    "iter_brands": lambda c: drain(c.iter_brands(category_version="v2")),
    "get_warehouses": lambda c: c.get_warehouses(),
    "check_listing_prerequisites": lambda c: c.check_listing_prerequisites(),
    "upload_image": lambda c: c.upload_image(b"\xff\xd8\xff fake jpeg", use_case="MAIN_IMAGE"),
    "create_product": lambda c: c.create_product(PRODUCT),
    "edit_product": lambda c: c.edit_product("1729592969712207008", EDIT),
    "partial_edit_product": lambda c: c.partial_edit_product("1729592969712207008", {"title": "New title"}),
    "update_price": lambda c: c.update_price(
        "1729592969712207008", [{"id": "1729592969712207012", "price": {"amount": "21.00", "currency": "USD"}}]
    ),
    "update_inventory": lambda c: c.update_inventory(
        "1729592969712207008",
        [{"id": "1729592969712207012", "inventory": [{"warehouse_id": WAREHOUSE, "quantity": 5}]}],
    ),
    "search_inventory": lambda c: c.search_inventory(sku_ids=["1729592969712207012"]),
    "search_products": lambda c: c.search_products(status="ACTIVATE", seller_skus=["TEE-RED-M"], update_time_ge=1),
    "iter_products": lambda c: drain(c.iter_products(status="ALL")),
    "get_product": lambda c: c.get_product("1729592969712207008", return_under_review_version=False),
    "activate_products": lambda c: c.activate_products(["1729592969712207008"]),
    "deactivate_products": lambda c: c.deactivate_products(["1729592969712207008"]),
    "delete_products": lambda c: c.delete_products(["1729592969712207008"]),
    "search_orders": lambda c: c.search_orders(
        sort_field="update_time", sort_order="ASC", update_time_ge=1700000000, order_status="AWAITING_SHIPMENT"
    ),
    "iter_orders": lambda c: drain(c.iter_orders(update_time_ge=1700000000)),
    "get_order_detail": lambda c: c.get_order_detail(["576461413038785752", "576461413038785753"]),
    "get_delivery_options": lambda c: c.get_delivery_options(WAREHOUSE, scope="WAREHOUSE"),
    "get_shipping_providers": lambda c: c.get_shipping_providers("7091146663229654785"),
    "search_packages": lambda c: c.search_packages(package_status="PROCESSING", update_time_ge=1),
    "iter_packages": lambda c: drain(c.iter_packages(update_time_ge=1)),
    "get_package_detail": lambda c: c.get_package_detail("1152321127278713123"),
    "ship_package": lambda c: c.ship_package(
        "1152321127278713123", tracking_number="1Z999AA10123456784", shipping_provider_id="6617675021119438849"
    ),
    "update_package_shipping_info": lambda c: c.update_package_shipping_info(
        "1152321127278713123", tracking_number="1Z999AA10123456784", shipping_provider_id="6617675021119438849"
    ),
    "update_order_shipping_info": lambda c: c.update_order_shipping_info(
        "576461413038785752", tracking_number="1Z999AA10123456784", shipping_provider_id="6617675021119438849"
    ),
    "mark_package_as_shipped": lambda c: c.mark_package_as_shipped(
        "576461413038785752",
        tracking_number="1Z999AA10123456784",
        shipping_provider_id="6617675021119438849",
        order_line_item_ids=["577086512123755123"],
    ),
    "search_cancellations": lambda c: c.search_cancellations(order_ids=["576461413038785752"], update_time_ge=1),
    "iter_cancellations": lambda c: drain(c.iter_cancellations(update_time_ge=1)),
    "search_returns": lambda c: c.search_returns(return_status=["AWAITING_BUYER_SHIP"], update_time_ge=1),
    "iter_returns": lambda c: drain(c.iter_returns(update_time_ge=1)),
    "get_webhooks": lambda c: c.get_webhooks(),
    "update_webhook": lambda c: c.update_webhook("ORDER_STATUS_CHANGE", "https://feedbridge.example/webhooks/tiktok"),
    "delete_webhook": lambda c: c.delete_webhook("ORDER_STATUS_CHANGE"),
}

# Methods that are not one API operation.
NOT_ENDPOINTS = {"request", "aclose", "set_access_token"}


def public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(TikTokClient, inspect.isfunction)
        if not name.startswith("_") and name not in NOT_ENDPOINTS
    }


# ---- the spec as a checker ------------------------------------------------------------------------------


def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(path)) + "$")


def find_spec(method: str, path: str) -> dict[str, Any] | None:
    for item in spec_endpoints():
        if item["method"] == method and _template_regex(item["path"]).match(path):
            return item
    return None


def param_tree(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rebuild nesting from the docs' depth numbers: each param belongs to the last shallower one."""
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(-1, root)]
    for param in params:
        node = {"name": param["name"], "type": param["type"], "required": param["required"], "children": []}
        while stack[-1][0] >= param["depth"]:
            stack.pop()
        stack[-1][1].append(node)
        stack.append((param["depth"], node["children"]))
    return root


def check_value(value: Any, nodes: list[dict[str, Any]], where: str, problems: list[str]) -> None:
    if not nodes:
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, nodes, f"{where}[{index}]", problems)
        return
    if not isinstance(value, dict):
        problems.append(f"{where} should be an object, got {type(value).__name__}")
        return
    known = {node["name"] for node in nodes}
    for node in nodes:
        if node["required"] and node["name"] not in value:
            problems.append(f"required body field {where}{node['name']} missing")
        elif node["name"] in value:
            check_value(value[node["name"]], node["children"], f"{where}{node['name']}.", problems)
    for extra in sorted(set(value) - known):
        problems.append(f"body field {where}{extra} is not documented")


def problems_with(request: httpx.Request) -> list[str]:
    """Everything about one captured request that the endpoint spec does not allow."""
    spec = find_spec(request.method, request.url.path)
    if spec is None:
        return [f"{request.method} {request.url.path} is not a documented endpoint"]
    problems: list[str] = []
    sent = dict(request.url.params)
    documented = {p["name"]: p for p in spec["query_params"]}
    for name, param in documented.items():
        if param["required"] and not sent.get(name):
            problems.append(f"required query param {name} missing")
    for name in sorted(set(sent) - set(documented)):
        problems.append(f"query param {name} is not documented for this endpoint")
    if "shop_cipher" in sent and "shop_cipher" not in documented:
        problems.append("shop_cipher sent where it is not accepted")
    for header in spec["request_headers"]:
        if header["required"] and not request.headers.get(header["name"]):
            problems.append(f"required header {header['name']} missing")
        wants_multipart = header["name"] == "content-type" and "multipart/form-data" in header.get("desc", "")
        if wants_multipart and not is_multipart(request):
            problems.append("endpoint needs multipart/form-data")
    if sent.get("sign") != expected_sign(request):
        problems.append("sign does not match the request")
    body_nodes = param_tree(spec["body_params"])
    if is_multipart(request):
        fields = set(re.findall(rb'form-data; name="([^"]+)"', request.content))
        names = {f.decode() for f in fields}
        for node in body_nodes:
            if node["required"] and node["name"] not in names:
                problems.append(f"required form field {node['name']} missing")
        problems += [f"form field {n} is not documented" for n in sorted(names - {n["name"] for n in body_nodes})]
    elif request.content:
        if not body_nodes:
            problems.append("a body was sent to an endpoint that takes none")
        else:
            check_value(json.loads(request.content), body_nodes, "", problems)
    elif any(node["required"] for node in body_nodes):
        problems.append("required body missing")
    return problems


# ---- the tests ----------------------------------------------------------------------------------------


def test_every_public_client_method_has_a_conformance_case() -> None:
    assert public_methods() == set(CALLS)


@pytest.mark.parametrize("endpoint", ep.ALL, ids=[e.key for e in ep.ALL])
def test_endpoint_table_matches_the_spec_cipher_rule(endpoint: ep.Endpoint) -> None:
    matches = [s for s in spec_endpoints() if s["method"] == endpoint.method and s["path"] == endpoint.path]
    assert matches, f"{endpoint.key} is not in the spec"
    cipher = {p["name"]: p for p in matches[0]["query_params"]}.get("shop_cipher")
    expected = "none" if cipher is None else "required" if cipher["required"] else "optional"
    assert endpoint.cipher == expected


@pytest.fixture
async def captured() -> AsyncIterator[tuple[TikTokClient, respx.MockRouter]]:
    with respx.mock(base_url=API_URL) as router:
        router.route().mock(
            return_value=httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "r", "data": {}})
        )
        async with TikTokClient(
            API_URL, APP_KEY, APP_SECRET, access_token="access-token-one", shop_cipher="ROW_cipher_abc"
        ) as client:
            yield client, router


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_client_method_request_conforms_to_spec(
    name: str, captured: tuple[TikTokClient, respx.MockRouter]
) -> None:
    client, router = captured
    await CALLS[name](client)
    assert router.calls, f"{name} sent nothing"
    for call in router.calls:
        assert problems_with(call.request) == [], f"{name}: {call.request.method} {call.request.url.path}"


async def test_every_endpoint_in_the_table_is_exercised(captured: tuple[TikTokClient, respx.MockRouter]) -> None:
    client, router = captured
    for call in CALLS.values():
        await call(client)
    hit = set()
    for c in router.calls:
        for endpoint in ep.ALL:
            if c.request.method == endpoint.method and _template_regex(endpoint.path).match(c.request.url.path):
                hit.add(endpoint.key)
    assert hit == {e.key for e in ep.ALL}


def test_checker_catches_a_missing_cipher_an_unexpected_cipher_and_a_missing_field() -> None:
    def signed(method: str, path: str, params: dict[str, str], body: bytes = b"") -> httpx.Request:
        from feedbridge.tiktok.signing import sign

        query = {**params, "app_key": APP_KEY, "timestamp": "1700000000"}
        query["sign"] = sign(APP_SECRET, path, query, body)
        headers = {"x-tts-access-token": "t", "content-type": "application/json"}
        return httpx.Request(method, API_URL + path, params=query, headers=headers, content=body or None)

    assert "required query param shop_cipher missing" in problems_with(signed("GET", "/logistics/202309/warehouses", {}))
    assert "shop_cipher sent where it is not accepted" in problems_with(
        signed("GET", "/authorization/202309/shops", {"shop_cipher": "c"})
    )
    body = json.dumps({"event_type": "ORDER_STATUS_CHANGE"}).encode()
    assert "required body field address missing" in problems_with(
        signed("PUT", "/event/202309/webhooks", {"shop_cipher": "c"}, body)
    )
    assert problems_with(signed("GET", "/nope/202309/x", {})) == ["GET /nope/202309/x is not a documented endpoint"]
