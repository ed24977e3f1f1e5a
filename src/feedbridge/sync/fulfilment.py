"""Store → TikTok: the merchant's fulfilments (carrier and tracking number) go to the order's TikTok package.

The store carrier name is mapped to one of the shop's TikTok shipping providers: the merchant's mapping first,
then a confident suggestion by name, then the shop's default provider (the order says which was used).
An order still inside TikTok's on-hold window is never shipped: it waits, and says why.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import (
    CarrierMapping,
    Order,
    Shipment,
    StoreConnection,
    StoreFeed,
    TikTokShop,
    utcnow,
)
from feedbridge.db.session import transaction
from feedbridge.domain import marketplace as mk
from feedbridge.domain.carriers import CarrierChoice, Provider, check_tracking_number, resolve_carrier
from feedbridge.domain.marketplace import ShippingProvider
from feedbridge.domain.orders import Fulfilment, StoreOrderRef
from feedbridge.errors import ConfigError, DataError, PlatformError
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import marketplace_for, shop_settings, store_for

log = logging.getLogger(__name__)

FULFILMENT_SYNC = "fulfilment.sync"


def queue_fulfilment(session: Session, order: Order) -> None:
    """Queue a check of the store order's fulfilments (after a store webhook, a poll, or a status change)."""
    record_intent(session, FULFILMENT_SYNC, str(order.id), {"order": order.id}, merchant_id=order.merchant_id)


def choose_provider(session: Session, shop: TikTokShop, store_carrier: str,
                    providers: list[ShippingProvider]) -> CarrierChoice:
    """The TikTok provider for a store carrier name: mapped, suggested, or the shop's default."""
    mapping = {m.store_carrier: m.provider_id for m in session.scalars(
        select(CarrierMapping).where(CarrierMapping.tiktok_shop_id == shop.id))}
    default_id = shop_settings(shop).get("default_provider_id") or None
    return resolve_carrier(store_carrier, mapping, [Provider(p.id, p.name) for p in providers],
                           default_provider_id=str(default_id) if default_id else None, region=shop.region)


def _package_for(order: Order, fulfilment: Fulfilment, used: set[str]) -> str:
    """The TikTok package holding the fulfilled items (partial fulfilments ship the matching package)."""
    packages: list[str] = [p for p in order.data.get("packages", []) if p]
    skus = {line.sku for line in fulfilment.lines}
    by_package: dict[str, set[str]] = {}
    for line in order.data.get("lines", []):
        if line.get("package_id"):
            by_package.setdefault(line["package_id"], set()).add(line.get("seller_sku", ""))
    for package_id, package_skus in by_package.items():
        if package_id not in used and skus and skus <= package_skus | {""}:
            return package_id
    free = [p for p in packages if p not in used]
    return free[0] if free else (packages[0] if packages else "")


def _line_items_for(order: Order, fulfilment: Fulfilment, shipped: set[str]) -> tuple[list[str], bool]:
    """The TikTok line items a store fulfilment ships (one line item per unit), and whether that is everything
    still unshipped. Items already sent with an earlier shipment are skipped."""
    lines = [line for line in order.data.get("lines", []) if line.get("id") and line["id"] not in shipped]
    remaining = [str(line["id"]) for line in lines]
    if not fulfilment.lines:
        return remaining, True
    picked: list[str] = []
    for wanted in fulfilment.lines:
        matching = [str(line["id"]) for line in lines if str(line["id"]) not in picked
                    and wanted.sku and line.get("seller_sku") == wanted.sku]
        picked.extend(matching[:wanted.quantity])
    return picked, bool(picked) and set(picked) == set(remaining)


async def sync_fulfilment(runtime: Runtime, order_row_id: int) -> int:
    """Send every new store fulfilment of one order to TikTok; returns how many were sent."""
    with runtime.sessions() as session:
        order = session.get(Order, order_row_id)
        if order is None or not order.store_order_id or order.feed_id is None:
            return 0
        shop = session.get(TikTokShop, order.tiktok_shop_id)
        feed = session.get(StoreFeed, order.feed_id)
        connection = session.get(StoreConnection, feed.store_connection_id) if feed else None
        shipments = list(session.scalars(select(Shipment).where(Shipment.order_id == order_row_id)))
        known = {s.store_fulfilment_id: s.state for s in shipments}
        shipped = {str(i) for s in shipments if s.state == "sent" for line in s.lines
                   for i in line.get("line_item_ids", [])}
    if shop is None or connection is None:
        return 0
    if order.tiktok_status in (mk.UNPAID, mk.ON_HOLD):
        _set(runtime, order_row_id, "waiting",
             "Still inside TikTok's cancellation window: tracking is sent to TikTok when the window ends.")
        return 0
    store = store_for(runtime, connection)
    try:
        fulfilments = await store.fulfilments(StoreOrderRef(order.store_order_id, order.store_order_number,
                                                            order.tiktok_order_id))
    finally:
        await store.aclose()
    new = [f for f in fulfilments if known.get(f.id) not in ("sent",)]
    if not new:
        return 0
    market = marketplace_for(runtime, shop)
    sent = 0
    try:
        providers = await market.shipping_providers()
        used: set[str] = set()
        for fulfilment in new:
            with transaction(runtime.sessions) as session:
                shop_row = session.get(TikTokShop, shop.id)
                assert shop_row is not None
                try:
                    choice = choose_provider(session, shop_row, fulfilment.carrier, providers)
                except ConfigError as exc:
                    choice = CarrierChoice("", "", "default", exc.message)
                shipment = session.scalars(select(Shipment).where(
                    Shipment.order_id == order_row_id, Shipment.store_fulfilment_id == fulfilment.id)).first()
                if shipment is None:
                    shipment = Shipment(merchant_id=order.merchant_id, order_id=order_row_id,
                                        store_fulfilment_id=fulfilment.id)
                    session.add(shipment)
                shipment.store_carrier = fulfilment.carrier
                shipment.tracking_number = fulfilment.tracking_number
                shipment.provider_id, shipment.provider_name = choice.provider_id, choice.provider_name
                shipment.carrier_source = choice.source
                items, everything = _line_items_for(order, fulfilment, shipped)
                shipment.lines = [{"sku": ln.sku, "quantity": ln.quantity} for ln in fulfilment.lines]
                if shipment.lines:
                    shipment.lines[0]["line_item_ids"] = items
                else:
                    shipment.lines = [{"sku": "", "quantity": len(items), "line_item_ids": items}]
                package_id = _package_for(order, fulfilment, used)
                shipment.package_id = package_id
                session.flush()
                shipment_id = shipment.id
            problem = ""
            if not choice.provider_id:
                problem = choice.note
            elif not package_id:
                problem = "TikTok has no package for this order yet."
            else:
                problem = check_tracking_number(choice.provider_name, fulfilment.tracking_number) or ""
            if problem:
                _shipment_failed(runtime, shipment_id, order_row_id, problem,
                                 "Map the carrier under Carriers or correct the tracking number in your store.")
                continue
            try:
                # Part of the order: ship just those items (TikTok splits the package); else the package.
                await market.ship(order.tiktok_order_id, package_id, choice.provider_id, fulfilment.tracking_number,
                                  line_item_ids=None if everything or not items else items)
            except (DataError, PlatformError) as exc:
                _shipment_failed(runtime, shipment_id, order_row_id, f"TikTok rejected the tracking: {exc}",
                                 "Check the carrier and tracking number in your store, then Retry.")
                continue
            used.add(package_id)
            shipped.update(items)
            sent += 1
            with transaction(runtime.sessions) as session:
                saved = session.get(Shipment, shipment_id)
                assert saved is not None
                saved.state, saved.reason, saved.sent_at = "sent", choice.note, utcnow()
                row = session.get(Order, order_row_id)
                assert row is not None
                row.fulfilment_state = "shipped"
                row.fulfilment_reason = choice.note
                log_activity(session, row.merchant_id, "fulfilment.sent",
                             f"Tracking {fulfilment.tracking_number} ({choice.provider_name}) sent to TikTok for "
                             f"order {row.tiktok_order_id}." + (f" {choice.note}" if choice.note else ""),
                             subject=row.tiktok_order_id)
    finally:
        await market.aclose()
    return sent


def _set(runtime: Runtime, order_row_id: int, state: str, reason: str) -> None:
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        order.fulfilment_state, order.fulfilment_reason = state, reason


def _shipment_failed(runtime: Runtime, shipment_id: int, order_row_id: int, reason: str, action: str) -> None:
    with transaction(runtime.sessions) as session:
        shipment = session.get(Shipment, shipment_id)
        assert shipment is not None
        shipment.state, shipment.reason = "failed", reason
        order = session.get(Order, order_row_id)
        assert order is not None
        order.fulfilment_state, order.fulfilment_reason = "failed", reason
        log_activity(session, order.merchant_id, "fulfilment.failed", reason, level="error",
                     subject=order.tiktok_order_id, action=action)


def fulfilment_gave_up(runtime: Runtime, order_row_id: int, message: str) -> None:
    """The tracking job ended failed: the order's shipment state shows the reason."""
    with runtime.sessions() as session:
        order = session.get(Order, order_row_id)
        if order is None or order.fulfilment_state in ("shipped", "failed"):
            return
    _set(runtime, order_row_id, "failed", f"Tracking not sent to TikTok: {message}")
