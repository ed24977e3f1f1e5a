"""Merchant-scoped queries for the dashboard and the API.

Every helper takes `merchant_id` and filters on it; none fetches a row by id alone, so another merchant's rows
are simply "not found".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from feedbridge.db.models import (
    Activity,
    ApiToken,
    Binding,
    CarrierMapping,
    CategoryMapping,
    Intent,
    Listing,
    Merchant,
    Order,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    TikTokShop,
    utcnow,
)
from feedbridge.web.errors import NotFound

T = TypeVar("T")

LEVELS = ("info", "warning", "error")
FAILED_LISTING_STATUSES = ("failed_to_sync", "failed_review")


def owned(session: Session, model: type[T], merchant_id: int, row_id: int, what: str = "item") -> T:
    """The row `row_id` of `model` if it belongs to the merchant; NotFound otherwise."""
    row = session.scalars(
        select(model).where(model.id == row_id, model.merchant_id == merchant_id)  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound(f"There is no {what} {row_id} in your account.")
    return row


def _all(session: Session, query: Select[Any]) -> list[Any]:
    return list(session.scalars(query))


def merchant_by_email(session: Session, email: str) -> Merchant | None:
    """The account with this (normalised) e-mail address."""
    return session.scalars(select(Merchant).where(Merchant.email == email)).first()


def connections(session: Session, merchant_id: int) -> list[StoreConnection]:
    """The merchant's store connections, oldest first."""
    return _all(session, select(StoreConnection).where(StoreConnection.merchant_id == merchant_id)
                .order_by(StoreConnection.id))


def shops(session: Session, merchant_id: int) -> list[TikTokShop]:
    """The merchant's TikTok shops, oldest first."""
    return _all(session, select(TikTokShop).where(TikTokShop.merchant_id == merchant_id).order_by(TikTokShop.id))


def feeds(session: Session, merchant_id: int, store_connection_id: int | None = None) -> list[StoreFeed]:
    """The merchant's feeds (store → TikTok shop), optionally of one store."""
    query = select(StoreFeed).where(StoreFeed.merchant_id == merchant_id)
    if store_connection_id is not None:
        query = query.where(StoreFeed.store_connection_id == store_connection_id)
    return _all(session, query.order_by(StoreFeed.id))


def activity(session: Session, merchant_id: int, *, level: str | None = None, before: int | None = None,
             limit: int = 50) -> list[Activity]:
    """Activity entries, newest first; `before` pages back from an entry id."""
    query = select(Activity).where(Activity.merchant_id == merchant_id)
    if level:
        query = query.where(Activity.level == level)
    if before is not None:
        query = query.where(Activity.id < before)
    return _all(session, query.order_by(Activity.id.desc()).limit(limit))


def listings(session: Session, merchant_id: int, *, status: str | None = None, limit: int = 100,
             offset: int = 0) -> list[Listing]:
    """Listings, most recently changed first, optionally of one status."""
    query = select(Listing).where(Listing.merchant_id == merchant_id)
    if status:
        query = query.where(Listing.status == status)
    return _all(session, query.order_by(Listing.updated_at.desc(), Listing.id.desc()).limit(limit).offset(offset))


def orders(session: Session, merchant_id: int, *, sync_state: str | None = None, limit: int = 100,
           offset: int = 0) -> list[Order]:
    """Orders, newest first, optionally in one sync state."""
    query = select(Order).where(Order.merchant_id == merchant_id)
    if sync_state:
        query = query.where(Order.sync_state == sync_state)
    return _all(session, query.order_by(Order.placed_at.desc().nulls_last(), Order.id.desc())
                .limit(limit).offset(offset))


def products(session: Session, merchant_id: int, *, limit: int = 100, offset: int = 0) -> list[StoreProduct]:
    """Store products we have read, by title."""
    return _all(session, select(StoreProduct).where(StoreProduct.merchant_id == merchant_id,
                                                    StoreProduct.deleted.is_(False))
                .order_by(StoreProduct.title, StoreProduct.id).limit(limit).offset(offset))


def category_mappings(session: Session, merchant_id: int) -> list[CategoryMapping]:
    """Category mappings of every feed."""
    return _all(session, select(CategoryMapping).where(CategoryMapping.merchant_id == merchant_id)
                .order_by(CategoryMapping.feed_id, CategoryMapping.scope, CategoryMapping.store_ref))


def bindings(session: Session, merchant_id: int, *, limit: int = 200) -> list[Binding]:
    """Store variants bound to TikTok SKUs."""
    return _all(session, select(Binding).where(Binding.merchant_id == merchant_id)
                .order_by(Binding.id.desc()).limit(limit))


def carrier_mappings(session: Session, merchant_id: int) -> list[CarrierMapping]:
    """Store carriers mapped to TikTok shipping providers."""
    return _all(session, select(CarrierMapping).where(CarrierMapping.merchant_id == merchant_id)
                .order_by(CarrierMapping.tiktok_shop_id, CarrierMapping.store_carrier))


def tokens(session: Session, merchant_id: int) -> list[ApiToken]:
    """API tokens that still work, newest first."""
    return _all(session, select(ApiToken).where(ApiToken.merchant_id == merchant_id,
                                                ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc()))


def failed_intents(session: Session, merchant_id: int, limit: int = 10) -> list[Intent]:
    """Work that failed for good and waits for the merchant (newest first)."""
    return _all(session, select(Intent).where(Intent.merchant_id == merchant_id, Intent.state == "failed")
                .order_by(Intent.updated_at.desc()).limit(limit))


def log_activity(session: Session, merchant_id: int, kind: str, message: str, *, level: str = "info",
                 subject: str = "", action: str = "", details: dict[str, Any] | None = None) -> Activity:
    """Write one activity entry for the merchant."""
    entry = Activity(merchant_id=merchant_id, kind=kind, message=message, level=level, subject=subject,
                     action=action, details=details or {}, at=utcnow())
    session.add(entry)
    return entry


def _count_by(session: Session, column: Any, merchant_column: Any, merchant_id: int) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(merchant_column == merchant_id).group_by(column))
    return {str(key): int(count) for key, count in rows}


@dataclass
class Attention:
    """What needs the merchant: failures and lost connections, with counts by status."""

    failed_intents: int = 0
    failed_listings: int = 0
    failed_orders: int = 0
    shops_not_connected: int = 0
    stores_not_connected: int = 0
    currency_mismatch_feeds: int = 0
    listings_by_status: dict[str, int] = field(default_factory=dict)
    orders_by_state: dict[str, int] = field(default_factory=dict)
    shops_by_status: dict[str, int] = field(default_factory=dict)
    feeds_by_status: dict[str, int] = field(default_factory=dict)
    intents: list[Intent] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many things need attention in all."""
        return (self.failed_intents + self.failed_listings + self.failed_orders + self.shops_not_connected
                + self.stores_not_connected + self.currency_mismatch_feeds)


def attention(session: Session, merchant_id: int) -> Attention:
    """Counts of everything that failed or lost its connection, for the home page."""
    result = Attention(
        listings_by_status=_count_by(session, Listing.status, Listing.merchant_id, merchant_id),
        orders_by_state=_count_by(session, Order.sync_state, Order.merchant_id, merchant_id),
        shops_by_status=_count_by(session, TikTokShop.status, TikTokShop.merchant_id, merchant_id),
        feeds_by_status=_count_by(session, StoreFeed.status, StoreFeed.merchant_id, merchant_id),
    )
    intents_by_state = _count_by(session, Intent.state, Intent.merchant_id, merchant_id)
    stores_by_status = _count_by(session, StoreConnection.status, StoreConnection.merchant_id, merchant_id)
    result.failed_intents = intents_by_state.get("failed", 0)
    result.failed_listings = sum(result.listings_by_status.get(s, 0) for s in FAILED_LISTING_STATUSES)
    result.failed_orders = result.orders_by_state.get("failed", 0)
    result.shops_not_connected = sum(n for s, n in result.shops_by_status.items() if s != "connected")
    result.stores_not_connected = sum(n for s, n in stores_by_status.items() if s != "connected")
    result.currency_mismatch_feeds = result.feeds_by_status.get("currency_mismatch", 0)
    result.intents = failed_intents(session, merchant_id)
    return result


@dataclass(frozen=True)
class DailySeries:
    """Counts per UTC day, oldest day first."""

    days: list[date]
    orders: list[int]
    activity: list[int]


def _per_day(session: Session, column: Any, merchant_column: Any, merchant_id: int, since: datetime) -> Counter[str]:
    if session.get_bind().dialect.name == "postgresql":
        day = func.date(func.timezone("UTC", column))
    else:
        day = func.date(column)
    rows = session.execute(select(day, func.count()).where(merchant_column == merchant_id, column >= since)
                           .group_by(day))
    return Counter({str(key): int(count) for key, count in rows if key is not None})


def daily_counts(session: Session, merchant_id: int, days: int = 14, today: date | None = None) -> DailySeries:
    """Orders placed and activity entries per day over the last `days` days (today included)."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=utcnow().tzinfo)
    order_counts = _per_day(session, Order.placed_at, Order.merchant_id, merchant_id, since)
    activity_counts = _per_day(session, Activity.at, Activity.merchant_id, merchant_id, since)
    span = [first + timedelta(days=i) for i in range(days)]
    return DailySeries(span, [order_counts.get(d.isoformat(), 0) for d in span],
                       [activity_counts.get(d.isoformat(), 0) for d in span])


@dataclass(frozen=True)
class Checklist:
    """The onboarding steps and whether each is done."""

    tiktok_connected: bool
    store_connected: bool
    feed_chosen: bool
    category_mapped: bool
    products_synced: bool

    @property
    def complete(self) -> bool:
        """Every step is done."""
        return all((self.tiktok_connected, self.store_connected, self.feed_chosen, self.category_mapped,
                    self.products_synced))


def _exists(session: Session, model: Any, merchant_id: int) -> bool:
    return session.scalars(select(model.id).where(model.merchant_id == merchant_id).limit(1)).first() is not None


def checklist(session: Session, merchant_id: int) -> Checklist:
    """Which onboarding steps the merchant has done."""
    return Checklist(
        tiktok_connected=_exists(session, TikTokShop, merchant_id),
        store_connected=_exists(session, StoreConnection, merchant_id),
        feed_chosen=_exists(session, StoreFeed, merchant_id),
        category_mapped=_exists(session, CategoryMapping, merchant_id),
        products_synced=_exists(session, Listing, merchant_id),
    )
