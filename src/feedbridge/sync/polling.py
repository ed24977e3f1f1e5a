"""Scheduled safety nets: poll stores without webhooks (Magento) and every TikTok shop, reconcile on a cadence.

Each schedule only records intents (keyed so that a schedule firing twice queues one job).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db.intents import record_intent
from feedbridge.db.models import Order, StoreConnection, StoreFeed, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for
from feedbridge.sync.events import handle_store_events
from feedbridge.sync.fulfilment import queue_fulfilment

STORE_OVERLAP = timedelta(seconds=120)


def _due(settings: dict[str, object], key: str, every: timedelta, now: datetime) -> bool:
    last = settings.get(key)
    return not last or datetime.fromisoformat(str(last)) + every <= now


def schedule_polls(session: Session, *, now: datetime | None = None, store_every: timedelta = timedelta(seconds=60),
                   tiktok_every: timedelta = timedelta(minutes=5), reconcile_every: timedelta = timedelta(hours=6)
                   ) -> int:
    """Queue every poll that is due; returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for connection in session.scalars(select(StoreConnection).where(StoreConnection.status == "connected")):
        every = timedelta(seconds=int((connection.settings or {}).get("poll_seconds", store_every.total_seconds())))
        if _due(connection.settings or {}, "polled_at", every, now):
            connection.settings = {**(connection.settings or {}), "polled_at": now.isoformat()}
            record_intent(session, "store.poll", str(connection.id), {"connection": connection.id},
                          merchant_id=connection.merchant_id)
            queued += 1 + queue_open_fulfilments(session, connection)
    for shop in session.scalars(select(TikTokShop).where(TikTokShop.status.in_(("connected", "expiring")))):
        if _due(shop.settings or {}, "polled_at", tiktok_every, now):
            shop.settings = {**(shop.settings or {}), "polled_at": now.isoformat()}
            for kind in ("orders.poll", "aftersales.sync"):
                record_intent(session, kind, str(shop.id), {"shop": shop.id}, merchant_id=shop.merchant_id)
                queued += 1
    for feed in session.scalars(select(StoreFeed).where(StoreFeed.status == "active")):
        rules = feed.rules or {}
        if _due(rules, "reconciled_at", reconcile_every, now):
            feed.rules = {**rules, "reconciled_at": now.isoformat()}
            record_intent(session, "price_stock.reconcile", str(feed.id), {"feed": feed.id},
                          merchant_id=feed.merchant_id)
            record_intent(session, "listings.poll", str(feed.id), {"feed": feed.id}, merchant_id=feed.merchant_id)
            queued += 2
    return queued


def queue_open_fulfilments(session: Session, connection: StoreConnection) -> int:
    """Check unshipped store orders for new fulfilments (the only way on stores without order webhooks)."""
    orders = session.scalars(select(Order).join(StoreFeed, Order.feed_id == StoreFeed.id).where(
        StoreFeed.store_connection_id == connection.id, Order.sync_state == "created",
        Order.fulfilment_state.in_(("unfulfilled", "waiting")))).all()
    for order in orders:
        queue_fulfilment(session, order)
    return len(orders)


async def poll_store(runtime: Runtime, connection_id: int) -> int:
    """Ask the store what changed since the watermark (with overlap) and act on it like on webhooks."""
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        if connection is None:
            return 0
    since = connection.poll_watermark or (utcnow() - timedelta(minutes=15))
    store = store_for(runtime, connection)
    try:
        page = await store.changes_since(since, STORE_OVERLAP)
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        row = session.get(StoreConnection, connection_id)
        assert row is not None
        queued = handle_store_events(session, row, page.events)
        row.poll_watermark = page.watermark
    return queued


def run_schedules(runtime: Runtime) -> int:
    """The periodic task body: queue due polls."""
    with transaction(runtime.sessions) as session:
        return schedule_polls(session)
