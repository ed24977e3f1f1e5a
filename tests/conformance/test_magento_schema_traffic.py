"""Every request feedbridge sends to Magento, and every sandbox answer, fits the stored 2.4.9 Swagger schema."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    OrderLine,
    StoreOrderStatus,
)
from feedbridge.errors import PlatformError
from feedbridge.stores.magento.adapter import MagentoAdapter
from feedbridge.stores.magento.client import MagentoClient
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.magento import MagentoSandbox, create_sandbox
from feedbridge_sandbox.magento.seed import seed_catalog
from tests.unit.magento import swagger

Exchange = tuple[str, str, Any, int, Any]


def recorder(into: list[Exchange]) -> dict[str, list[Any]]:
    """httpx event hooks that keep (method, url, request JSON, status, response JSON) of every exchange."""

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        sent = json.loads(request.content) if request.content else None
        answer = response.json() if response.content else None
        into.append((request.method, str(request.url), sent, response.status_code, answer))

    return {"response": [on_response]}


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[MagentoSandbox, RunningServer]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        yield sandbox, server
    finally:
        server.stop()


async def test_seeding_requests_and_answers_fit_the_schema(store: tuple[MagentoSandbox, RunningServer]) -> None:
    sandbox, server = store
    exchanges: list[Exchange] = []
    await seed_catalog(server.url, sandbox.integration, recorder(exchanges))
    assert swagger.validate_exchanges(exchanges) > 50


async def test_adapter_traffic_fits_the_schema(store: tuple[MagentoSandbox, RunningServer]) -> None:
    sandbox, server = store
    if not sandbox.store.catalog.products:
        await seed_catalog(server.url, sandbox.integration)
    exchanges: list[Exchange] = []
    adapter = MagentoAdapter(server.url, sandbox.manifest(server.url)["credentials"], event_hooks=recorder(exchanges))
    try:
        await adapter.store_info()
        await adapter.locations()
        _ = [c async for c in adapter.categories()]
        products = [p async for page in adapter.products(page_size=4) for p in page]
        configurable = next(p for p in products if len(p.variants) > 1)
        assert await adapter.get_product(configurable.id) is not None
        assert await adapter.get_product("99999") is None
        await adapter.changes_since(datetime.now(UTC) - timedelta(minutes=5), timedelta(seconds=30))
        variant = configurable.variants[0]
        tiktok_id = "5769" + uuid.uuid4().hex[:14]
        draft = OrderDraft(
            tiktok_order_id=tiktok_id, currency="USD", subtotal=Decimal("48.00"), shipping=Decimal("4.99"),
            tax=Decimal("3.12"), seller_discount=Decimal("2.00"), platform_discount=Decimal("5.00"),
            total=Decimal("54.11"), email="buyer@scs.tiktokw.us",
            lines=[OrderLine(store_product_id=configurable.id, store_variant_id=variant.id, sku=variant.sku,
                             title=variant.title, quantity=2, unit_price=Decimal("24.00"))],
            shipping_address=Address(name="Ada Buyer", phone="5550100", line1="1 Main St", city="Austin",
                                     state="TX", postal_code="78701", country_code="US"),
            buyer_message="Gift wrap please")
        ref = await adapter.create_order(draft)
        assert (await adapter.create_order(draft)).id == ref.id
        await adapter.add_order_note(ref, "Packed", tags=["TikTok Shop"])
        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="United Parcel Service", tracking_number="1Z1",
                                                   lines=(FulfilmentLine(variant.id, variant.sku, 2),)))
        await adapter.set_order_status(ref, StoreOrderStatus.COMPLETED)
        assert await adapter.fulfilments(ref)
        other = await adapter.create_order(dataclasses.replace(draft, tiktok_order_id=tiktok_id + "9"))
        await adapter.cancel_order(other, "Buyer cancelled")
        await adapter.carrier_names()
    finally:
        await adapter.aclose()
    paths = {swagger.find_operation(m, u).template for m, u, *_ in exchanges}
    assert {"/V1/products", "/V1/orders", "/V1/order/{orderId}/ship", "/V1/shipments",
            "/V1/inventory/source-items", "/V1/configurable-products/{sku}/children"} <= paths
    assert swagger.validate_exchanges(exchanges) == len(exchanges)


async def test_error_answers_fit_the_error_schema(store: tuple[MagentoSandbox, RunningServer]) -> None:
    sandbox, server = store
    exchanges: list[Exchange] = []
    client = MagentoClient(server.url, sandbox.manifest(server.url)["credentials"], event_hooks=recorder(exchanges))
    try:
        assert await client.get("/V1/orders/424242", allow_404=True) is None
        assert await client.get("/V1/products/NO-SUCH-SKU", allow_404=True) is None
        with pytest.raises(PlatformError):
            await client.post("/V1/orders", {"entity": {"customer_email": "a@b.c", "grand_total": 1,
                                                        "base_grand_total": 1, "items": []}})
        with pytest.raises(PlatformError):
            await client.post("/V1/order/424242/ship", {"items": [{"order_item_id": 1, "qty": 1}]})
    finally:
        await client.aclose()
    assert sorted(status for *_, status, _ in exchanges) == [400, 404, 404, 404]
    assert swagger.validate_exchanges(exchanges) == 4
    async with httpx.AsyncClient(base_url=server.url) as http:
        refused = await http.get("/rest/default/V1/orders/1", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401
    swagger.validate_response("GET", "/rest/default/V1/orders/1", 401, refused.json())
    assert refused.json()["message"] and "parameters" in refused.json()


def test_validator_rejects_what_the_schema_does_not_allow() -> None:
    with pytest.raises(swagger.SchemaViolation):
        swagger.validate_request("POST", "/rest/default/V1/orders", {"entity": {"grand_total": 1}})
    with pytest.raises(swagger.SchemaViolation):
        swagger.validate_request("GET", "/rest/default/V1/orders?searchCriteria[colour]=red")
    with pytest.raises(swagger.SchemaViolation):
        swagger.validate_response("POST", "/rest/default/V1/order/1/ship", 200, {"id": 1})
    with pytest.raises(swagger.SchemaViolation):
        swagger.find_operation("GET", "/rest/default/V1/tiktok/orders")
