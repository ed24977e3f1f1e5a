"""Turns verified webhooks and poll results into durable intents (one direction each, as the flows say).

TikTok events: orders, cancellations, returns, product review status, authorization changes.
Store events: product and stock changes (price/stock push), fulfilments (tracking to TikTok).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import Order, StoreConnection, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.domain.catalog import ChangeEvent, ChangeKind
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for
from feedbridge.sync.fulfilment import queue_fulfilment
from feedbridge.sync.orders import note_order
from feedbridge.sync.price_stock import queue_product_change
from feedbridge.tiktok.webhooks import WebhookEvent, WebhookType

LISTING_STATUS = "listing.status"
AFTER_SALES = "aftersales.sync"
RESOLVE_CHANGE = "store.resolve_change"


def handle_tiktok_event(session: Session, shop: TikTokShop, event: WebhookEvent) -> str:
    """Record what a TikTok webhook asks us to do for one connected shop; returns what was queued."""
    kind = event.type
    if kind in (WebhookType.ORDER_STATUS_CHANGE, WebhookType.PACKAGE_UPDATE,
                WebhookType.RECIPIENT_ADDRESS_UPDATE) and event.order_id:
        note_order(session, shop, event.order_id, event.status if kind == WebhookType.ORDER_STATUS_CHANGE else "")
        return "order"
    if kind in (WebhookType.PRODUCT_STATUS_CHANGE, WebhookType.PRODUCT_AUDIT_STATUS_CHANGE) and event.product_id:
        record_intent(session, LISTING_STATUS, f"{shop.id}:{event.product_id}",
                      {"shop": shop.id, "product": event.product_id}, merchant_id=shop.merchant_id)
        return "listing"
    if kind in (WebhookType.CANCELLATION_STATUS_CHANGE, WebhookType.RETURN_STATUS_CHANGE,
                WebhookType.REVERSE_STATUS_UPDATE):
        record_intent(session, AFTER_SALES, str(shop.id), {"shop": shop.id}, merchant_id=shop.merchant_id)
        if event.order_id:
            note_order(session, shop, event.order_id)
        return "after_sales"
    if kind == WebhookType.SELLER_DEAUTHORIZATION:
        shop.status = "reauthorize"
        shop.status_reason = "The seller removed feedbridge's access to this TikTok shop."
        log_activity(session, shop.merchant_id, "tiktok.deauthorized", shop.status_reason, level="error",
                     subject=shop.name or shop.shop_id,
                     action="Authorize the shop again under Connections; nothing was deleted.")
        return "deauthorized"
    if kind == WebhookType.UPCOMING_AUTHORIZATION_EXPIRATION:
        expires = event.data.get("expiration_time")
        when = (datetime.fromtimestamp(int(expires), UTC).date().isoformat()
                if isinstance(expires, int | str) and str(expires).isdigit() else "soon")
        if shop.status == "connected":
            shop.status = "expiring"
        shop.status_reason = f"TikTok authorization expires {when}."
        log_activity(session, shop.merchant_id, "tiktok.expiring", shop.status_reason, level="warning",
                     subject=shop.name or shop.shop_id, action="Authorize the shop again under Connections.")
        return "expiring"
    return "ignored"


def handle_store_events(session: Session, connection: StoreConnection, events: list[ChangeEvent]) -> int:
    """Queue the work each store change needs; returns how many intents were queued."""
    queued = 0
    for event in events:
        if event.kind in (ChangeKind.PRODUCT_UPDATED, ChangeKind.INVENTORY_UPDATED, ChangeKind.PRODUCT_DELETED):
            found = queue_product_change(session, connection.id, event.object_id)
            if not found and event.kind == ChangeKind.INVENTORY_UPDATED:
                # Some stores name the inventory item, not the product (Shopify): find the product first.
                record_intent(session, RESOLVE_CHANGE, f"{connection.id}:{event.object_id}",
                              {"connection": connection.id, "object_id": event.object_id},
                              merchant_id=connection.merchant_id)
                found = 1
            queued += found
        elif event.kind in (ChangeKind.FULFILMENT_CREATED, ChangeKind.ORDER_UPDATED):
            order = session.scalars(select(Order).join(TikTokShop, Order.tiktok_shop_id == TikTokShop.id).where(
                Order.store_order_id == event.object_id, Order.merchant_id == connection.merchant_id)).first()
            if order is not None:
                queue_fulfilment(session, order)
                queued += 1
    return queued


async def resolve_change(runtime: Runtime, connection_id: int, object_id: str) -> int:
    """Read the product a stock change names indirectly, then queue its price/stock push."""
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        if connection is None:
            return 0
    store = store_for(runtime, connection)
    try:
        product = await store.get_product(object_id)
    finally:
        await store.aclose()
    if product is None:
        return 0
    with transaction(runtime.sessions) as session:
        return queue_product_change(session, connection_id, product.id)
