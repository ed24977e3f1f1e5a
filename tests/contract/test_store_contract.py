"""The store contract: every store adapter passes these against its sandbox."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from feedbridge.domain.catalog import ChangeKind
from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    OrderLine,
    StoreOrderStatus,
)
from tests.contract.harness import StoreHarness
from tests.contract.receiver import Receiver


async def _all_products(harness: StoreHarness, page_size: int) -> list:
    adapter = harness.adapter()
    try:
        return [p async for page in adapter.products(page_size=page_size) for p in page]
    finally:
        await adapter.aclose()


async def test_reads_whole_catalog_across_pages(harness: StoreHarness) -> None:
    before = {p.id for p in await _all_products(harness, 50)}
    created = await harness.create_products(7, variants=2)
    products = await _all_products(harness, page_size=3)
    ids = [p.id for p in products]
    assert len(ids) == len(set(ids)), "a product was read twice across pages"
    assert set(created) <= set(ids)
    assert set(ids) == before | set(created)
    for product in products:
        if product.id in created:
            assert len(product.variants) == 2
            assert all(v.sku.startswith("C-") for v in product.variants)


async def test_stock_per_location_and_prices(harness: StoreHarness) -> None:
    [product_id] = await harness.create_products(1, variants=2)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        variant = product.variants[0]
        locations = await harness.location_ids()
        stock = {loc: 3 + i * 4 for i, loc in enumerate(locations)}
        await harness.set_variant(product_id, variant.id, price=Decimal("19.99"),
                                  compare_at=Decimal("24.50"), stock=stock)
        again = await adapter.get_product(product_id)
        assert again is not None
        read = next(v for v in again.variants if v.id == variant.id)
        assert read.price == Decimal("19.99")
        assert read.compare_at_price == Decimal("24.50")
        if adapter.capabilities.locations:
            assert {k: v for k, v in read.stock.items() if k in stock} == stock
        else:
            assert read.total_stock == sum(stock.values())
        if read.salable is not None:
            assert read.salable <= read.total_stock
    finally:
        await adapter.aclose()


async def test_missing_product_reads_as_none(harness: StoreHarness) -> None:
    adapter = harness.adapter()
    try:
        assert await adapter.get_product("987654321") is None
    finally:
        await adapter.aclose()


async def test_webhook_verified_tampered_rejected_duplicate_has_same_id(harness: StoreHarness) -> None:
    adapter = harness.adapter()
    if not adapter.capabilities.webhooks:
        await adapter.aclose()
        pytest.skip(f"{harness.platform} has no webhooks; change detection polls")
    receiver = Receiver()
    url = receiver.start()
    try:
        await adapter.register_webhooks(url + "/webhooks/store")
        await adapter.register_webhooks(url + "/webhooks/store")  # idempotent
        [product_id] = await harness.create_products(1, variants=1)
        product = await adapter.get_product(product_id)
        assert product is not None
        await harness.set_variant(product_id, product.variants[0].id, price=Decimal("5.00"))
        await harness.control("POST", "/_sandbox/webhooks/drain")
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
        assert receiver.received, "the store sent no webhook"
        hook = receiver.received[-1]
        assert adapter.verify_webhook(hook.headers, hook.body)
        assert not adapter.verify_webhook(hook.headers, hook.body + b" ")
        assert not adapter.verify_webhook({k: v for k, v in hook.headers.items()
                                           if "sig" not in k.lower() and "hmac" not in k.lower()}, hook.body)
        events = adapter.parse_webhook(hook.headers, hook.body)
        assert any(e.object_id == product_id for e in events)
        again = adapter.parse_webhook(hook.headers, hook.body)
        assert [e.event_id for e in again] == [e.event_id for e in events]
        assert all(e.event_id for e in events), "events need an id to de-duplicate deliveries"
    finally:
        receiver.stop()
        await adapter.aclose()


async def test_polling_since_watermark_misses_nothing_at_page_edges(harness: StoreHarness) -> None:
    adapter = harness.adapter()
    try:
        start = datetime.now(UTC) - timedelta(seconds=2)
        created = await harness.create_products(5, variants=1)
        page = await adapter.changes_since(start, overlap=timedelta(seconds=5))
        seen = {e.object_id for e in page.events if e.kind == ChangeKind.PRODUCT_UPDATED}
        assert set(created) <= seen
        assert page.watermark >= start
    finally:
        await adapter.aclose()


def _draft(product, tiktok_id: str) -> OrderDraft:
    variant = product.variants[0]
    line = OrderLine(store_product_id=product.id, store_variant_id=variant.id, sku=variant.sku,
                     title=product.title, quantity=2, unit_price=Decimal("10.00"))
    return OrderDraft(
        tiktok_order_id=tiktok_id, currency="USD", lines=[line], subtotal=Decimal("20.00"),
        shipping=Decimal("3.00"), tax=Decimal("1.60"), total=Decimal("24.60"), email="buyer@example.com",
        shipping_address=Address(name="Ada Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US", phone="5550100"),
        buyer_message="Please gift wrap", note=f"TikTok Shop order {tiktok_id}",
    )


async def test_order_created_once_even_when_create_times_out_after_store_made_it(harness: StoreHarness) -> None:
    [product_id] = await harness.create_products(1, variants=1)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        tiktok_id = "5769" + uuid.uuid4().hex[:14]
        await harness.control("POST", "/_sandbox/faults", {"kind": "after", "method": "POST",
                                                           "path": harness.order_create_path, "status": 504})
        first_error: Exception | None = None
        try:
            await adapter.create_order(_draft(product, tiktok_id))
        except Exception as exc:  # the create timed out from our side
            first_error = exc
        assert first_error is not None, "the injected fault should make the first create fail"
        ref = await adapter.create_order(_draft(product, tiktok_id))
        again = await adapter.create_order(_draft(product, tiktok_id))
        assert ref.id == again.id
        assert await harness.count_orders(tiktok_id) == 1
        found = await adapter.find_order(tiktok_id)
        assert found is not None and found.id == ref.id
        assert found.tiktok_order_id == tiktok_id
    finally:
        await harness.control("DELETE", "/_sandbox/faults")
        await adapter.aclose()


async def test_note_fulfil_tracking_and_cancel_read_back(harness: StoreHarness) -> None:
    [product_id] = await harness.create_products(1, variants=1)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        ref = await adapter.create_order(_draft(product, "5770" + uuid.uuid4().hex[:14]))
        await adapter.add_order_note(ref, "Buyer asked for gift wrap", tags=["TikTok Shop"])
        variant = product.variants[0]
        shipped = await adapter.fulfil_order(ref, Fulfilment(
            id="", carrier=harness.carrier(), tracking_number="1Z999AA10123456784",
            lines=(FulfilmentLine(store_variant_id=variant.id, sku=variant.sku, quantity=2),)))
        fulfilments = await adapter.fulfilments(ref)
        assert [f.tracking_number for f in fulfilments] == ["1Z999AA10123456784"]
        assert fulfilments[0].carrier == harness.carrier()
        assert fulfilments[0].id == shipped.id
        assert fulfilments[0].lines and fulfilments[0].lines[0].quantity == 2
        await adapter.set_order_status(ref, StoreOrderStatus.COMPLETED)

        second = await adapter.create_order(_draft(product, "5771" + uuid.uuid4().hex[:14]))
        await adapter.cancel_order(second, "Cancelled by the buyer on TikTok Shop")
        cancelled = await adapter.find_order(second.tiktok_order_id)
        assert cancelled is not None and cancelled.status == StoreOrderStatus.CANCELLED
        assert await adapter.carrier_names()
    finally:
        await adapter.aclose()


async def test_store_info_has_currency(harness: StoreHarness) -> None:
    adapter = harness.adapter()
    try:
        info = await adapter.store_info()
        assert len(info.currency) == 3 and info.name
        locations = await adapter.locations()
        assert locations
        categories = [c async for c in adapter.categories()]
        assert isinstance(categories, list)
    finally:
        await adapter.aclose()


async def test_rate_limit_answers_are_honoured_without_errors(harness: StoreHarness) -> None:
    await harness.create_products(6, variants=1)
    await harness.set_rate_limit(3)
    try:
        results = await asyncio.gather(*[_all_products(harness, page_size=2) for _ in range(4)])
        assert all(len(r) == len(results[0]) for r in results)
    finally:
        await harness.set_rate_limit(0)
