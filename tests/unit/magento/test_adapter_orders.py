"""Orders in Magento: labelled and keyed by the TikTok id, moved by invoices and shipments, cancel refused when
Magento cannot cancel."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from feedbridge.domain.catalog import Product
from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    OrderLine,
    StoreOrderStatus,
)
from feedbridge.errors import DataError, PlatformError
from feedbridge.stores.magento.adapter import MagentoAdapter
from tests.contract.harness_magento import Harness


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    h = Harness()
    h.start()
    try:
        yield h
    finally:
        h.stop()


def draft(product: Product, quantity: int = 1) -> OrderDraft:
    variant = product.variants[0]
    return OrderDraft(
        tiktok_order_id="5772" + uuid.uuid4().hex[:14], currency="USD", subtotal=Decimal(10) * quantity,
        total=Decimal(10) * quantity, lines=[OrderLine(product.id, variant.id, variant.sku, product.title, quantity,
                                                        Decimal("10.00"))],
        shipping_address=Address(name="Ada Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US"))


async def product_of(harness: Harness, adapter: MagentoAdapter) -> Product:
    [product_id] = await harness.create_products(1, variants=1)
    product = await adapter.get_product(product_id)
    assert product is not None
    return product


async def test_order_carries_tiktok_id_and_label_comment(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        order_draft = draft(await product_of(harness, adapter))
        ref = await adapter.create_order(order_draft)
        order = await adapter.client.get(f"/V1/orders/{ref.id}")
        comments = await adapter.client.get(f"/V1/orders/{ref.id}/comments")
    finally:
        await adapter.aclose()
    assert order["ext_order_id"] == order_draft.tiktok_order_id == ref.tiktok_order_id
    assert order["payment"]["method"] == "checkmo"
    assert order["grand_total"] == 10.0
    assert comments["items"][0]["comment"].startswith("[TikTok Shop]")


async def test_shipped_and_completed_order_becomes_complete_after_the_invoice(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        ref = await adapter.create_order(draft(await product_of(harness, adapter), 2))
        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="DHL", tracking_number="JD0001"))
        shipped = await adapter.find_order(ref.tiktok_order_id)
        assert shipped is not None and shipped.status == StoreOrderStatus.PROCESSING
        await adapter.set_order_status(ref, StoreOrderStatus.COMPLETED)
        done = await adapter.find_order(ref.tiktok_order_id)
        [fulfilment] = await adapter.fulfilments(ref)
    finally:
        await adapter.aclose()
    assert done is not None and done.status == StoreOrderStatus.COMPLETED
    assert fulfilment.carrier == "DHL" and fulfilment.lines[0].quantity == 2


async def test_invoiced_order_cannot_be_cancelled_and_says_what_to_do(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        ref = await adapter.create_order(draft(await product_of(harness, adapter)))
        await adapter.set_order_status(ref, StoreOrderStatus.PROCESSING)
        with pytest.raises(PlatformError) as err:
            await adapter.cancel_order(ref, "Buyer cancelled")
    finally:
        await adapter.aclose()
    assert "credit memo" in str(err.value)


async def test_shipping_a_sku_not_in_the_order_is_a_data_error(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        ref = await adapter.create_order(draft(await product_of(harness, adapter)))
        with pytest.raises(DataError):
            await adapter.fulfil_order(ref, Fulfilment(id="", carrier="DHL", tracking_number="X",
                                                       lines=(FulfilmentLine("999999", "NOPE", 1),)))
    finally:
        await adapter.aclose()


async def test_order_line_without_a_magento_product_id_is_refused(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        product = await product_of(harness, adapter)
        bad = draft(product)
        bad.lines = [OrderLine(product.id, "gid://nope", "X", "X", 1, Decimal(1))]
        with pytest.raises(DataError) as err:
            await adapter.create_order(bad)
    finally:
        await adapter.aclose()
    assert err.value.field == "lines.store_variant_id"
