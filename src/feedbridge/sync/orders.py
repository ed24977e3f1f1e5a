"""TikTok → store: orders are created in the store exactly once, and follow TikTok's status.

TikTok is the source of truth for orders and cancellations. Exactly once: (shop, TikTok order id) is unique
in our `orders` table, the intent for an order is unique, and the store adapter looks the order up by its
TikTok id before creating it, so duplicate webhooks, parallel workers, retries after a timeout, or a crash
just after the store accepted the order never create a second one.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import Binding, Order, StoreConnection, StoreFeed, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.domain import marketplace as mk
from feedbridge.domain.marketplace import MarketplaceOrder
from feedbridge.domain.orders import Address, OrderDraft, OrderLine, StoreOrderRef, StoreOrderStatus
from feedbridge.errors import AuthError, DataError, PlatformError
from feedbridge.runtime import Runtime
from feedbridge.sync.catalog import cached_product
from feedbridge.sync.connections import marketplace_for, shop_settings, store_for

log = logging.getLogger(__name__)

ORDER_SYNC = "order.sync"
ORDERS_POLL = "orders.poll"
POLL_OVERLAP = timedelta(minutes=10)


def note_order(session: Session, shop: TikTokShop, tiktok_order_id: str, status: str = "",
               updated_at: datetime | None = None) -> Order:
    """Remember a TikTok order (from a webhook or a poll) and queue its sync, in the caller's transaction."""
    order = session.scalars(select(Order).where(Order.tiktok_shop_id == shop.id,
                                                Order.tiktok_order_id == tiktok_order_id)).first()
    if order is None:
        try:
            with session.begin_nested():
                order = Order(merchant_id=shop.merchant_id, tiktok_shop_id=shop.id,
                              tiktok_order_id=tiktok_order_id, tiktok_status=status, sync_state="queued")
                session.add(order)
        except IntegrityError:  # another worker noted it at the same moment
            order = session.scalars(select(Order).where(Order.tiktok_shop_id == shop.id,
                                                        Order.tiktok_order_id == tiktok_order_id)).one()
    if status:
        order.tiktok_status = status
    if updated_at:
        order.tiktok_updated_at = updated_at
    record_intent(session, ORDER_SYNC, f"{shop.id}:{tiktok_order_id}",
                  {"shop": shop.id, "order_id": tiktok_order_id}, merchant_id=shop.merchant_id)
    return order


def _feed_and_bindings(session: Session, shop: TikTokShop, mo: MarketplaceOrder
                       ) -> tuple[StoreFeed | None, dict[str, Binding], list[str]]:
    """The feed whose bindings cover the order's SKUs, the bindings by TikTok sku id, and unbound SKUs."""
    feeds = session.scalars(select(StoreFeed).where(StoreFeed.tiktok_shop_id == shop.id)).all()
    best: tuple[StoreFeed | None, dict[str, Binding], list[str]] = (None, {}, [])
    for feed in feeds:
        bound: dict[str, Binding] = {}
        missing: list[str] = []
        for line in mo.lines:
            binding = session.scalars(select(Binding).where(
                Binding.feed_id == feed.id, Binding.tiktok_sku_id == line.sku_id)).first()
            if binding is None and line.seller_sku:
                binding = session.scalars(select(Binding).where(
                    Binding.feed_id == feed.id, Binding.seller_sku == line.seller_sku,
                    Binding.tiktok_product_id == line.product_id)).first()
            if binding is None:
                missing.append(line.seller_sku or line.sku_id)
            else:
                bound[line.sku_id] = binding
        if best[0] is None or len(bound) > len(best[1]):
            best = (feed, bound, sorted(set(missing)))
    return best


def build_draft(mo: MarketplaceOrder, bindings: dict[str, Binding], *, settings: dict[str, object],
                titles: dict[str, str]) -> OrderDraft:
    """The store order for a TikTok order: lines grouped by SKU at the prices TikTok charged."""
    grouped: OrderedDict[str, OrderLine] = OrderedDict()
    for line in mo.lines:
        binding = bindings[line.sku_id]
        key = line.sku_id
        if key in grouped:
            prev = grouped[key]
            grouped[key] = OrderLine(prev.store_product_id, prev.store_variant_id, prev.sku, prev.title,
                                     prev.quantity + line.quantity, prev.unit_price, prev.original_price,
                                     prev.tiktok_sku_id)
        else:
            grouped[key] = OrderLine(
                store_product_id=binding.store_product_id, store_variant_id=binding.store_variant_id,
                sku=binding.seller_sku or line.seller_sku, title=titles.get(binding.store_product_id, line.title),
                quantity=line.quantity, unit_price=line.sale_price, original_price=line.original_price,
                tiktok_sku_id=line.sku_id)
    lines = list(grouped.values())
    subtotal = sum((ln.unit_price * ln.quantity for ln in lines), Decimal(0))
    note_parts = [f"TikTok Shop order {mo.id}."]
    if mo.platform_discount:
        note_parts.append(f"TikTok platform discount (paid by TikTok): {mo.platform_discount} {mo.currency}.")
    if mo.seller_discount:
        note_parts.append(f"Seller discount: {mo.seller_discount} {mo.currency}.")
    if mo.buyer_message:
        note_parts.append(f"Buyer message: {mo.buyer_message}")
    if mo.status == mk.ON_HOLD:
        note_parts.append("Still inside TikTok's cancellation window: do not ship yet.")
        if mo.recipient.line1 == ADDRESS_WITHHELD:
            note_parts.append("TikTok withholds the shipping address until then; feedbridge adds it here.")
    order_name = None
    if settings.get("order_number") == "prefix":
        order_name = f"{settings.get('order_prefix', 'TT-')}{mo.id}"
    return OrderDraft(
        tiktok_order_id=mo.id, currency=mo.currency, lines=lines, subtotal=subtotal, shipping=mo.shipping_fee,
        tax=mo.tax, seller_discount=mo.seller_discount, platform_discount=mo.platform_discount,
        total=mo.total or (subtotal + mo.shipping_fee + mo.tax), email=mo.buyer_email,
        shipping_address=mo.recipient, buyer_message=mo.buyer_message, note=" ".join(note_parts),
        tags=["TikTok Shop"], order_name=order_name, still_cancellable=mo.status == mk.ON_HOLD,
        created_at=mo.created_at,
    )


ADDRESS_WITHHELD = "Address withheld by TikTok while the order is on hold"


def address_withheld(mo: MarketplaceOrder) -> bool:
    """TikTok hides the buyer's address while an order is on hold."""
    return mo.status == mk.ON_HOLD and not (mo.recipient.line1 and mo.recipient.postal_code)


def with_placeholder_address(mo: MarketplaceOrder, region: str) -> MarketplaceOrder:
    """The order with a clearly marked placeholder address, for stores that refuse orders without one; the
    real address is added to the store order's notes when TikTok releases it."""
    placeholder = Address(name=mo.recipient.name or "TikTok Shop buyer", phone=mo.recipient.phone,
                          line1=ADDRESS_WITHHELD, city="Pending", state=mo.recipient.state,
                          postal_code="00000", country_code=mo.recipient.country_code or region)
    return dataclasses.replace(mo, recipient=placeholder)


def _address_text(address: Address) -> str:
    return ", ".join(p for p in (address.name, address.line1, address.line2, address.city, address.state,
                                 address.postal_code, address.country_code, address.phone) if p)


def _summary(mo: MarketplaceOrder) -> dict[str, object]:
    return {
        "lines": [{"id": ln.id, "sku_id": ln.sku_id, "seller_sku": ln.seller_sku, "title": ln.title, "quantity": ln.quantity,
                   "price": str(ln.sale_price), "package_id": ln.package_id} for ln in mo.lines],
        "packages": list(mo.package_ids), "shipping": str(mo.shipping_fee), "tax": str(mo.tax),
        "buyer": mo.recipient.name, "fulfilled_by_tiktok": mo.fulfilled_by_tiktok,
    }


def _should_create(mo: MarketplaceOrder, settings: dict[str, object]) -> tuple[bool, str]:
    if mo.status == mk.UNPAID:
        return False, "Waiting for payment: unpaid TikTok orders are never created in your store."
    if mo.status == mk.ON_HOLD:
        if settings.get("order_create_when") == "at_once":
            return True, ""
        return False, ("On hold: the buyer can still cancel. The order is created in your store when TikTok's "
                       "cancellation window ends.")
    if mo.status in mk.CREATABLE_STATUSES:
        return True, ""
    return False, ""


async def sync_order(runtime: Runtime, shop_row_id: int, tiktok_order_id: str) -> str:
    """Bring one TikTok order up to date in the store; returns the order's sync state."""
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_row_id)
        if shop is None:
            return "gone"
    market = marketplace_for(runtime, shop)
    try:
        found = await market.get_orders([tiktok_order_id])
    finally:
        await market.aclose()
    if not found:
        raise DataError(f"TikTok did not return order {tiktok_order_id}.", field="order_id")
    mo = found[0]
    settings = shop_settings(shop)
    with transaction(runtime.sessions) as session:
        order = note_order_row(session, shop, mo)
        feed, bindings, missing = _feed_and_bindings(session, shop, mo)
        if feed is not None:
            order.feed_id = feed.id
        connection = session.get(StoreConnection, feed.store_connection_id) if feed else None
        ref = (StoreOrderRef(order.store_order_id, order.store_order_number, mo.id)
               if order.store_order_id else None)
        titles: dict[str, str] = {}
        deleted: list[str] = []
        for binding in bindings.values():
            product = cached_product(session, feed.store_connection_id if feed else 0, binding.store_product_id)
            if product is None:
                deleted.append(binding.seller_sku or binding.store_variant_id)
            else:
                titles[binding.store_product_id] = product.title
        order_row_id = order.id
    if mo.status == mk.CANCELLED:
        return await _cancel_in_store(runtime, order_row_id, connection, ref, mo)
    create, reason = _should_create(mo, settings)
    if ref is not None:
        return await _follow_status(runtime, order_row_id, connection, ref, mo)
    if not create:
        _set_state(runtime, order_row_id, "waiting" if reason else "skipped", reason)
        return "waiting"
    if feed is None or connection is None:
        _fail(runtime, order_row_id, "No store feeds this TikTok shop.",
              "Connect a store and choose this TikTok shop for it under Connections.")
        raise DataError("No store feeds this TikTok shop.")
    if missing:
        text = (f"SKU {', '.join(missing)} is not synced or linked to a product in your store, so the order "
                "cannot be created.")
        _fail(runtime, order_row_id, text, "Link the SKU under Link products; the order is retried by itself.",
              missing=missing)
        raise DataError(text, action="Link the SKU under Link products; the order is retried by itself.")
    if deleted:
        text = f"The store product for SKU {', '.join(deleted)} was deleted, so the order cannot be created."
        _fail(runtime, order_row_id, text, "Restore the product or link the SKU to another product, then Retry.")
        raise DataError(text)
    withheld = address_withheld(mo)
    draft = build_draft(with_placeholder_address(mo, shop.region) if withheld else mo, bindings, settings=settings,
                        titles=titles)
    store = store_for(runtime, connection)
    try:
        created = await store.create_order(draft)
    except DataError as exc:
        _fail(runtime, order_row_id, f"Your store refused the order: {exc.message}", exc.action or "")
        raise
    except PlatformError as exc:
        if not refused(exc):
            raise  # a server error, throttling or a conflict: retried with backoff
        # The store rejected the order itself: retrying unchanged cannot help, so say why and offer Retry.
        action = exc.action or "Fix what your store reports, then use Retry on the order."
        _fail(runtime, order_row_id, f"Your store refused the order: {exc.message}", action)
        raise DataError(f"Your store refused the order: {exc.message}", action=action) from exc
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        saved = session.get(Order, order_row_id)
        assert saved is not None
        saved.store_order_id, saved.store_order_number = created.id, created.number
        saved.sync_state, saved.reason, saved.created_in_store_at = "created", "", utcnow()
        if mo.status == mk.ON_HOLD:
            saved.reason = "Created while still cancellable on TikTok (on hold): do not ship yet."
        if withheld:
            saved.reason += " TikTok withholds the address until then; it is added to the order's notes."
            saved.data = {**saved.data, "address_withheld": True}
        log_activity(session, saved.merchant_id, "order.created",
                     f"TikTok order {mo.id} created in your store as {created.number}.", subject=mo.id)
    if mo.status in mk.SHIPPED_STATUSES:
        await _follow_status(runtime, order_row_id, connection, created, mo)
    return "created"


def refused(exc: PlatformError) -> bool:
    """A store's 4xx answer that means "this request is wrong" (not auth, throttling, timeouts or conflicts)."""
    return isinstance(exc.status, int) and 400 <= exc.status < 500 and exc.status not in (401, 403, 408, 409, 429) \
        and not isinstance(exc, AuthError)


def note_order_row(session: Session, shop: TikTokShop, mo: MarketplaceOrder) -> Order:
    """Update our order row from TikTok's answer (creating it if a poll found it first)."""
    order = session.scalars(select(Order).where(Order.tiktok_shop_id == shop.id,
                                                Order.tiktok_order_id == mo.id)).first()
    if order is None:
        order = Order(merchant_id=shop.merchant_id, tiktok_shop_id=shop.id, tiktok_order_id=mo.id)
        session.add(order)
    order.tiktok_status = mo.status
    order.on_hold = mo.status == mk.ON_HOLD
    order.currency = mo.currency
    order.total = str(mo.total)
    order.data = {**(order.data or {}), **_summary(mo)}  # keeps what we noted (store status, withheld address)
    order.placed_at = mo.created_at or order.placed_at or utcnow()
    order.tiktok_updated_at = mo.updated_at or order.tiktok_updated_at
    session.flush()
    return order


def _set_state(runtime: Runtime, order_row_id: int, state: str, reason: str) -> None:
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        order.sync_state, order.reason = state, reason


def _fail(runtime: Runtime, order_row_id: int, reason: str, action: str, *, missing: list[str] | None = None
          ) -> None:
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        first_time = order.sync_state != "failed" or order.reason != reason
        order.sync_state, order.reason = "failed", reason
        order.data = {**order.data, "missing_skus": missing or []}
        if first_time:
            log_activity(session, order.merchant_id, "order.failed", reason, level="error",
                         subject=order.tiktok_order_id, action=action)


async def _cancel_in_store(runtime: Runtime, order_row_id: int, connection: StoreConnection | None,
                           ref: StoreOrderRef | None, mo: MarketplaceOrder) -> str:
    if ref is None or connection is None:
        _set_state(runtime, order_row_id, "cancelled", "Cancelled on TikTok before it was created in your store.")
        return "cancelled"
    store = store_for(runtime, connection)
    try:
        current = await store.find_order(mo.id)
        if current is not None and current.status != StoreOrderStatus.CANCELLED:
            reason = f"Cancelled on TikTok Shop{': ' + mo.cancel_reason if mo.cancel_reason else ''}"
            await store.cancel_order(current, reason)
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        if order.sync_state != "cancelled":
            log_activity(session, order.merchant_id, "order.cancelled",
                         f"TikTok order {mo.id} was cancelled on TikTok; store order {ref.number} was cancelled.",
                         subject=mo.id)
        order.sync_state, order.reason = "cancelled", "Cancelled on TikTok; cancelled in your store too."
    return "cancelled"


async def _follow_status(runtime: Runtime, order_row_id: int, connection: StoreConnection | None,
                         ref: StoreOrderRef, mo: MarketplaceOrder) -> str:
    target = {mk.AWAITING_COLLECTION: StoreOrderStatus.SHIPPED, mk.IN_TRANSIT: StoreOrderStatus.SHIPPED,
              mk.DELIVERED: StoreOrderStatus.SHIPPED, mk.COMPLETED: StoreOrderStatus.COMPLETED}.get(mo.status)
    if connection is not None and mo.status != mk.ON_HOLD and mo.recipient.line1:
        await _add_released_address(runtime, order_row_id, connection, ref, mo)
    if target is not None and connection is not None:
        with runtime.sessions() as session:
            order = session.get(Order, order_row_id)
            assert order is not None
            done = order.data.get("store_status") == target.value
        if not done:
            store = store_for(runtime, connection)
            try:
                await store.set_order_status(ref, target)
            finally:
                await store.aclose()
            with transaction(runtime.sessions) as session:
                order = session.get(Order, order_row_id)
                assert order is not None
                order.data = {**order.data, "store_status": target.value}
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        order.sync_state = "created"
        if mo.status in (mk.AWAITING_SHIPMENT, mk.PARTIALLY_SHIPPING):
            from feedbridge.sync.fulfilment import queue_fulfilment

            queue_fulfilment(session, order)
    return "created"


async def _add_released_address(runtime: Runtime, order_row_id: int, connection: StoreConnection,
                                ref: StoreOrderRef, mo: MarketplaceOrder) -> None:
    """An order created on hold got a placeholder address: add the real one to its notes once TikTok shows it."""
    with runtime.sessions() as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        if not order.data.get("address_withheld"):
            return
    store = store_for(runtime, connection)
    try:
        await store.add_order_note(ref, f"Ship to (released by TikTok): {_address_text(mo.recipient)}")
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        order = session.get(Order, order_row_id)
        assert order is not None
        order.data = {**order.data, "address_withheld": False}
        order.reason = "Created while on hold; TikTok has since released the shipping address (see the order notes)."


def retry_orders_missing_skus(session: Session, shop_row_id: int) -> int:
    """Queue again every failed order of a shop that waited for a SKU to be linked (called after linking)."""
    count = 0
    for order in session.scalars(select(Order).where(Order.tiktok_shop_id == shop_row_id,
                                                     Order.sync_state == "failed")):
        if order.data.get("missing_skus"):
            shop = session.get(TikTokShop, shop_row_id)
            assert shop is not None
            note_order(session, shop, order.tiktok_order_id)
            count += 1
    return count


async def poll_orders(runtime: Runtime, shop_row_id: int) -> int:
    """Safety net for lost webhooks and downtime: note every order TikTok updated since the last poll."""
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_row_id)
        if shop is None or shop.status != "connected":
            return 0
        watermark_text = (shop.settings or {}).get("orders_watermark")
    since = (datetime.fromisoformat(watermark_text) - POLL_OVERLAP) if watermark_text else None
    started = utcnow()
    market = marketplace_for(runtime, shop)
    noted = 0
    try:
        async for mo in market.orders(updated_since=since):
            with transaction(runtime.sessions) as session:
                row = session.scalars(select(Order).where(Order.tiktok_shop_id == shop_row_id,
                                                          Order.tiktok_order_id == mo.id)).first()
                if row is not None and row.tiktok_status == mo.status and row.sync_state in (
                        "created", "cancelled", "skipped"):
                    continue
                shop_row = session.get(TikTokShop, shop_row_id)
                assert shop_row is not None
                note_order(session, shop_row, mo.id, mo.status, mo.updated_at)
                noted += 1
    finally:
        await market.aclose()
    with transaction(runtime.sessions) as session:
        shop_row = session.get(TikTokShop, shop_row_id)
        assert shop_row is not None
        shop_row.settings = {**(shop_row.settings or {}), "orders_watermark": started.isoformat()}
    return noted


def order_gave_up(runtime: Runtime, shop_row_id: int, tiktok_order_id: str, message: str) -> None:
    """The order job ended failed: the order shows the reason and a Retry (unless it already says why)."""
    with runtime.sessions() as session:
        order = session.scalars(select(Order).where(Order.tiktok_shop_id == shop_row_id,
                                                    Order.tiktok_order_id == tiktok_order_id)).first()
        if order is None or order.sync_state in ("created", "cancelled", "failed"):
            return
        order_row_id = order.id
    _fail(runtime, order_row_id, f"Not created in your store: {message}", "Use Retry once the cause is fixed.")
