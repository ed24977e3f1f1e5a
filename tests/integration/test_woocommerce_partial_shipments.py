"""WooCommerce partial shipments: tracking plugins track whole orders, so feedbridge records which lines each
tracking number ships (order meta `_feedbridge_shipments`) and reads them back; without that record a tracking
entry ships the whole order. Runs the adapter against the WooCommerce sandbox, with and without the Shipment
Tracking extension."""

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
from feedbridge_sandbox.woocommerce import create_sandbox
from tests.contract.harness_woocommerce import Harness


@pytest.fixture(params=[True, False], ids=["shipment-tracking", "no-tracking-extension"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    made = Harness()
    made.sandbox = create_sandbox(seed=False, tracking_extension=request.param)
    made.start()
    try:
        yield made
    finally:
        made.stop()


def two_line_draft(product: Product) -> OrderDraft:
    first, second = product.variants[:2]
    lines = [OrderLine(store_product_id=product.id, store_variant_id=v.id, sku=v.sku, title=product.title,
                       quantity=quantity, unit_price=Decimal("10.00")) for v, quantity in ((first, 1), (second, 2))]
    return OrderDraft(
        tiktok_order_id="5780" + uuid.uuid4().hex[:14], currency="USD", lines=lines, subtotal=Decimal("30.00"),
        shipping=Decimal("0"), tax=Decimal("0"), total=Decimal("30.00"), email="buyer@example.com",
        shipping_address=Address(name="Ada Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US", phone="5550100"))


def line(variant_id: str, sku: str, quantity: int) -> FulfilmentLine:
    return FulfilmentLine(store_variant_id=variant_id, sku=sku, quantity=quantity)


async def test_each_tracking_number_ships_only_its_items_and_the_order_completes_when_all_shipped(
        harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        first, second = product.variants[:2]
        ref = await adapter.create_order(two_line_draft(product))

        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="UPS", tracking_number="1Z999AA10123456784",
                                                   lines=(line(second.id, second.sku, 2),)))
        [only] = await adapter.fulfilments(ref)
        assert only.lines == (line(second.id, second.sku, 2),), "the partial shipment carries only its items"
        after_first = await adapter.find_order(ref.tiktok_order_id)
        assert after_first is not None and after_first.status == StoreOrderStatus.PROCESSING, \
            "an order with items still to ship is not completed"

        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="USPS", tracking_number="9400111899223197428490",
                                                   lines=(line(first.id, first.sku, 1),)))
        shipped = {f.tracking_number: f.lines for f in await adapter.fulfilments(ref)}
        assert shipped == {"1Z999AA10123456784": (line(second.id, second.sku, 2),),
                           "9400111899223197428490": (line(first.id, first.sku, 1),)}
        done = await adapter.find_order(ref.tiktok_order_id)
        assert done is not None and done.status == StoreOrderStatus.COMPLETED
    finally:
        await adapter.aclose()


async def test_a_tracking_number_with_no_recorded_items_ships_the_whole_order(harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        ref = await adapter.create_order(two_line_draft(product))
        await adapter.fulfil_order(ref, Fulfilment(id="", carrier="UPS", tracking_number="1Z999AA10123456784"))
        [whole] = await adapter.fulfilments(ref)
        assert sorted((ln.store_variant_id, ln.quantity) for ln in whole.lines) == sorted(
            [(product.variants[0].id, 1), (product.variants[1].id, 2)])
    finally:
        await adapter.aclose()
