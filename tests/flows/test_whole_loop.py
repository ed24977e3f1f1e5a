"""The whole loop on every store: map, list, review, price and stock, orders in, tracking out, cancellations.

Everything runs for real: the app receives webhooks over HTTP, a huey worker processes intents, and each
platform's sandbox speaks its real API.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select

from feedbridge.db.models import (
    AfterSale,
    Binding,
    Listing,
    Order,
    Shipment,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.domain.orders import Fulfilment, FulfilmentLine, StoreOrderRef
from feedbridge.sync.categories import (
    category_requirements,
    set_attribute_default,
    set_mapping,
    suggest_category,
)
from feedbridge.sync.listings import start_listing
from feedbridge.sync.polling import run_schedules
from tests.flows.world import World, wait_for

PLATFORMS = ["shopify", "bigcommerce", "woocommerce", "magento"]
TRACKING = {"ups": "1Z999AA10123456784", "united parcel service": "1Z999AA10123456784",
            "usps": "9400111899223197428490"}


def pick_products(world: World, count: int) -> list[str]:
    """Seeded store products with several variants and images (as a merchant's real catalog has)."""
    with world.runtime.sessions() as session:
        rows = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id, StoreProduct.deleted.is_(False))
            .order_by(StoreProduct.id)).all()
        chosen = [r.product_id for r in rows
                  if len(r.data["variants"]) >= 2 and r.data["images"] and r.data["description_html"]
                  and all(v["sku"] for v in r.data["variants"])]
    assert len(chosen) >= count, "the seeded catalog has products with variants, images and descriptions"
    return chosen[:count]


def map_products(world: World, product_ids: list[str]) -> str:
    """Map products to the TikTok category suggested for the first, and fill that category's required
    attributes with defaults (as the merchant does under Settings). Returns the category id."""
    suggestion = asyncio.run(suggest_category(world.runtime, world.feed_id, product_ids[0]))
    assert suggestion is not None, "a seeded product gets a category suggestion"
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
    _rules, attributes = asyncio.run(category_requirements(world.runtime, shop, suggestion.category_id))
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop is not None
        for attribute in attributes:
            if attribute.required and not attribute.sales:
                value = attribute.values[0].name if attribute.values else "Not applicable"
                set_attribute_default(session, feed, attribute.id, [value], name=attribute.name)
        for product_id in product_ids:
            set_mapping(session, feed, shop, "product", product_id, suggestion.category_id,
                        source=suggestion.source)
    return suggestion.category_id


def list_products(world: World, count: int = 2) -> list[str]:
    """Map seeded products, list them, and wait until TikTok approves them."""
    product_ids = pick_products(world, count)
    map_products(world, product_ids)
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        start_listing(session, feed, product_ids)

    def active() -> bool:
        rows = world.rows(Listing, feed_id=world.feed_id)
        failed = [r.problems or r.reason for r in rows if r.status == "failed_to_sync"]
        assert not failed, failed
        return len(rows) == count and all(r.status == "active" for r in rows)

    wait_for(active, what="listings to pass review and become active", world=world)
    return product_ids


def tiktok_sku(world: World, seller_sku: str) -> dict:  # type: ignore[type-arg]
    for product in world.tiktok_products():
        for sku in product["skus"]:
            if sku["seller_sku"] == seller_sku:
                return sku  # type: ignore[no-any-return]
    raise AssertionError(f"TikTok has no SKU {seller_sku}")


def poll_if_no_webhooks(world: World) -> None:
    """Magento has no webhooks: run the scheduled polls (the periodic task does this every minute)."""
    if world.harness.platform == "magento":
        with transaction(world.runtime.sessions) as session:
            connection = session.get(StoreConnection, world.connection_id)
            assert connection is not None
            connection.settings = {}  # make the store poll due now
        run_schedules(world.runtime)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_whole_loop(world_factory, platform: str) -> None:  # type: ignore[no-untyped-def]
    world: World = world_factory(platform)
    product_ids = list_products(world)
    bindings = world.rows(Binding, feed_id=world.feed_id)
    assert {b.store_product_id for b in bindings} == set(product_ids)
    assert all(b.tiktok_sku_id for b in bindings)

    # Price and stock: the store changes, TikTok follows.
    binding = next(b for b in bindings if b.store_product_id == product_ids[0])
    locations = asyncio.run(world.harness.location_ids())
    stock = {loc: 4 + i for i, loc in enumerate(locations)}
    asyncio.run(world.harness.set_variant(binding.store_product_id, binding.store_variant_id,
                                          price=Decimal("23.45"), stock=stock))

    def pushed() -> bool:
        poll_if_no_webhooks(world)
        sku = tiktok_sku(world, binding.seller_sku)
        return (sku["price"]["amount"] in ("23.45", "23.450") and
                sku["inventory"][0]["quantity"] == sum(stock.values()))

    wait_for(pushed, what="the new price and stock on TikTok", world=world)

    # An order on TikTok reaches the store once, labelled, after the on-hold window.
    placed = world.tiktok_control("POST", "/buyer/orders", {
        "shop_id": world.tiktok["shops"][0]["id"] if world.tiktok["shops"][0]["region"] == "US" else None,
        "items": [{"seller_sku": binding.seller_sku, "quantity": 2}]})
    order_id = placed["id"] if "id" in placed else placed["order_id"]
    order = wait_for(lambda: next((o for o in world.rows(Order, tiktok_order_id=order_id)
                                   if o.sync_state == "created"), None), what="the store order", world=world)
    assert asyncio.run(world.harness.count_orders(order_id)) == 1
    found = world.store(lambda a: a.find_order(order_id))
    assert found is not None and found.id == order.store_order_id

    # The merchant ships in the store; the tracking reaches TikTok's package.
    carrier = world.harness.carrier()
    tracking = TRACKING[carrier.lower()]
    ref = StoreOrderRef(order.store_order_id, order.store_order_number, order_id)
    world.store(lambda a: a.fulfil_order(ref, Fulfilment(id="", carrier=carrier, tracking_number=tracking, lines=(
        FulfilmentLine(store_variant_id=binding.store_variant_id, sku=binding.seller_sku, quantity=2),))))

    def shipped() -> bool:
        poll_if_no_webhooks(world)
        if world.harness.platform != "magento":
            run_schedules(world.runtime)  # safety-net poll also finds fulfilments
        rows = world.rows(Shipment, order_id=order.id)
        failed = [r.reason for r in rows if r.state == "failed"]
        assert not failed, failed
        return bool(rows) and rows[0].state == "sent"

    wait_for(shipped, what="tracking sent to TikTok", world=world)
    packages = world.tiktok_control("GET", "/packages")["packages"]
    assert any(p.get("tracking_number") == tracking for p in packages)

    # A buyer cancels inside the on-hold window: nothing is created in the store; the cancellation shows.
    second = world.tiktok_control("POST", "/buyer/orders", {
        "items": [{"seller_sku": binding.seller_sku, "quantity": 1}]})
    second_id = second["id"] if "id" in second else second["order_id"]
    world.tiktok_control("POST", f"/buyer/orders/{second_id}/cancel", {"reason": "Changed my mind"})
    wait_for(lambda: any(o.sync_state == "cancelled" for o in world.rows(Order, tiktok_order_id=second_id)),
             what="the cancelled order", world=world)
    assert asyncio.run(world.harness.count_orders(second_id)) == 0, world.describe()
    wait_for(lambda: world.rows(AfterSale, tiktok_order_id=second_id), what="the cancellation listed")
    with world.runtime.sessions() as session:
        assert session.scalars(select(Order).where(Order.tiktok_order_id == order_id)).one().sync_state == "created"
