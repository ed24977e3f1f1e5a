"""Reads a shop's TikTok shipping providers and its stores' carrier names into the shop's settings (a cache).

Both lists change rarely; caching them keeps the Carriers page fast and lets it work while TikTok is away.
"""

from __future__ import annotations

from sqlalchemy import select

from feedbridge.db.models import StoreConnection, StoreFeed, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import marketplace_for, store_for


async def refresh_carrier_lists(runtime: Runtime, merchant_id: int, shop_id: int) -> str:
    """Cache the shop's providers and its stores' carrier names; returns an error in words, or ""."""
    with runtime.sessions() as session:
        shop = session.scalars(select(TikTokShop).where(TikTokShop.id == shop_id,
                                                        TikTokShop.merchant_id == merchant_id)).first()
        if shop is None:
            return "There is no such TikTok shop in your account."
        stores = list(session.scalars(select(StoreConnection).join(
            StoreFeed, StoreFeed.store_connection_id == StoreConnection.id).where(
            StoreFeed.tiktok_shop_id == shop_id, StoreConnection.merchant_id == merchant_id)))
    error = ""
    providers: list[dict[str, str]] | None = None
    try:
        market = marketplace_for(runtime, shop)
        try:
            providers = [{"id": p.id, "name": p.name} for p in await market.shipping_providers()]
        finally:
            await market.aclose()
    except Exception as exc:  # shown on the page; the cached list (if any) stays
        error = "TikTok Shop did not list its shipping providers: " + str(getattr(exc, "message", exc))
    names: set[str] = set()
    for store in stores:
        names.update(await _store_carriers(runtime, store))
    with transaction(runtime.sessions) as session:
        row = session.get(TikTokShop, shop_id)
        if row is not None:
            settings = dict(row.settings or {})
            if providers is not None:
                settings["providers"] = providers
            elif "providers" not in settings:
                settings["providers"] = []
            settings["store_carriers"] = sorted(names | set(settings.get("store_carriers", [])))[:200]
            row.settings = settings
    return error


async def _store_carriers(runtime: Runtime, store: StoreConnection) -> list[str]:
    """The carrier names a store offers; none when it cannot say (they still arrive with shipments)."""
    try:
        adapter = store_for(runtime, store)
        try:
            return [name for name in await adapter.carrier_names() if name]
        finally:
            await adapter.aclose()
    except Exception:  # carrier names are a convenience, never a reason to fail the page
        return []
