"""Polling Magento for changes: nothing missed at page edges, a changed child names its configurable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from feedbridge.domain.catalog import ChangeKind
from feedbridge.domain.orders import Address, OrderDraft, OrderLine
from feedbridge.errors import DataError
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


async def test_more_changes_in_one_second_than_a_page_are_all_found(harness: Harness) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    created = await harness.create_products(8, variants=1)
    adapter = MagentoAdapter(harness.base_url, harness.credentials, poll_page_size=3)
    try:
        page = await adapter.changes_since(start, overlap=timedelta(seconds=2))
    finally:
        await adapter.aclose()
    seen = [e.object_id for e in page.events]
    assert set(created) <= set(seen)
    assert len(seen) == len(set(seen)), "a product was reported twice"
    assert page.watermark >= start


async def test_changed_child_is_reported_as_its_configurable(harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = MagentoAdapter(harness.base_url, harness.credentials)
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        child = product.variants[1]
        mark = datetime.now(UTC) + timedelta(seconds=5)
        await harness.control("POST", "/_sandbox/clock/advance", {"seconds": 10})
        await harness.set_variant(product_id, child.id, price=Decimal("12.00"))
        page = await adapter.changes_since(mark, overlap=timedelta(0))
    finally:
        await adapter.aclose()
    [event] = page.events
    assert event.kind == ChangeKind.PRODUCT_UPDATED
    assert event.object_id == product_id and event.variant_id == child.id
    assert event.event_id and page.watermark > mark


async def test_magento_sends_no_webhooks_so_none_are_registered_or_accepted(harness: Harness) -> None:
    adapter = harness.adapter()
    try:
        assert adapter.capabilities.webhooks is False
        assert await adapter.register_webhooks("https://example.com/hook") == []
        assert adapter.verify_webhook({}, b"{}") is False
        with pytest.raises(DataError):
            adapter.parse_webhook({}, b"{}")
    finally:
        await adapter.aclose()


async def test_order_in_the_window_reports_its_products_stock_as_changed(harness: Harness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = MagentoAdapter(harness.base_url, harness.credentials)
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        child = product.variants[0]
        await harness.control("POST", "/_sandbox/clock/advance", {"seconds": 10})
        assert harness.sandbox is not None
        mark = harness.sandbox.clock.utcnow().replace(microsecond=0)  # after the product, before the order
        await adapter.create_order(OrderDraft(
            tiktok_order_id="577300000000000001", currency="USD", subtotal=Decimal(10), total=Decimal(10),
            lines=[OrderLine(product_id, child.id, child.sku, product.title, 1, Decimal(10))],
            shipping_address=Address(name="A B", line1="1 Main", city="Austin", postal_code="78701",
                                     country_code="US")))
        fresh = MagentoAdapter(harness.base_url, harness.credentials)  # knows no parents yet
        page = await fresh.changes_since(mark, overlap=timedelta(0))
        await fresh.aclose()
    finally:
        await adapter.aclose()
    stock_events = [e for e in page.events if e.kind == ChangeKind.INVENTORY_UPDATED]
    assert [(e.object_id, e.variant_id) for e in stock_events] == [(product_id, child.id)]
