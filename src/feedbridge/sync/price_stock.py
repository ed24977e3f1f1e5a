"""Store → TikTok: price and stock of every bound SKU follow the store, within seconds.

The store is the source of truth: a price or stock changed on TikTok is overwritten. Many changes to one
product coalesce into one intent (keyed by feed and product) that acts on the latest store values; values
equal to the last ones pushed are not sent; SKUs of one product go in one price call and one stock call.
Stock published never exceeds what the store can sell, less what TikTok orders not yet in the store hold.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import Binding, Order, StoreConnection, StoreFeed, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.domain import marketplace as mk
from feedbridge.domain.catalog import Product, Variant
from feedbridge.domain.pricing import PriceRule, PriceSource, Rounding, RoundingDirection, apply_price_rule
from feedbridge.domain.stock import StockRule, apply_stock_rule
from feedbridge.errors import ConfigError
from feedbridge.runtime import Runtime
from feedbridge.sync.catalog import save_product
from feedbridge.sync.connections import marketplace_for, store_for

log = logging.getLogger(__name__)

PRICE_STOCK = "price_stock.push"
RECONCILE = "price_stock.reconcile"
# A store change waits this long before it is pushed, so a burst of changes (a bulk edit, several webhooks
# for one save) becomes one push of the latest values; later changes never postpone it further.
COALESCE_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class FeedRules:
    price: PriceRule
    stock: StockRule


def rules_for(feed: StoreFeed, shop: TikTokShop, connection: StoreConnection) -> FeedRules:
    """The feed's price and stock rules; raises ConfigError when currencies differ and no rate is set."""
    raw: dict[str, Any] = feed.rules or {}
    price_raw = raw.get("price", {})
    stock_raw = raw.get("stock", {})
    store_currency = (connection.currency or shop.currency or "USD").upper()
    shop_currency = (shop.currency or store_currency).upper()
    rate = Decimal(feed.exchange_rate) if feed.exchange_rate else None
    if store_currency != shop_currency and rate is None:
        raise ConfigError(
            f"Your store sells in {store_currency} but the TikTok shop sells in {shop_currency}; price and stock "
            "sync is stopped for this pair.",
            action="Set an exchange rate for this TikTok shop under Settings, or connect a store in "
                   f"{shop_currency}.")
    price = PriceRule(
        currency=shop_currency, source=PriceSource(price_raw.get("source", "price")),
        percent=Decimal(str(price_raw.get("percent", 0))), amount=Decimal(str(price_raw.get("amount", 0))),
        rounding=Rounding(price_raw.get("rounding", "none")),
        direction=RoundingDirection(price_raw.get("direction", "up")),
        exchange_rate=rate if store_currency != shop_currency else None,
    )
    locations = stock_raw.get("locations")
    stock = StockRule(
        locations=frozenset(locations) if locations else None,
        percent=Decimal(str(stock_raw.get("percent", 100))), buffer=int(stock_raw.get("buffer", 0)),
        untracked_quantity=int(stock_raw.get("untracked_quantity", 99_999)),
        maximum=int(stock_raw.get("maximum", 99_999)),
    )
    return FeedRules(price, stock)


def queue_product_change(session: Session, connection_id: int, product_id: str, *, force: bool = False) -> int:
    """Queue a price/stock push for every feed that has SKUs of this store product bound. Returns how many."""
    feeds = session.scalars(select(StoreFeed).where(StoreFeed.store_connection_id == connection_id)).all()
    queued = 0
    for feed in feeds:
        bound = session.scalars(select(Binding.id).where(Binding.feed_id == feed.id,
                                                         Binding.store_product_id == product_id).limit(1)).first()
        if bound is None:
            continue
        record_intent(session, PRICE_STOCK, f"{feed.id}:{product_id}",
                      {"feed": feed.id, "product": product_id, "force": force}, merchant_id=feed.merchant_id,
                      delay=COALESCE_SECONDS)
        queued += 1
    return queued


def reserved_by_open_orders(session: Session, shop_id: int) -> dict[str, int]:
    """Units per TikTok sku id held by TikTok orders not yet created in the store (they would otherwise echo
    back as stock the store still shows)."""
    held: dict[str, int] = defaultdict(int)
    for order in session.scalars(select(Order).where(
            Order.tiktok_shop_id == shop_id, Order.store_order_id == "",
            Order.sync_state.in_(("queued", "waiting", "failed")))):
        if order.tiktok_status == mk.CANCELLED:
            continue
        for line in order.data.get("lines", []):
            held[str(line.get("sku_id", ""))] += int(line.get("quantity", 1))
    return held


def desired_values(product: Product | None, bindings: list[Binding], rules: FeedRules,
                   held: dict[str, int]) -> dict[str, tuple[Decimal | None, int]]:
    """Price and stock each bound TikTok SKU should have; a deleted product or variant publishes stock 0."""
    variants: dict[str, Variant] = {v.id: v for v in product.variants} if product else {}
    result: dict[str, tuple[Decimal | None, int]] = {}
    for binding in bindings:
        if not binding.tiktok_sku_id:
            continue
        variant = variants.get(binding.store_variant_id)
        if variant is None:
            result[binding.tiktok_sku_id] = (None, 0)
            continue
        price = apply_price_rule(variant.price, variant.compare_at_price, rules.price)
        stock = max(0, apply_stock_rule(variant, rules.stock) - held.get(binding.tiktok_sku_id, 0))
        result[binding.tiktok_sku_id] = (price, stock)
    return result


async def push_price_stock(runtime: Runtime, feed_id: int, product_id: str, *, force: bool = False,
                           product: Product | None = None, reread: bool = True) -> int:
    """Bring TikTok's price and stock for one store product in line with the store. Returns calls made."""
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        if feed is None:
            return 0
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        connection = session.get(StoreConnection, feed.store_connection_id)
        assert shop is not None and connection is not None
        bindings = list(session.scalars(select(Binding).where(Binding.feed_id == feed_id,
                                                              Binding.store_product_id == product_id)))
        if not bindings:
            return 0
        rules = checked_rules(runtime, feed, shop, connection)
        held = reserved_by_open_orders(session, shop.id)
    if reread:
        store = store_for(runtime, connection)
        try:
            product = await store.get_product(product_id)
        finally:
            await store.aclose()
        with transaction(runtime.sessions) as session:
            if product is not None:
                save_product(session, connection, product)
    desired = desired_values(product, bindings, rules, held)
    by_product: dict[str, list[Binding]] = defaultdict(list)
    for binding in bindings:
        if binding.tiktok_sku_id in desired and binding.tiktok_product_id:
            by_product[binding.tiktok_product_id].append(binding)
    calls = 0
    market = marketplace_for(runtime, shop)
    try:
        for tiktok_product_id, group in by_product.items():
            prices = {b.tiktok_sku_id: str(desired[b.tiktok_sku_id][0]) for b in group
                      if b.tiktok_sku_id and desired[b.tiktok_sku_id][0] is not None
                      and (force or b.last_price != str(desired[b.tiktok_sku_id][0]))}
            stock = {b.tiktok_sku_id: desired[b.tiktok_sku_id][1] for b in group
                     if b.tiktok_sku_id and (force or b.last_stock != desired[b.tiktok_sku_id][1])}
            try:
                if prices:
                    await market.update_price(tiktok_product_id, prices)
                    calls += 1
                if stock:
                    await market.update_inventory(tiktok_product_id, stock, shop.default_warehouse_id)
                    calls += 1
            except Exception as exc:
                _record_error(runtime, [b.id for b in group], str(exc))
                raise
            _record_pushed(runtime, [b.id for b in group], prices, stock)
    finally:
        await market.aclose()
    return calls


def _record_pushed(runtime: Runtime, binding_ids: list[int], prices: dict[str, str], stock: dict[str, int]) -> None:
    with transaction(runtime.sessions) as session:
        for binding in session.scalars(select(Binding).where(Binding.id.in_(binding_ids))):
            sku = binding.tiktok_sku_id or ""
            if sku in prices:
                binding.last_price = prices[sku]
            if sku in stock:
                binding.last_stock = stock[sku]
            if sku in prices or sku in stock:
                binding.last_pushed_at = utcnow()
            binding.last_error = ""


def _record_error(runtime: Runtime, binding_ids: list[int], error: str) -> None:
    with transaction(runtime.sessions) as session:
        for binding in session.scalars(select(Binding).where(Binding.id.in_(binding_ids))):
            binding.last_error = error[:2000]


def checked_rules(runtime: Runtime, feed: StoreFeed, shop: TikTokShop, connection: StoreConnection) -> FeedRules:
    """The feed's rules; a currency mismatch stops the feed (visibly), and a feed stopped for one runs again
    once the rules work (an exchange rate was set, or the currencies now agree)."""
    try:
        rules = rules_for(feed, shop, connection)
    except ConfigError as exc:
        _stop_feed(runtime, feed.id, exc)
        raise
    if feed.status == "currency_mismatch":
        _resume_feed(runtime, feed.id)
    return rules


def _resume_feed(runtime: Runtime, feed_id: int) -> None:
    with transaction(runtime.sessions) as session:
        feed = session.get(StoreFeed, feed_id)
        if feed is not None and feed.status == "currency_mismatch":
            feed.status, feed.status_reason = "active", ""
            log_activity(session, feed.merchant_id, "feed.resumed",
                         "Currencies now match or an exchange rate is set: price and stock sync runs again.")


def _stop_feed(runtime: Runtime, feed_id: int, exc: ConfigError) -> None:
    with transaction(runtime.sessions) as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        if feed.status != "currency_mismatch":
            log_activity(session, feed.merchant_id, "feed.currency_mismatch", exc.message, level="error",
                         action=exc.action or "")
        feed.status, feed.status_reason = "currency_mismatch", exc.message


def queue_feed_resync(session: Session, feed: StoreFeed) -> int:
    """A rule changed: push every bound product of the feed again (forced)."""
    product_ids = set(session.scalars(select(Binding.store_product_id).where(Binding.feed_id == feed.id)))
    for product_id in product_ids:
        record_intent(session, PRICE_STOCK, f"{feed.id}:{product_id}",
                      {"feed": feed.id, "product": product_id, "force": True}, merchant_id=feed.merchant_id)
    return len(product_ids)


async def reconcile_feed(runtime: Runtime, feed_id: int) -> dict[str, int]:
    """Compare every bound SKU on TikTok with what the store and rules give, and repair drift.

    Reads the store catalog page by page and TikTok's products once; pushes only what differs.
    """
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        connection = session.get(StoreConnection, feed.store_connection_id)
        assert shop is not None and connection is not None
        rules = checked_rules(runtime, feed, shop, connection)
        bindings = list(session.scalars(select(Binding).where(Binding.feed_id == feed_id)))
        held = reserved_by_open_orders(session, shop.id)
    by_store_product: dict[str, list[Binding]] = defaultdict(list)
    for binding in bindings:
        by_store_product[binding.store_product_id].append(binding)
    desired: dict[str, tuple[Decimal | None, int]] = {}
    store = store_for(runtime, connection)
    seen: set[str] = set()
    try:
        async for page in store.products(page_size=100):
            with transaction(runtime.sessions) as session:
                for product in page:
                    if product.id in by_store_product:
                        seen.add(product.id)
                        save_product(session, connection, product)
                        desired.update(desired_values(product, by_store_product[product.id], rules, held))
    finally:
        await store.aclose()
    for product_id, group in by_store_product.items():
        if product_id not in seen:  # deleted in the store
            desired.update(desired_values(None, group, rules, held))
    sku_product = {b.tiktok_sku_id: b.tiktok_product_id for b in bindings if b.tiktok_sku_id}
    repaired = checked = 0
    market = marketplace_for(runtime, shop)
    try:
        actual: dict[str, tuple[Decimal | None, int | None]] = {}
        async for tp in market.products():
            for sku in tp.skus:
                actual[sku.id] = (sku.price, sku.stock)
        fixes_price: dict[str, dict[str, str]] = defaultdict(dict)
        fixes_stock: dict[str, dict[str, int]] = defaultdict(dict)
        for sku_id, (price, stock) in desired.items():
            checked += 1
            have_price, have_stock = actual.get(sku_id, (None, None))
            if price is not None and have_price != price:
                fixes_price[sku_product[sku_id]][sku_id] = str(price)
            if have_stock != stock:
                fixes_stock[sku_product[sku_id]][sku_id] = stock
        for product_id, prices in fixes_price.items():
            await market.update_price(product_id, prices)
            repaired += len(prices)
        for product_id, quantities in fixes_stock.items():
            await market.update_inventory(product_id, quantities, shop.default_warehouse_id)
            repaired += len(quantities)
    finally:
        await market.aclose()
    pushed_prices = {k: v for d in fixes_price.values() for k, v in d.items()}
    pushed_stock = {k: v for d in fixes_stock.values() for k, v in d.items()}
    _record_pushed(runtime, [b.id for b in bindings], pushed_prices, pushed_stock)
    with transaction(runtime.sessions) as session:
        log_activity(session, feed.merchant_id, "price_stock.reconciled",
                     f"Checked {checked} SKUs on TikTok; repaired {repaired} values that had drifted.",
                     details={"checked": checked, "repaired": repaired})
    return {"checked": checked, "repaired": repaired}
