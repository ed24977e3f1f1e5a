"""TikTok → feedbridge: cancellations, returns and refunds are pulled and shown to the merchant.

TikTok cancellations also cancel the store order (through the order flow). Returns and refunds are shown,
not pushed to the store; with the shop's "restock on completed return" setting on, the merchant is told
which items to restock (feedbridge does not change store stock itself).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from feedbridge.db.activity import log_activity
from feedbridge.db.models import AfterSale, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import marketplace_for, shop_settings
from feedbridge.sync.orders import note_order

OVERLAP = timedelta(minutes=10)
DONE_CANCEL = {"CANCELLATION_REQUEST_SUCCESS", "CANCELLATION_REQUEST_COMPLETE"}


async def sync_after_sales(runtime: Runtime, shop_row_id: int) -> int:
    """Pull cancellations, returns and refunds updated since the last pull; returns how many changed."""
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_row_id)
        if shop is None or shop.status == "reauthorize":
            return 0
        mark = (shop.settings or {}).get("after_sales_watermark")
    since = datetime.fromisoformat(mark) - OVERLAP if mark else None
    started = utcnow()
    market = marketplace_for(runtime, shop)
    try:
        records = await market.after_sales(updated_since=since)
    finally:
        await market.aclose()
    changed = 0
    with transaction(runtime.sessions) as session:
        shop_row = session.get(TikTokShop, shop_row_id)
        assert shop_row is not None
        for record in records:
            row = session.scalars(select(AfterSale).where(
                AfterSale.tiktok_shop_id == shop_row_id, AfterSale.kind == record.kind,
                AfterSale.tiktok_id == record.id)).first()
            if row is None:
                row = AfterSale(merchant_id=shop_row.merchant_id, tiktok_shop_id=shop_row_id, kind=record.kind,
                                tiktok_id=record.id)
                session.add(row)
            elif row.status == record.status:
                continue
            changed += 1
            row.tiktok_order_id, row.status, row.reason = record.order_id, record.status, record.reason
            row.amount = str(record.amount) if record.amount is not None else ""
            row.currency = record.currency
            label = {"cancellation": "Cancellation", "return": "Return", "refund": "Refund"}[record.kind]
            action = ""
            if record.kind == "cancellation":
                action = "The store order is cancelled by feedbridge when TikTok completes the cancellation."
            elif record.status == "RETURN_OR_REFUND_REQUEST_COMPLETE" and shop_settings(shop_row)["restock_on_return"]:
                action = "Restock the returned items in your store."
            log_activity(session, shop_row.merchant_id, f"aftersale.{record.kind}",
                         f"{label} {record.id} for TikTok order {record.order_id}: {record.status}"
                         + (f" ({record.amount} {record.currency})" if record.amount is not None else "") + ".",
                         subject=record.order_id, action=action)
            if record.kind == "cancellation" and record.status in DONE_CANCEL and record.order_id:
                note_order(session, shop_row, record.order_id)
        shop_row.settings = {**(shop_row.settings or {}), "after_sales_watermark": started.isoformat()}
    return changed
