"""What the flow pages and the flow API share: merchant-scoped lookups of feeds and shops, rule forms, queued work.

Every helper takes the merchant id and reaches rows through `feedbridge.web.repo.owned` or a query filtered on
it, so another merchant's feed, shop, mapping or link is "not found". The flows themselves live in
`feedbridge.sync`; this module only reads, validates the merchant's input and calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from feedbridge.db.intents import record_intent
from feedbridge.db.models import (
    AfterSale,
    Binding,
    CarrierMapping,
    Intent,
    Listing,
    Order,
    Shipment,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    SyncRun,
    TikTokShop,
)
from feedbridge.domain.carriers import Provider, suggest_provider
from feedbridge.domain.listing import ListingStatus
from feedbridge.domain.pricing import PriceSource, Rounding, RoundingDirection
from feedbridge.errors import DataError
from feedbridge.sync.connections import shop_settings
from feedbridge.sync.fulfilment import queue_fulfilment
from feedbridge.sync.listings import BUILT_IN_DEFAULTS, feed_defaults
from feedbridge.sync.orders import note_order
from feedbridge.web import repo
from feedbridge.web.connect import _apply_currency_rule, parse_exchange_rate

LISTING_LABELS = {status.value: status.label for status in ListingStatus}
PACKAGE_FIELDS = {"package_weight_kg": "Package weight (kg)", "package_length_cm": "Package length (cm)",
                  "package_width_cm": "Package width (cm)", "package_height_cm": "Package height (cm)"}
ORDER_CREATE_WHEN = {"after_hold": "After TikTok's on-hold window (recommended: cancellations never reach the store)",
                     "at_once": "At once, when the order is paid"}
ORDER_NUMBERS = {"store": "The store's own numbering", "prefix": "A prefix plus TikTok's order id"}


@dataclass(frozen=True, slots=True)
class FeedScope:
    """A feed with its TikTok shop and store, all the merchant's."""

    feed: StoreFeed
    shop: TikTokShop
    store: StoreConnection

    @property
    def label(self) -> str:
        """The feed in the merchant's words: "Store → TikTok shop"."""
        return feed_label(self.store, self.shop)


def feed_label(store: StoreConnection, shop: TikTokShop) -> str:
    """ "Store name → TikTok shop name"."""
    return f"{store.name or store.base_url} → {shop.name or shop.shop_id}"


def owned_feed(session: Session, merchant_id: int, feed_id: int) -> FeedScope:
    """The merchant's feed `feed_id` with its shop and store; NotFound otherwise."""
    feed = repo.owned(session, StoreFeed, merchant_id, feed_id, "feed")
    shop = repo.owned(session, TikTokShop, merchant_id, feed.tiktok_shop_id, "TikTok shop")
    store = repo.owned(session, StoreConnection, merchant_id, feed.store_connection_id, "store connection")
    return FeedScope(feed, shop, store)


def all_feeds(session: Session, merchant_id: int) -> list[FeedScope]:
    """Every feed of the merchant, oldest first."""
    return [owned_feed(session, merchant_id, feed.id) for feed in repo.feeds(session, merchant_id)]


def chosen_feed(session: Session, merchant_id: int, feed_id: int | None) -> tuple[FeedScope | None, list[FeedScope]]:
    """The feed a page shows (the asked one, else the first) and all feeds for the chooser."""
    feeds = all_feeds(session, merchant_id)
    if feed_id is not None:
        return owned_feed(session, merchant_id, feed_id), feeds
    return (feeds[0] if feeds else None), feeds


def queue_work(session: Session, merchant_id: int, kind: str, key: str, payload: dict[str, Any]) -> None:
    """Record an intent for the worker (it is queued when the transaction commits)."""
    record_intent(session, kind, key, payload, merchant_id=merchant_id)


# ---- store categories and products -------------------------------------------------------------------------

def store_categories(session: Session, scope: FeedScope) -> list[tuple[str, str, int]]:
    """The store's categories seen on products: (id, name, how many products), by name."""
    counts: dict[str, int] = {}
    for ids in session.scalars(select(StoreProduct.category_ids).where(
            StoreProduct.store_connection_id == scope.store.id, StoreProduct.deleted.is_(False))):
        for category_id in ids or []:
            counts[str(category_id)] = counts.get(str(category_id), 0) + 1
    names: dict[str, str] = dict((scope.store.settings or {}).get("category_names", {}))
    return sorted(((cid, names.get(cid, f"Category {cid}"), n) for cid, n in counts.items()),
                  key=lambda row: row[1].lower())


def product_rows(session: Session, scope: FeedScope, *, status: str = "", text: str = "", limit: int = 100,
                 offset: int = 0) -> list[tuple[StoreProduct, Listing | None]]:
    """Our catalog copy with each product's listing in this feed, filtered by listing status and title/SKU."""
    query = (select(StoreProduct, Listing)
             .outerjoin(Listing, (Listing.feed_id == scope.feed.id)
                        & (Listing.store_product_id == StoreProduct.product_id))
             .where(StoreProduct.store_connection_id == scope.store.id,
                    StoreProduct.merchant_id == scope.feed.merchant_id, StoreProduct.deleted.is_(False)))
    if status == ListingStatus.NOT_SYNCED.value:
        query = query.where(or_(Listing.id.is_(None), Listing.status == status))
    elif status:
        query = query.where(Listing.status == status)
    for word in text.lower().split()[:5]:
        query = query.where(or_(func.lower(StoreProduct.title).contains(word),
                                func.lower(StoreProduct.skus).contains(word)))
    rows = session.execute(query.order_by(StoreProduct.title, StoreProduct.id).limit(limit).offset(offset))
    return [(product, listing) for product, listing in rows]


def owned_run(session: Session, merchant_id: int, run_id: int) -> SyncRun:
    """The merchant's sync run; NotFound otherwise."""
    return repo.owned(session, SyncRun, merchant_id, run_id, "sync run")


def latest_run(session: Session, merchant_id: int, feed_id: int) -> SyncRun | None:
    """The newest sync run of a feed."""
    return session.scalars(select(SyncRun).where(SyncRun.merchant_id == merchant_id, SyncRun.feed_id == feed_id)
                           .order_by(SyncRun.id.desc()).limit(1)).first()


def gave_up(session: Session, merchant_id: int, listing_ids: list[int]) -> dict[int, Intent]:
    """Listings whose create job failed for good (the worker gave up), with that failed work.

    Such a listing can still read "Queued for sync"; the page shows the error and a retry instead.
    """
    if not listing_ids:
        return {}
    rows = session.scalars(select(Intent).where(
        Intent.merchant_id == merchant_id, Intent.kind == "listing.create", Intent.state == "failed",
        Intent.key.in_([str(i) for i in listing_ids])))
    return {int(row.key): row for row in rows}


def run_gave_up(session: Session, run: SyncRun) -> int:
    """How many listings of a run failed for good without being counted by the run."""
    ids = list(session.scalars(select(Listing.id).where(Listing.run_id == run.id,
                                                        Listing.merchant_id == run.merchant_id,
                                                        Listing.status == ListingStatus.NOT_SYNCED.value)))
    return len(gave_up(session, run.merchant_id, ids))


def parse_selection(values: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Checked boxes → product ids and chosen SKUs: "product:<id>" selects a product, "sku:<id>:<variant>" one SKU.

    A product with only some SKUs checked lists only those; a product checked as a whole lists all of them.
    """
    products: list[str] = []
    variants: dict[str, list[str]] = {}
    for value in values:
        kind, _, rest = value.partition(":")
        if kind == "product" and rest:
            products.append(rest)
        elif kind == "sku" and ":" in rest:
            product_id, _, variant_id = rest.partition(":")
            variants.setdefault(product_id, []).append(variant_id)
        else:
            raise DataError("Choose products from the list.", field="product_ids")
    whole = set(products)
    chosen = products + [pid for pid in variants if pid not in whole]
    return list(dict.fromkeys(chosen)), {pid: vids for pid, vids in variants.items() if pid not in whole}


# ---- links --------------------------------------------------------------------------------------------------

def owned_binding(session: Session, merchant_id: int, binding_id: int) -> Binding:
    """The merchant's link; NotFound otherwise."""
    return repo.owned(session, Binding, merchant_id, binding_id, "link")


def feed_bindings(session: Session, scope: FeedScope, limit: int = 500) -> list[Binding]:
    """The feed's links, by seller SKU."""
    return list(session.scalars(select(Binding).where(Binding.feed_id == scope.feed.id,
                                                      Binding.merchant_id == scope.feed.merchant_id)
                                .order_by(Binding.seller_sku, Binding.id).limit(limit)))


# ---- orders, after-sales ------------------------------------------------------------------------------------

def shipments_by_order(session: Session, merchant_id: int, order_ids: list[int]) -> dict[int, list[Shipment]]:
    """Shipments of these orders, grouped by order id."""
    found: dict[int, list[Shipment]] = {}
    if not order_ids:
        return found
    for row in session.scalars(select(Shipment).where(Shipment.merchant_id == merchant_id,
                                                      Shipment.order_id.in_(order_ids)).order_by(Shipment.id)):
        found.setdefault(row.order_id, []).append(row)
    return found


def after_sales(session: Session, merchant_id: int, limit: int = 20) -> list[AfterSale]:
    """Recent cancellations, returns and refunds, newest first."""
    return list(session.scalars(select(AfterSale).where(AfterSale.merchant_id == merchant_id)
                                .order_by(AfterSale.updated_at.desc(), AfterSale.id.desc()).limit(limit)))


def mismatched_feeds(session: Session, merchant_id: int) -> list[FeedScope]:
    """Feeds whose store and shop currencies differ with no exchange rate set."""
    return [scope for scope in all_feeds(session, merchant_id) if scope.feed.status == "currency_mismatch"]


def owned_order(session: Session, merchant_id: int, order_id: int) -> Order:
    """The merchant's order; NotFound otherwise."""
    return repo.owned(session, Order, merchant_id, order_id, "order")


def retry_order(session: Session, merchant_id: int, order_id: int) -> Order:
    """The Retry button of a failed order: its store order (or its tracking) is tried again.

    The order flow never creates a store order twice, so a retry is always safe.
    """
    order = owned_order(session, merchant_id, order_id)
    shop = owned_shop(session, merchant_id, order.tiktok_shop_id)
    if order.sync_state == "failed":
        note_order(session, shop, order.tiktok_order_id)
        order.sync_state, order.reason = "queued", "Queued again."
    elif order.fulfilment_state == "failed":
        queue_fulfilment(session, order)
        order.fulfilment_state, order.fulfilment_reason = "waiting", "Queued again."
    else:
        raise DataError("Only a failed order can be retried.", field="order_id")
    repo.log_activity(session, merchant_id, "order.retried",
                      f"You asked feedbridge to try TikTok order {order.tiktok_order_id} again.")
    return order


# ---- carriers -----------------------------------------------------------------------------------------------

def owned_shop(session: Session, merchant_id: int, shop_id: int) -> TikTokShop:
    """The merchant's TikTok shop; NotFound otherwise."""
    return repo.owned(session, TikTokShop, merchant_id, shop_id, "TikTok shop")


def cached_providers(shop: TikTokShop) -> list[Provider]:
    """The shop's shipping providers as last read from TikTok (shop.settings["providers"])."""
    return [Provider(str(p["id"]), str(p["name"])) for p in (shop.settings or {}).get("providers", [])]


@dataclass(frozen=True, slots=True)
class CarrierRow:
    """One store carrier name and the TikTok provider it goes to (mapped, suggested or none)."""

    store_carrier: str
    provider_id: str
    provider_name: str
    source: str  # "merchant" | "suggested" | ""
    mapping_id: int | None
    shipments: int


def carrier_rows(session: Session, shop: TikTokShop) -> list[CarrierRow]:
    """Every store carrier name seen for the shop (shipments, the store's list, mappings) with its provider."""
    seen: dict[str, int] = {}
    for name, count in session.execute(
            select(Shipment.store_carrier, func.count()).join(Order, Order.id == Shipment.order_id)
            .where(Order.tiktok_shop_id == shop.id, Order.merchant_id == shop.merchant_id,
                   Shipment.store_carrier != "").group_by(Shipment.store_carrier)):
        seen[str(name)] = int(count)
    for name in (shop.settings or {}).get("store_carriers", []):
        seen.setdefault(str(name), 0)
    mappings = {m.store_carrier: m for m in session.scalars(select(CarrierMapping).where(
        CarrierMapping.tiktok_shop_id == shop.id, CarrierMapping.merchant_id == shop.merchant_id))}
    for name in mappings:
        seen.setdefault(name, 0)
    providers = cached_providers(shop)
    rows: list[CarrierRow] = []
    for name in sorted(seen, key=str.lower):
        mapping = mappings.get(name)
        if mapping is not None:
            rows.append(CarrierRow(name, mapping.provider_id, mapping.provider_name, mapping.source, mapping.id,
                                   seen[name]))
            continue
        suggestion = suggest_provider(name, providers)
        if suggestion is not None:
            rows.append(CarrierRow(name, suggestion[0].id, suggestion[0].name, "suggested", None, seen[name]))
        else:
            rows.append(CarrierRow(name, "", "", "", None, seen[name]))
    return rows


def default_provider(shop: TikTokShop) -> tuple[str, str]:
    """(provider id, words) of the shop's default provider: the merchant's, else the region's usual one."""
    providers = {p.id: p for p in cached_providers(shop)}
    chosen = str(shop_settings(shop).get("default_provider_id") or "")
    if chosen:
        provider = providers.get(chosen)
        return chosen, provider.name if provider else f"provider {chosen}"
    if shop.region.upper() in ("GB", "UK"):
        royal = next((p for p in providers.values() if p.name.lower().startswith("royal mail")), None)
        if royal is not None:
            return "", f"{royal.name} (the usual carrier in the UK)"
    return "", "none"


def set_carrier(session: Session, shop: TikTokShop, store_carrier: str, provider_id: str) -> CarrierMapping | None:
    """Map a store carrier name to one of the shop's providers (an empty provider removes the mapping)."""
    name = store_carrier.strip()
    if not name or len(name) > 200:
        raise DataError("Enter the carrier name as your store writes it (up to 200 characters).",
                        field="store_carrier")
    existing = session.scalars(select(CarrierMapping).where(
        CarrierMapping.tiktok_shop_id == shop.id, CarrierMapping.store_carrier == name)).first()
    if not provider_id:
        if existing is not None:
            session.delete(existing)
        return None
    providers = {p.id: p for p in cached_providers(shop)}
    if providers and provider_id not in providers:
        raise DataError("Choose one of this TikTok shop's shipping providers.", field="provider_id")
    if existing is None:
        existing = CarrierMapping(merchant_id=shop.merchant_id, tiktok_shop_id=shop.id, store_carrier=name,
                                  provider_id=provider_id)
        session.add(existing)
    existing.provider_id = provider_id
    existing.provider_name = providers[provider_id].name if provider_id in providers else ""
    existing.source = "merchant"
    session.flush()
    return existing


# ---- rules and settings -------------------------------------------------------------------------------------

def _decimal(value: Any, name: str, words: str, *, low: Decimal | None = None, high: Decimal | None = None,
             positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DataError(f"Enter {words} as a number.", field=name) from exc
    if not number.is_finite() or (positive and number <= 0) or (low is not None and number < low) \
            or (high is not None and number > high):
        bounds = "above zero" if positive else f"between {low} and {high}"
        raise DataError(f"{words.capitalize()} must be {bounds}.", field=name)
    return number


def _whole(value: Any, name: str, words: str, *, high: int = 1_000_000) -> int:
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise DataError(f"Enter {words} as a whole number.", field=name) from exc
    if number < 0 or number > high:
        raise DataError(f"{words.capitalize()} must be between 0 and {high}.", field=name)
    return number


def rules_view(scope: FeedScope) -> dict[str, Any]:
    """The feed's rules with defaults filled in, as the settings form and the API show them."""
    raw = scope.feed.rules or {}
    price, stock = raw.get("price", {}), raw.get("stock", {})
    return {
        "price": {"source": price.get("source", "price"), "percent": str(price.get("percent", "0")),
                  "amount": str(price.get("amount", "0")), "rounding": price.get("rounding", "none"),
                  "direction": price.get("direction", "up")},
        "stock": {"locations": list(stock.get("locations") or []), "percent": str(stock.get("percent", "100")),
                  "buffer": int(stock.get("buffer", 0)),
                  "untracked_quantity": int(stock.get("untracked_quantity", 99_999))},
        "defaults": {key: str(value) for key, value in feed_defaults(scope.feed).items()},
        "exchange_rate": scope.feed.exchange_rate,
    }


def clean_rules(price: dict[str, Any], stock: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Validate rule input (any field may be missing: its default applies); DataError names the field."""
    source = str(price.get("source", "price"))
    if source not in {s.value for s in PriceSource}:
        raise DataError("Choose the store price or the compare-at price.", field="price_source")
    rounding = str(price.get("rounding", "none"))
    if rounding not in {r.value for r in Rounding}:
        raise DataError("Choose a rounding from the list.", field="rounding")
    direction = str(price.get("direction", "up"))
    if direction not in {d.value for d in RoundingDirection}:
        raise DataError("Choose up, down or nearest.", field="direction")
    locations = stock.get("locations") or []
    if isinstance(locations, str):
        locations = [part.strip() for part in locations.split(",") if part.strip()]
    clean_defaults: dict[str, str] = {}
    for key in BUILT_IN_DEFAULTS:
        if defaults.get(key) not in (None, ""):
            clean_defaults[key] = str(_decimal(defaults[key], key, PACKAGE_FIELDS[key].lower(), positive=True))
    return {
        "price": {"source": source, "rounding": rounding, "direction": direction,
                  "percent": str(_decimal(price.get("percent", 0) or 0, "price_percent", "the price change in percent",
                                          low=Decimal(-90), high=Decimal(1000))),
                  "amount": str(_decimal(price.get("amount", 0) or 0, "price_amount", "the amount to add",
                                         low=Decimal(-100_000), high=Decimal(100_000)))},
        "stock": {"locations": [str(loc)[:64] for loc in locations][:50],
                  "percent": str(_decimal(stock.get("percent", 100) or 0, "stock_percent",
                                          "the share of stock to publish", low=Decimal(0), high=Decimal(100))),
                  "buffer": _whole(stock.get("buffer", 0) or 0, "buffer", "the buffer"),
                  "untracked_quantity": _whole(stock.get("untracked_quantity", 99_999) or 0, "untracked_quantity",
                                               "the quantity for untracked items", high=99_999)},
        "defaults": clean_defaults,
    }


def save_rules(session: Session, scope: FeedScope, rules: dict[str, Any], exchange_rate: str | None) -> None:
    """Store validated rules (and the exchange rate) on the feed; callers then queue a resync."""
    scope.feed.rules = {**(scope.feed.rules or {}), **rules}
    scope.feed.exchange_rate = parse_exchange_rate(exchange_rate)
    _apply_currency_rule(session, scope.feed, scope.store)
    repo.log_activity(session, scope.feed.merchant_id, "feed.rules_changed",
                      f"Price and stock rules of {scope.label} changed; linked products are pushed again.",
                      subject=f"feed:{scope.feed.id}")


def clean_shop_settings(shop: TikTokShop, values: dict[str, Any]) -> dict[str, Any]:
    """Validate order rules of a shop; unknown keys are refused, missing ones keep their value."""
    current = shop_settings(shop)
    allowed = {"order_create_when", "order_number", "order_prefix", "restock_on_return", "auto_link_by_sku",
               "default_provider_id"}
    unknown = set(values) - allowed
    if unknown:
        raise DataError(f"Unknown setting {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    merged = {**current, **values}
    if merged["order_create_when"] not in ORDER_CREATE_WHEN:
        raise DataError("Choose when orders are created: after_hold or at_once.", field="order_create_when")
    if merged["order_number"] not in ORDER_NUMBERS:
        raise DataError("Choose the store's numbering or a prefix.", field="order_number")
    prefix = str(merged.get("order_prefix") or "")
    if merged["order_number"] == "prefix" and not (0 < len(prefix) <= 20):
        raise DataError("Enter a prefix of 1 to 20 characters, e.g. TT-.", field="order_prefix")
    provider = str(merged.get("default_provider_id") or "")
    providers = {p.id for p in cached_providers(shop)}
    if provider and providers and provider not in providers:
        raise DataError("Choose one of this TikTok shop's shipping providers.", field="default_provider_id")
    for key in ("restock_on_return", "auto_link_by_sku"):
        if not isinstance(merged[key], bool):
            raise DataError(f"{key} is true or false.", field=key)
    return {key: merged[key] for key in allowed} | {"order_prefix": prefix, "default_provider_id": provider}


def save_shop_settings(shop: TikTokShop, values: dict[str, Any]) -> None:
    """Keep the shop's other settings (caches, poll marks) and replace the order rules."""
    shop.settings = {**(shop.settings or {}), **values}
