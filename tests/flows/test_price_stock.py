"""Price and stock, end to end: the feed's rules, coalescing, skipping unchanged values, reconciliation of
drift and lost webhooks, and oversell protection. The store is the source of truth.

Each test runs a whole world on loopback (app, huey worker, TikTok sandbox, BigCommerce sandbox). TikTok calls
are counted by wrapping the real TikTok adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from feedbridge.db.models import Binding, Intent, StoreFeed
from feedbridge.db.session import transaction
from feedbridge.sync.price_stock import PRICE_STOCK, queue_feed_resync, queue_product_change, reconcile_feed
from feedbridge.tiktok.adapter import build_marketplace
from tests.flows.steps import (
    bindings,
    list_and_wait,
    on_tiktok,
    place_order,
    seeded_products,
    set_store_variant,
    store_fault,
    tiktok_price,
    tiktok_stock,
    update_feed,
    wait_order,
)
from tests.flows.world import World, wait_for


class CountingMarket:
    """The real TikTok adapter, with a log of the price and stock calls it makes."""

    def __init__(self, inner: Any, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self._inner, self._calls = inner, calls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def update_price(self, product_id: str, prices: Mapping[str, str]) -> None:
        self._calls.append(("price", dict(prices)))
        await self._inner.update_price(product_id, prices)

    async def update_inventory(self, product_id: str, stock: Mapping[str, int], warehouse_id: str) -> None:
        self._calls.append(("stock", dict(stock)))
        await self._inner.update_inventory(product_id, stock, warehouse_id)


def count_tiktok_calls(world: World) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    world.runtime.services["marketplace_factory"] = lambda shop: CountingMarket(
        build_marketplace(world.runtime, shop), calls)
    return calls


def listed(world: World) -> Binding:
    """One listed product; returns the binding of its first SKU."""
    product_id = seeded_products(world, 1)[0]
    list_and_wait(world, [product_id])
    return bindings(world, product_id)[0]


def price_stock_done(world: World, binding: Binding) -> bool:
    key = f"{world.feed_id}:{binding.store_product_id}"
    return all(i.state == "done" for i in world.rows(Intent, kind=PRICE_STOCK) if i.key == key)


def test_price_and_stock_rules_apply_and_changing_a_rule_resyncs(world_factory: Any) -> None:
    world: World = world_factory("bigcommerce")
    sku = listed(world)
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, price=Decimal("20.00"),
                      compare_at=Decimal("30.00"), stock=10)
    wait_for(lambda: tiktok_price(world, sku.seller_sku) == Decimal("20.00") and tiktok_stock(world, sku.seller_sku)
             == 10, what="the store's price and stock on TikTok", world=world)

    def markup(feed: StoreFeed) -> None:
        feed.rules = {"price": {"percent": 20, "rounding": "end_99", "direction": "up"},
                      "stock": {"buffer": 2, "percent": 50}}

    resync(world, markup)
    wait_for(lambda: tiktok_price(world, sku.seller_sku) == Decimal("24.99"), what="20 % markup ending .99",
             world=world)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 5, what="half of the stock", world=world)

    def from_compare_at(feed: StoreFeed) -> None:
        feed.rules = {**feed.rules, "price": {**feed.rules["price"], "source": "compare_at"}}

    resync(world, from_compare_at)
    wait_for(lambda: tiktok_price(world, sku.seller_sku) == Decimal("36.99"), what="the compare-at price, marked up",
             world=world)

    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=2)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 0, what="stock at the buffer published as 0",
             world=world)

    # The merchant deletes the product in the store: TikTok can no longer sell any of its SKUs.
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=10)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 5, what="stock back", world=world)
    asyncio.run(world.harness._call("DELETE", f"/v3/catalog/products/{sku.store_product_id}"))
    wait_for(lambda: all(tiktok_stock(world, b.seller_sku) == 0 for b in bindings(world, sku.store_product_id)),
             what="every SKU of the deleted product at 0 on TikTok", world=world)


def resync(world: World, change: Any) -> None:
    """The merchant saves new rules under Settings: every bound product is pushed again."""
    update_feed(world, change)
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        queue_feed_resync(session, feed)


def test_rapid_changes_coalesce_into_few_calls_the_last_value_wins_and_unchanged_values_are_not_sent(
        world_factory: Any) -> None:
    world: World = world_factory("bigcommerce")
    sku = listed(world)
    calls = count_tiktok_calls(world)
    prices = [Decimal(f"{30 + n}.00") for n in range(12)]
    for price in prices:
        set_store_variant(world, sku.store_product_id, sku.store_variant_id, price=price)
    wait_for(lambda: tiktok_price(world, sku.seller_sku) == prices[-1], what="the last price on TikTok", world=world)
    wait_for(lambda: price_stock_done(world, sku), what="the pushes to finish", world=world)
    price_calls = [c for kind, c in calls if kind == "price"]
    assert 1 <= len(price_calls) < len(prices) // 2, f"{len(price_calls)} price calls for {len(prices)} changes"
    assert price_calls[-1] == {sku.tiktok_sku_id: str(prices[-1])}
    assert not [c for kind, c in calls if kind == "stock"], "stock did not change, so none was sent"

    # A change that touches neither price nor stock sends nothing at all.
    calls.clear()
    with transaction(world.runtime.sessions) as session:
        queue_product_change(session, world.connection_id, sku.store_product_id)
    wait_for(lambda: price_stock_done(world, sku), what="the push to finish", world=world)
    assert calls == []

    # Only the stock of one SKU changes: one stock call with that SKU only.
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=7)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 7, what="the new stock", world=world)
    wait_for(lambda: price_stock_done(world, sku), what="the push to finish", world=world)
    assert calls == [("stock", {sku.tiktok_sku_id: 7})]


def test_reconciliation_repairs_drift_on_tiktok_and_a_change_whose_webhook_was_lost(world_factory: Any) -> None:
    world: World = world_factory("bigcommerce")
    sku = listed(world)
    other = next(b for b in bindings(world) if b.id != sku.id)
    store_price, store_stock = tiktok_price(world, sku.seller_sku), tiktok_stock(world, sku.seller_sku)
    # Someone edits the SKU in TikTok Seller Center ...
    on_tiktok(world, lambda m: m.update_price(sku.tiktok_product_id, {str(sku.tiktok_sku_id): "1.23"}))
    on_tiktok(world, lambda m: m.update_inventory(sku.tiktok_product_id, {str(sku.tiktok_sku_id): 999}, ""))
    # ... and the store's webhook for a price change is lost.
    store_fault(world, {"kind": "drop_webhook", "count": 1})
    set_store_variant(world, other.store_product_id, other.store_variant_id, price=Decimal("44.00"))
    log = asyncio.run(world.harness.control("GET", "/_sandbox/webhooks"))["deliveries"]
    assert any(d["error"] == "dropped by fault" for d in log)
    assert tiktok_price(world, other.seller_sku) != Decimal("44.00")

    result = asyncio.run(reconcile_feed(world.runtime, world.feed_id))
    assert result["repaired"] == 3, result
    assert (tiktok_price(world, sku.seller_sku), tiktok_stock(world, sku.seller_sku)) == (store_price, store_stock)
    assert tiktok_price(world, other.seller_sku) == Decimal("44.00")
    assert asyncio.run(reconcile_feed(world.runtime, world.feed_id))["repaired"] == 0, "nothing left to repair"


def test_stock_published_holds_back_units_of_tiktok_orders_not_yet_in_the_store(world_factory: Any) -> None:
    world: World = world_factory("bigcommerce", tiktok_options={"on_hold_seconds": 600.0})
    sku = listed(world)
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=10)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 10, what="stock 10 on TikTok", world=world)

    order_id = place_order(world, [(sku.seller_sku, 3)])
    wait_order(world, order_id, "waiting")  # on hold: not in the store yet, so the store still shows 10
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=12)  # the merchant restocks
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 9, what="12 in the store less 3 held by the order",
             world=world)

    world.tiktok_control("POST", "/clock/advance", {"seconds": 601})
    world.tiktok_control("POST", "/tick", {})
    wait_order(world, order_id, "created")
    set_store_variant(world, sku.store_product_id, sku.store_variant_id, stock=12)
    wait_for(lambda: tiktok_stock(world, sku.seller_sku) == 12, what="nothing held once the order is in the store",
             world=world)
