"""feedbridge.tiktok against the TikTok sandbox on a real loopback port: the client, OAuth, mappers and webhooks
end to end (signing, shop_cipher rules, token refresh, pagination, listings, orders, fulfilment)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import TikTokError
from feedbridge.tiktok.mappers import order_from_payload, package_from_payload, product_from_payload
from feedbridge.tiktok.oauth import TokenRefresher, Tokens, authorized_shops, exchange_code
from feedbridge.tiktok.regions import region
from feedbridge.tiktok.webhooks import WebhookType, subscribe, verified_event
from feedbridge_sandbox.core import serve
from feedbridge_sandbox.tiktok import create_sandbox
from feedbridge_sandbox.tiktok.images import png_bytes
from tests.contract.receiver import Receiver


@pytest.fixture(scope="module")
def manifest() -> Iterator[dict[str, Any]]:
    sandbox = create_sandbox(seed=False, review_delay=3600, on_hold_seconds=600, webhook_retry_delays=(0.2, 0.4))
    server = serve(sandbox.app)
    try:
        yield sandbox.manifest(server.url)
    finally:
        server.stop()


def control(manifest: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    """Call the sandbox control API (the buyer's and TikTok's side of the world)."""
    response = httpx.request(method, f"{manifest['control_url']}{path}", json=body, timeout=30)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


@pytest.fixture
def shop(manifest: dict[str, Any]) -> dict[str, Any]:
    control(manifest, "POST", "/reset")
    control(manifest, "POST", "/ratelimit", {"limit": 50, "window": 1.0})
    return next(s for s in manifest["shops"] if s["region"] == "US")


@pytest.fixture
async def client(manifest: dict[str, Any], shop: dict[str, Any]) -> AsyncIterator[TikTokClient]:
    async with TikTokClient(
        manifest["api_url"], manifest["app_key"], manifest["app_secret"],
        access_token=shop["access_token"], shop_cipher=shop["cipher"],
    ) as c:
        yield c


async def listable_leaf(client: TikTokClient, version: str) -> tuple[str, list[dict[str, Any]]]:
    """A leaf category open to the shop, with no required certification; and its product attributes to send."""
    categories = (await client.get_categories(category_version=version))["categories"]
    for category in categories:
        if not category.get("is_leaf") or "AVAILABLE" not in (category.get("permission_statuses") or []):
            continue
        rules = await client.get_category_rules(category["id"], category_version=version)
        if any(c.get("is_required") for c in rules.get("product_certifications") or []):
            continue
        attributes = (await client.get_attributes(category["id"], category_version=version))["attributes"]
        values = []
        for attribute in attributes:
            if attribute.get("type") == "PRODUCT_PROPERTY" and attribute.get("is_requried"):
                choice = (attribute.get("values") or [{"name": "Other"}])[0]
                value = {"id": choice["id"]} if choice.get("id") else {"name": choice["name"]}
                values.append({"id": attribute["id"], "values": [value]})
        return str(category["id"]), values
    raise AssertionError("the sandbox offers no listable leaf category")


async def create_listing(client: TikTokClient, shop: dict[str, Any], title: str = "Organic Cotton Tee") -> str:
    version = region(shop["region"]).category_version
    category_id, attributes = await listable_leaf(client, version)
    image = await client.upload_image(png_bytes(800, 800), use_case="MAIN_IMAGE", filename="tee.png",
                                      content_type="image/png")
    created = await client.create_product({
        "title": title,
        "description": "<p>A soft organic cotton tee.</p>",
        "category_id": category_id,
        "category_version": version,
        "main_images": [{"uri": image["uri"]}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "package_dimensions": {"length": "30", "width": "20", "height": "3", "unit": "CENTIMETER"},
        "product_attributes": attributes,
        "skus": [
            {
                "seller_sku": "TEE-M",
                "sales_attributes": [{"name": "Size", "value_name": "M"}],
                "price": {"amount": "19.99", "currency": shop["currency"]},
                "inventory": [{"warehouse_id": shop["warehouse_id"], "quantity": 10}],
            }
        ],
    })
    return str(created["product_id"])


async def test_authorized_shops_include_the_shop_with_its_cipher(
    client: TikTokClient, shop: dict[str, Any]
) -> None:
    shops = await authorized_shops(client)
    assert (shop["id"], shop["cipher"], "US") in {(s.id, s.cipher, s.region) for s in shops}


async def test_warehouses_delivery_options_and_carriers_chain_together(
    client: TikTokClient, shop: dict[str, Any]
) -> None:
    warehouses = await client.get_warehouses()
    assert shop["warehouse_id"] in {w["id"] for w in warehouses}
    options = await client.get_delivery_options(shop["warehouse_id"])
    # Only seller-shipped options have carriers; TikTok-shipped ones answer 21008117.
    own = [o for o in options if o.get("type") == "SEND_BY_SELLER"]
    assert own
    providers = [p for o in own for p in await client.get_shipping_providers(o["id"])]
    names = {p["name"] for p in providers}
    assert "USPS" in names  # one of regions.py's hints for US carriers
    assert set(region("US").shipping_providers) & names


async def test_listing_is_created_reviewed_priced_stocked_found_and_removed(
    client: TikTokClient, manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    product_id = await create_listing(client, shop)
    pending = product_from_payload(await client.get_product(product_id))
    assert pending.status == "PENDING"
    control(manifest, "POST", f"/products/{product_id}/review", {"result": "approve"})

    product = product_from_payload(await client.get_product(product_id))
    assert product.status == "ACTIVATE"
    sku = product.sku_by_seller_sku("TEE-M")
    assert sku is not None and sku.price == Decimal("19.99") and sku.quantity == 10

    await client.update_price(product_id, [{"id": sku.id, "price": {"amount": "24.50", "currency": "USD"}}])
    result = await client.update_inventory(
        product_id, [{"id": sku.id, "inventory": [{"warehouse_id": shop["warehouse_id"], "quantity": 3}]}]
    )
    assert not result.get("errors")
    updated = product_from_payload(await client.get_product(product_id)).skus[0]
    assert (updated.price, updated.quantity) == (Decimal("24.50"), 3)

    found = [p async for p in client.iter_products(page_size=1, seller_skus=["TEE-M"])]
    assert [p["id"] for p in found] == [product_id]

    assert not (await client.deactivate_products([product_id]))["errors"]
    assert product_from_payload(await client.get_product(product_id)).status == "SELLER_DEACTIVATED"
    assert not (await client.delete_products([product_id]))["errors"]


async def test_listing_error_carries_code_message_and_request_id(client: TikTokClient, shop: dict[str, Any]) -> None:
    with pytest.raises(TikTokError) as info:
        await create_listing(client, shop, title="T" * 300)
    assert info.value.code == 12052051
    assert info.value.message
    assert info.value.request_id


async def test_pagination_reads_every_order(
    client: TikTokClient, manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    product_id = await create_listing(client, shop)
    control(manifest, "POST", f"/products/{product_id}/review", {"result": "approve"})
    placed = {
        control(manifest, "POST", "/buyer/orders", {"shop_id": shop["id"], "items": [{"seller_sku": "TEE-M", "quantity": 1}]})["id"]
        for _ in range(5)
    }
    seen = [o["id"] async for o in client.iter_orders(page_size=2)]
    assert sorted(seen) == sorted(placed)


async def test_order_is_read_grouped_by_sku_and_shipped_with_tracking(
    client: TikTokClient, manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    product_id = await create_listing(client, shop)
    control(manifest, "POST", f"/products/{product_id}/review", {"result": "approve"})
    placed = control(manifest, "POST", "/buyer/orders", {
        "shop_id": shop["id"], "items": [{"seller_sku": "TEE-M", "quantity": 2}], "pay": True,
        "buyer_message": "Gift wrap please", "shipping_type": "SELLER",
    })
    order = order_from_payload((await client.get_order_detail([placed["id"]]))[0])
    assert order.status == "ON_HOLD" and not order.can_fulfil

    control(manifest, "POST", "/clock/advance", {"seconds": 601})
    control(manifest, "POST", "/tick")
    order = order_from_payload((await client.get_order_detail([placed["id"]]))[0])
    assert order.status == "AWAITING_SHIPMENT" and order.can_fulfil
    [line] = order.lines
    assert (line.seller_sku, line.quantity) == ("TEE-M", 2)
    assert order.buyer_message == "Gift wrap please"
    assert order.address.postal_code

    providers = await client.get_shipping_providers(order.delivery_option_id)
    usps = next(p for p in providers if p["name"] == "USPS")
    [package_id] = order.package_ids
    await client.ship_package(package_id, tracking_number="9400111899223197428490", shipping_provider_id=usps["id"])
    package = package_from_payload(await client.get_package_detail(package_id))
    assert package.tracking_number == "9400111899223197428490"
    assert package.shipping_provider_id == usps["id"]
    shipped = order_from_payload((await client.get_order_detail([placed["id"]]))[0])
    assert shipped.status in ("AWAITING_COLLECTION", "IN_TRANSIT")


async def test_expired_token_is_refreshed_through_the_auth_host_and_the_call_retried(
    manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    control(manifest, "POST", "/tokens/expire", {"shop_id": shop["id"]})
    tokens = Tokens.from_payload({
        "access_token": shop["access_token"], "refresh_token": shop["refresh_token"],
        "access_token_expire_in": 1, "refresh_token_expire_in": 4102444800,
    })
    saved: list[Tokens] = []

    async def on_refresh(new: Tokens) -> None:
        saved.append(new)

    refresher = TokenRefresher(manifest["auth_url"], manifest["app_key"], manifest["app_secret"], tokens,
                               on_refresh=on_refresh)
    async with TikTokClient(
        manifest["api_url"], manifest["app_key"], manifest["app_secret"],
        access_token=shop["access_token"], shop_cipher=shop["cipher"], token_provider=refresher,
    ) as client:
        assert await client.get_warehouses()
        assert client.access_token != shop["access_token"]
    assert [t.access_token for t in saved] == [client.access_token]


async def test_authorization_code_becomes_tokens_that_reach_the_shop(
    manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    grant = control(manifest, "POST", "/authorize", {"shop_id": shop["id"]})
    tokens = await exchange_code(manifest["auth_url"], manifest["app_key"], manifest["app_secret"], grant["code"])
    async with TikTokClient(
        manifest["api_url"], manifest["app_key"], manifest["app_secret"],
        access_token=tokens.access_token, shop_cipher=shop["cipher"],
    ) as client:
        assert shop["id"] in {s.id for s in await authorized_shops(client)}


async def test_webhook_subscription_delivers_signed_events_we_can_verify(
    client: TikTokClient, manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    receiver = Receiver()
    address = receiver.start() + "/webhooks/tiktok"
    try:
        await subscribe(client, address)
        assert {w["event_type"] for w in await client.get_webhooks()} >= {"ORDER_STATUS_CHANGE", "PRODUCT_STATUS_CHANGE"}
        product_id = await create_listing(client, shop)
        control(manifest, "POST", f"/products/{product_id}/review", {"result": "approve"})
        control(manifest, "POST", "/webhooks/drain")
        events = [
            verified_event(manifest["app_key"], manifest["app_secret"], hook.body, hook.headers.get("authorization"))
            for hook in receiver.received
        ]
    finally:
        receiver.stop()
    status_events = [e for e in events if e.type == WebhookType.PRODUCT_STATUS_CHANGE]
    assert status_events and all(e.product_id == product_id for e in status_events)
    assert all(e.shop_id == shop["id"] for e in events)


async def test_bursts_stay_within_the_rate_limit_without_failing(
    manifest: dict[str, Any], shop: dict[str, Any]
) -> None:
    control(manifest, "POST", "/ratelimit", {"limit": 10, "window": 1.0})
    async with TikTokClient(
        manifest["api_url"], manifest["app_key"], manifest["app_secret"],
        access_token=shop["access_token"], shop_cipher=shop["cipher"], rate=10,
    ) as client:
        results = await asyncio.gather(*(client.get_warehouses() for _ in range(25)))
    assert all(results)
