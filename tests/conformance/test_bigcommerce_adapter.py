"""BigCommerce adapter behaviours beyond the shared store contract, against the sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from feedbridge.domain.orders import Address, Fulfilment, OrderDraft, OrderLine
from feedbridge.errors import ConfigError, DataError
from feedbridge.stores.bigcommerce.adapter import CHANNEL_NAME, WEBHOOK_SCOPES, BigCommerceAdapter
from tests.contract.harness_bigcommerce import Harness


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    h = Harness()
    h.start()
    try:
        yield h
    finally:
        h.stop()


def _draft(product_id: str, variant_id: str, sku: str) -> OrderDraft:
    return OrderDraft(
        tiktok_order_id="5790" + uuid.uuid4().hex[:14], currency="USD", subtotal=Decimal("10.00"),
        total=Decimal("10.00"), email="b@example.com",
        lines=[OrderLine(store_product_id=product_id, store_variant_id=variant_id, sku=sku, title="t",
                         quantity=3, unit_price=Decimal("10.00") / 3)],
        shipping_address=Address(name="Bo", line1="1 Main", city="Austin", state="TX", postal_code="78701",
                                 country_code="US"))


def test_missing_credentials_are_a_config_error_naming_them() -> None:
    with pytest.raises(ConfigError) as caught:
        BigCommerceAdapter("https://api.bigcommerce.com", {"store_hash": "abc", "access_token": "t"})
    assert "client_secret" in str(caught.value)


async def test_the_tiktok_channel_is_created_once_and_found_by_the_next_connection(harness: Harness) -> None:
    first, second = harness.adapter(), harness.adapter()
    try:
        assert isinstance(first, BigCommerceAdapter) and isinstance(second, BigCommerceAdapter)
        channel = await first.channel_id()
        assert await second.channel_id() == channel
        listed = (await harness._call("GET", "/v3/channels")).json()["data"]
        assert [c["id"] for c in listed if c["name"] == CHANNEL_NAME] == [channel]
        assert next(c for c in listed if c["id"] == channel)["platform"] == "tiktok"
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_configured_channel_id_is_used_without_looking_it_up(harness: Harness) -> None:
    adapter = BigCommerceAdapter(harness.base_url, {**harness.manifest["credentials"], "channel_id": 1})
    try:
        assert await adapter.channel_id() == 1
    finally:
        await adapter.aclose()


async def test_fulfilling_without_lines_ships_what_is_left_then_refuses(harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=1)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        variant = product.variants[0]
        ref = await adapter.create_order(_draft(product.id, variant.id, variant.sku))
        shipped = await adapter.fulfil_order(ref, Fulfilment(id="", carrier="Pigeon Post", tracking_number="P1"))
        assert shipped.lines[0].quantity == 3 and shipped.lines[0].store_variant_id == variant.id
        assert (await adapter.fulfilments(ref))[0].carrier == "Pigeon Post"
        with pytest.raises(DataError):
            await adapter.fulfil_order(ref, Fulfilment(id="", carrier="UPS", tracking_number="P2"))
    finally:
        await adapter.aclose()


async def test_registering_again_reactivates_a_hook_the_store_switched_off(harness: Harness) -> None:
    adapter = harness.adapter()
    url = "https://feedbridge.example/webhooks/bc-" + uuid.uuid4().hex[:6]
    try:
        first = await adapter.register_webhooks(url)
        assert sorted(r.topic for r in first) == sorted(WEBHOOK_SCOPES)
        await harness._call("PUT", f"/v3/hooks/{first[0].id}", json={"is_active": False})
        again = await adapter.register_webhooks(url)
        assert [r.id for r in again] == [r.id for r in first] and all(r.active for r in again)
        hooks = (await harness._call("GET", "/v3/hooks", params={"destination": url})).json()["data"]
        assert len(hooks) == len(WEBHOOK_SCOPES) and all(h["is_active"] for h in hooks)
    finally:
        # nothing listens at that address: remove the hooks so later tests do not send to it
        hooks = (await harness._call("GET", "/v3/hooks", params={"destination": url})).json()["data"]
        for hook in hooks:
            await harness._call("DELETE", f"/v3/hooks/{hook['id']}")
        await adapter.aclose()


async def test_order_lines_keep_the_price_the_buyer_paid(harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        variant = product.variants[1]
        ref = await adapter.create_order(_draft(product.id, variant.id, variant.sku))
        store = harness.sandbox.store
        async with httpx.AsyncClient(headers={"X-Auth-Token": store.access_token}) as http:
            lines = (await http.get(f"{harness.base_url}/stores/{store.store_hash}/v2/orders/{ref.id}/products")).json()
        assert lines[0]["variant_id"] == int(variant.id) and lines[0]["price_inc_tax"] == "3.3300"
    finally:
        await adapter.aclose()
