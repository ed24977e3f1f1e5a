"""Steps the flow specifications share: the merchant's clicks (map, list, set rules), the store's and TikTok's
side of things, and looking at what feedbridge recorded. Everything goes through the real apps over HTTP."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select, update

from feedbridge.db.models import Binding, Intent, Listing, Order, StoreFeed, StoreProduct, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.sync.catalog import refresh_catalog
from feedbridge.sync.categories import (
    category_requirements,
    set_attribute_default,
    set_mapping,
    suggest_category,
)
from feedbridge.sync.listings import start_listing
from feedbridge.tiktok.adapter import TikTokAdapter, build_marketplace
from tests.flows.world import World, wait_for

_names = itertools.count(1)


# ---- the merchant in feedbridge --------------------------------------------------------------------------

def seeded_products(world: World, count: int, *, min_variants: int = 2) -> list[str]:
    """Seeded store products with variants, images, a description and SKUs on every variant."""
    with world.runtime.sessions() as session:
        rows = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id, StoreProduct.deleted.is_(False))
            .order_by(StoreProduct.id)).all()
        chosen = [r.product_id for r in rows
                  if len(r.data["variants"]) >= min_variants and r.data["images"] and r.data["description_html"]
                  and all(v["sku"] for v in r.data["variants"])]
    assert len(chosen) >= count, "the seeded catalog has enough products with variants, images and descriptions"
    return chosen[:count]


def prepare_category(world: World, product_id: str) -> str:
    """The TikTok category suggested for a product, with its required attributes given defaults (Settings)."""
    suggestion = asyncio.run(suggest_category(world.runtime, world.feed_id, product_id))
    assert suggestion is not None, "a seeded product gets a category suggestion"
    shop = shop_row(world)
    _rules, attributes = asyncio.run(category_requirements(world.runtime, shop, suggestion.category_id))
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        for attribute in attributes:
            if attribute.required and not attribute.sales:
                value = attribute.values[0].name if attribute.values else "Not applicable"
                set_attribute_default(session, feed, attribute.id, [value], name=attribute.name)
    return suggestion.category_id


def map_products(world: World, product_ids: list[str], category_id: str) -> None:
    """Map each product to a TikTok category (Category mapping page)."""
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop is not None
        for product_id in product_ids:
            set_mapping(session, feed, shop, "product", product_id, category_id)


def start(world: World, product_ids: list[str], variant_ids: dict[str, list[str]] | None = None) -> int:
    """Press "Sync to TikTok" for the selected products; returns the run's id."""
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        return start_listing(session, feed, product_ids, variant_ids).id


def listing(world: World, product_id: str) -> Listing:
    rows = world.rows(Listing, feed_id=world.feed_id, store_product_id=product_id)
    assert rows, f"no listing for {product_id}"
    return rows[0]


def wait_listing(world: World, product_id: str, *statuses: str) -> Listing:
    """Wait until the product's listing reaches one of `statuses`."""
    return wait_for(lambda: next((r for r in world.rows(Listing, feed_id=world.feed_id, store_product_id=product_id)
                                  if r.status in statuses), None),
                    what=f"listing of {product_id} to be {' or '.join(statuses)}", world=world)


def list_and_wait(world: World, product_ids: list[str], variant_ids: dict[str, list[str]] | None = None) -> str:
    """Map, list and wait until TikTok approved every product; returns the category used."""
    category_id = prepare_category(world, product_ids[0])
    map_products(world, product_ids, category_id)
    start(world, product_ids, variant_ids)
    for product_id in product_ids:
        wait_listing(world, product_id, "active")
    return category_id


def update_feed(world: World, change: Callable[[StoreFeed], None]) -> None:
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        change(feed)


def update_shop(world: World, **settings: Any) -> None:
    """Change the TikTok shop's settings (Settings page)."""
    with transaction(world.runtime.sessions) as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
        shop.settings = {**(shop.settings or {}), **settings}


def shop_row(world: World) -> TikTokShop:
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
        return shop


def bindings(world: World, product_id: str | None = None) -> list[Binding]:
    rows = world.rows(Binding, feed_id=world.feed_id)
    return [b for b in rows if product_id is None or b.store_product_id == product_id]


def order_row(world: World, tiktok_order_id: str) -> Order | None:
    rows = world.rows(Order, tiktok_order_id=tiktok_order_id)
    return rows[0] if rows else None


def wait_order(world: World, tiktok_order_id: str, *states: str) -> Order:
    return wait_for(lambda: next((o for o in world.rows(Order, tiktok_order_id=tiktok_order_id)
                                  if o.sync_state in states), None),
                    what=f"order {tiktok_order_id} to be {' or '.join(states)}", world=world)


def intent(world: World, kind: str, key: str) -> Intent:
    rows = [i for i in world.rows(Intent, kind=kind) if i.key == key]
    assert rows, f"no {kind} intent {key}"
    return rows[0]


def make_due(world: World, intent_id: int) -> None:
    """Pretend the intent's wait is over (a long wait shortened for the test) and queue it."""
    with transaction(world.runtime.sessions) as session:
        session.execute(update(Intent).where(Intent.id == intent_id)
                        .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    world.runtime.enqueue(intent_id)


# ---- the store (BigCommerce or WooCommerce through their own API) ------------------------------------------

def new_store_product(world: World, title: str, *, image_from: str | None = None, price: str = "20.00",
                      variants: int = 2) -> str:
    """Create a product in the merchant's BigCommerce store (optionally with a seeded product's first image),
    then refresh feedbridge's catalog copy. Returns its id."""
    harness = world.harness
    assert harness.platform == "bigcommerce", "new_store_product speaks BigCommerce's API"
    n = next(_names)

    async def create() -> str:
        answer = await harness._call("POST", "/v3/catalog/products", json={
            "name": title, "type": "physical", "weight": 1, "price": float(price),
            "description": f"<p>{title}: a sturdy everyday product.</p>", "inventory_tracking": "variant"})
        product_id = str(answer.json()["data"]["id"])
        locations = await harness.location_ids()
        for v in range(1, variants + 1):
            made = await harness._call("POST", f"/v3/catalog/products/{product_id}/variants", json={
                "sku": f"FLOW-{n}-{v}", "price": float(price),
                "option_values": [{"option_display_name": "Size", "label": f"S{v}"}]})
            await harness.set_variant(product_id, str(made.json()["data"]["id"]), stock={locations[0]: 10})
        if image_from:
            with world.runtime.sessions() as session:
                source = session.scalars(select(StoreProduct).where(
                    StoreProduct.store_connection_id == world.connection_id,
                    StoreProduct.product_id == image_from)).one()
            await harness._call("POST", f"/v3/catalog/products/{product_id}/images",
                                json={"image_url": source.data["images"][0], "is_thumbnail": True})
        return product_id

    product_id = asyncio.run(create())
    asyncio.run(refresh_catalog(world.runtime, world.connection_id))
    return product_id


def set_store_variant(world: World, product_id: str, variant_id: str, *, price: Decimal | None = None,
                      compare_at: Decimal | None = None, stock: int | None = None) -> None:
    """Change a variant in the store (price, compare-at, stock all at the first location)."""
    harness = world.harness

    async def change() -> None:
        locations = await harness.location_ids()
        quantities = None if stock is None else {loc: (stock if i == 0 else 0) for i, loc in enumerate(locations)}
        await harness.set_variant(product_id, variant_id, price=price, compare_at=compare_at, stock=quantities)

    asyncio.run(change())


def rename_store_product(world: World, product_id: str, title: str) -> None:
    harness = world.harness
    assert harness.platform == "bigcommerce"
    asyncio.run(harness._call("PUT", f"/v3/catalog/products/{product_id}", json={"name": title}))


def store_fault(world: World, fault: dict[str, Any]) -> None:
    asyncio.run(world.harness.control("POST", "/_sandbox/faults", fault))


# ---- TikTok (the sandbox's Open API through a real adapter, and its control API) --------------------------

def on_tiktok(world: World, call: Callable[[TikTokAdapter], Any]) -> Any:
    """Run a call on a fresh TikTok adapter of the world's shop (acting as the seller in Seller Center)."""
    async def run() -> Any:
        market = build_marketplace(world.runtime, shop_row(world))
        try:
            return await call(market)
        finally:
            await market.aclose()

    return asyncio.run(run())


def tiktok_product(world: World, product_id: str) -> dict[str, Any]:
    return next(p for p in world.tiktok_products() if str(p["id"]) == product_id)


def tiktok_sku(world: World, seller_sku: str) -> dict[str, Any]:
    for product in world.tiktok_products():
        for sku in product["skus"]:
            if sku["seller_sku"] == seller_sku:
                return sku  # type: ignore[no-any-return]
    raise AssertionError(f"TikTok has no SKU {seller_sku}")


def tiktok_price(world: World, seller_sku: str) -> Decimal:
    return Decimal(str(tiktok_sku(world, seller_sku)["price"]["amount"]))


def tiktok_stock(world: World, seller_sku: str) -> int:
    return int(tiktok_sku(world, seller_sku)["inventory"][0]["quantity"])


def place_order(world: World, items: list[tuple[str, int]], **extra: Any) -> str:
    """A buyer checks out on TikTok; returns the TikTok order id."""
    shop = next(s for s in world.tiktok["shops"] if s["region"] == "US")
    response = httpx.post(f"{world.tiktok_server.url}/_sandbox/buyer/orders", timeout=30, json={
        "shop_id": shop["id"], "items": [{"seller_sku": sku, "quantity": qty} for sku, qty in items], **extra})
    assert response.status_code == 200, f"TikTok refused the buyer's order: {response.text}"
    return str(response.json()["id"])


def advance_tiktok_clock(world: World, seconds: float) -> None:
    world.tiktok_control("POST", "/clock/advance", {"seconds": seconds})
    world.tiktok_control("POST", "/tick", {})
