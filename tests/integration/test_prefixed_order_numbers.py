"""The "prefix" order number (TT-<TikTok order id>) on stores that number orders themselves: BigCommerce shows it
as the first line of the staff notes and as the billing company; WooCommerce stores it in the `_order_number` meta
that sequential-order-number plugins display, and opens the private note with it. Runs each adapter against its
sandbox and reads the order back through the platform's own API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from feedbridge.domain.catalog import Product
from feedbridge.domain.orders import Address, OrderDraft, OrderLine
from tests.contract import harness_bigcommerce, harness_woocommerce


@pytest.fixture(params=["bigcommerce", "woocommerce"])
def harness(request: pytest.FixtureRequest) -> Iterator[Any]:
    module = {"bigcommerce": harness_bigcommerce, "woocommerce": harness_woocommerce}[request.param]
    made = module.Harness()
    made.start()
    try:
        yield made
    finally:
        made.stop()


def draft_for(product: Product, order_name: str | None) -> OrderDraft:
    variant = product.variants[0]
    tiktok_id = "5790" + uuid.uuid4().hex[:14]
    return OrderDraft(
        tiktok_order_id=tiktok_id, currency="USD", subtotal=Decimal("20.00"), shipping=Decimal("0"),
        tax=Decimal("0"), total=Decimal("20.00"), email="buyer@example.com",
        lines=[OrderLine(store_product_id=product.id, store_variant_id=variant.id, sku=variant.sku,
                         title=product.title, quantity=2, unit_price=Decimal("10.00"))],
        shipping_address=Address(name="Ada Buyer", line1="1 Main St", city="Austin", state="TX",
                                 postal_code="78701", country_code="US", phone="5550100"),
        note=f"TikTok Shop order {tiktok_id}.", order_name=order_name)


async def created(harness: Any, order_name: str | None) -> tuple[dict[str, Any], list[str]]:
    """The store order as the platform returns it, and the notes the merchant reads on it."""
    [product_id] = await harness.create_products(1, variants=1)
    adapter = harness.adapter()
    try:
        product = await adapter.get_product(product_id)
        assert product is not None
        ref = await adapter.create_order(draft_for(product, order_name))
    finally:
        await adapter.aclose()
    if harness.platform == "bigcommerce":
        order = (await harness._call("GET", f"/v2/orders/{ref.id}")).json()
        return order, [str(order.get("staff_notes") or "")]
    order = (await harness._call("GET", f"/orders/{ref.id}")).json()
    notes = (await harness._call("GET", f"/orders/{ref.id}/notes")).json()
    return order, [str(n["note"]) for n in notes]


def meta(order: dict[str, Any], key: str) -> Any:
    return next((m["value"] for m in order.get("meta_data") or [] if m["key"] == key), None)


async def test_a_prefixed_order_number_is_where_the_merchant_looks_first(harness: Any) -> None:
    order, notes = await created(harness, "TT-PREFIXED")
    assert any(note.startswith("Order number TT-PREFIXED") for note in notes), notes
    if harness.platform == "bigcommerce":
        assert order["billing_address"]["company"] == "TT-PREFIXED"
    else:
        assert meta(order, "_order_number") == "TT-PREFIXED"


async def test_without_the_prefix_setting_the_store_order_carries_no_made_up_number(harness: Any) -> None:
    order, notes = await created(harness, None)
    assert not any("Order number" in note for note in notes), notes
    if harness.platform == "bigcommerce":
        assert not order["billing_address"].get("company")
    else:
        assert meta(order, "_order_number") is None
