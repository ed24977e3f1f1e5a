"""Linking products already on TikTok to store products, by identical seller SKU or by hand.

A link (binding origin "linked") gives the SKU price/stock sync and lets its orders into the store.
Linking never changes the TikTok product itself until the next price/stock push.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.models import Binding, Listing, StoreFeed, StoreProduct, TikTokShop, utcnow
from feedbridge.db.session import transaction
from feedbridge.domain.marketplace import MarketplaceProduct
from feedbridge.errors import DataError
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import marketplace_for, shop_settings
from feedbridge.sync.orders import retry_orders_missing_skus
from feedbridge.sync.price_stock import queue_product_change


def store_skus(session: Session, feed: StoreFeed) -> dict[str, tuple[str, str]]:
    """seller SKU → (store product id, variant id) for the feed's store, from our catalog copy."""
    found: dict[str, tuple[str, str]] = {}
    for product in session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.deleted.is_(False))):
        for variant in product.data.get("variants", []):
            sku = str(variant.get("sku") or "").strip()
            if sku:
                found.setdefault(sku, (product.product_id, str(variant["id"])))
    return found


def _bind(session: Session, feed: StoreFeed, product_id: str, variant_id: str, sku: str,
          tiktok: MarketplaceProduct, tiktok_sku_id: str, origin: str) -> Binding | None:
    taken = session.scalars(select(Binding).where(Binding.feed_id == feed.id, (
        (Binding.store_variant_id == variant_id) | (Binding.tiktok_sku_id == tiktok_sku_id)))).first()
    if taken is not None:
        return None
    binding = Binding(merchant_id=feed.merchant_id, feed_id=feed.id, store_product_id=product_id,
                      store_variant_id=variant_id, seller_sku=sku, tiktok_product_id=tiktok.id,
                      tiktok_sku_id=tiktok_sku_id, origin=origin)
    session.add(binding)
    listing = session.scalars(select(Listing).where(Listing.feed_id == feed.id,
                                                    Listing.store_product_id == product_id)).first()
    if listing is None:
        from feedbridge.sync.listings import status_from_tiktok

        session.add(Listing(merchant_id=feed.merchant_id, feed_id=feed.id, store_product_id=product_id,
                            title=tiktok.title, tiktok_product_id=tiktok.id, tiktok_category_id=tiktok.category_id,
                            status=status_from_tiktok(tiktok.status), tiktok_status=tiktok.status,
                            reason="Linked to an existing TikTok product.", synced_at=utcnow()))
    session.flush()
    return binding


async def link_by_sku(runtime: Runtime, feed_id: int) -> int:
    """Link every unlinked TikTok SKU whose seller SKU equals a store SKU. Returns how many were linked."""
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        assert shop is not None
        if not shop_settings(shop)["auto_link_by_sku"]:
            return 0
        skus = store_skus(session, feed)
    linked = 0
    touched: set[str] = set()
    market = marketplace_for(runtime, shop)
    try:
        async for tiktok in market.products():
            with transaction(runtime.sessions) as session:
                feed_row = session.get(StoreFeed, feed_id)
                assert feed_row is not None
                for sku in tiktok.skus:
                    match = skus.get(sku.seller_sku.strip())
                    if match and _bind(session, feed_row, match[0], match[1], sku.seller_sku, tiktok, sku.id, "linked"):
                        linked += 1
                        touched.add(match[0])
    finally:
        await market.aclose()
    with transaction(runtime.sessions) as session:
        feed_row = session.get(StoreFeed, feed_id)
        assert feed_row is not None
        for product_id in touched:
            queue_product_change(session, feed_row.store_connection_id, product_id)
        retry_orders_missing_skus(session, feed_row.tiktok_shop_id)
        if linked:
            log_activity(session, feed_row.merchant_id, "link.by_sku",
                         f"Linked {linked} TikTok SKUs to store products with the same SKU.")
    return linked


async def link_manually(runtime: Runtime, feed_id: int, store_product_id: str, store_variant_id: str,
                        tiktok_product_id: str, tiktok_sku_id: str) -> Binding:
    """Link one store variant to one TikTok SKU chosen by the merchant."""
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        assert shop is not None
        product = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == feed.store_connection_id,
            StoreProduct.product_id == store_product_id)).first()
    if product is None:
        raise DataError("That store product is not in feedbridge's copy of your catalog.", field="store_product_id",
                        action="Refresh the catalog, then try again.")
    variant = next((v for v in product.data.get("variants", []) if str(v["id"]) == store_variant_id), None)
    if variant is None:
        raise DataError("That variant is not part of the store product.", field="store_variant_id")
    market = marketplace_for(runtime, shop)
    try:
        tiktok = await market.get_product(tiktok_product_id)
    finally:
        await market.aclose()
    if tiktok is None or not any(s.id == tiktok_sku_id for s in tiktok.skus):
        raise DataError("That TikTok SKU does not exist in this shop.", field="tiktok_sku_id")
    with transaction(runtime.sessions) as session:
        feed_row = session.get(StoreFeed, feed_id)
        assert feed_row is not None
        binding = _bind(session, feed_row, store_product_id, store_variant_id, str(variant.get("sku") or ""),
                        tiktok, tiktok_sku_id, "linked")
        if binding is None:
            raise DataError("The store variant or the TikTok SKU is already linked.", field="tiktok_sku_id",
                            action="Unlink the existing link first.")
        queue_product_change(session, feed_row.store_connection_id, store_product_id)
        retry_orders_missing_skus(session, feed_row.tiktok_shop_id)
        log_activity(session, feed_row.merchant_id, "link.manual",
                     f"Linked store SKU {binding.seller_sku or store_variant_id} to TikTok SKU {tiktok_sku_id}.")
    return binding


def unlink(session: Session, feed: StoreFeed, binding_id: int) -> None:
    """Remove a link: price/stock sync and order import stop for that SKU; nothing changes on TikTok."""
    result = session.execute(delete(Binding).where(Binding.id == binding_id, Binding.feed_id == feed.id))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DataError("No such link.", field="binding_id")
    log_activity(session, feed.merchant_id, "link.removed", f"Unlinked a SKU (link {binding_id}).")
