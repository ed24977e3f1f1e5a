"""Which sync function handles which intent kind. Tasks stay thin: they unpack the payload and call sync/."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from feedbridge.db.intents import ClaimedIntent

if TYPE_CHECKING:
    from feedbridge.runtime import Handler, Runtime


async def _order_sync(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.orders import sync_order

    await sync_order(runtime, int(intent.payload["shop"]), str(intent.payload["order_id"]))


async def _orders_poll(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.orders import poll_orders

    await poll_orders(runtime, int(intent.payload["shop"]))


async def _fulfilment_sync(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.fulfilment import sync_fulfilment

    await sync_fulfilment(runtime, int(intent.payload["order"]))


async def _price_stock(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.price_stock import push_price_stock

    await push_price_stock(runtime, int(intent.payload["feed"]), str(intent.payload["product"]),
                           force=bool(intent.payload.get("force")))


async def _reconcile(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.price_stock import reconcile_feed

    await reconcile_feed(runtime, int(intent.payload["feed"]))


async def _after_sales(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.returns import sync_after_sales

    await sync_after_sales(runtime, int(intent.payload["shop"]))


async def _store_poll(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.polling import poll_store

    await poll_store(runtime, int(intent.payload["connection"]))


async def _resolve_change(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.events import resolve_change

    await resolve_change(runtime, int(intent.payload["connection"]), str(intent.payload["object_id"]))


async def _catalog_refresh(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.catalog import refresh_catalog

    await refresh_catalog(runtime, int(intent.payload["connection"]))


async def _listing_create(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.listings import create_listing

    await create_listing(runtime, int(intent.payload["listing"]))


async def _listing_status(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.listings import refresh_listing_status

    await refresh_listing_status(runtime, int(intent.payload["shop"]), str(intent.payload["product"]))


async def _listings_poll(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.listings import poll_listing_statuses

    await poll_listing_statuses(runtime, int(intent.payload["feed"]))


async def _link_by_sku(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.linking import link_by_sku

    await link_by_sku(runtime, int(intent.payload["feed"]))


async def _categories_refresh(runtime: Runtime, intent: ClaimedIntent) -> None:
    from feedbridge.sync.categories import refresh_categories

    await refresh_categories(runtime, int(intent.payload["shop"]))


def default_handlers() -> dict[str, Handler]:
    """The intent kinds of every flow, mapped to the function that acts on them."""
    return {
        "order.sync": _order_sync,
        "orders.poll": _orders_poll,
        "fulfilment.sync": _fulfilment_sync,
        "price_stock.push": _price_stock,
        "price_stock.reconcile": _reconcile,
        "aftersales.sync": _after_sales,
        "store.poll": _store_poll,
        "store.resolve_change": _resolve_change,
        "catalog.refresh": _catalog_refresh,
        "listing.create": _listing_create,
        "listing.status": _listing_status,
        "listings.poll": _listings_poll,
        "link.by_sku": _link_by_sku,
        "categories.refresh": _categories_refresh,
    }


def _listing_failed(runtime: Runtime, intent: ClaimedIntent, message: str) -> None:
    from feedbridge.sync.listings import listing_gave_up

    listing_gave_up(runtime, int(intent.payload["listing"]), message)


def _order_failed(runtime: Runtime, intent: ClaimedIntent, message: str) -> None:
    from feedbridge.sync.orders import order_gave_up

    order_gave_up(runtime, int(intent.payload["shop"]), str(intent.payload["order_id"]), message)


def _fulfilment_failed(runtime: Runtime, intent: ClaimedIntent, message: str) -> None:
    from feedbridge.sync.fulfilment import fulfilment_gave_up

    fulfilment_gave_up(runtime, int(intent.payload["order"]), message)


def failure_hooks() -> dict[str, Callable[[Runtime, ClaimedIntent, str], None]]:
    """What marks a flow's own row failed when its intent ends failed (so no row stays "queued")."""
    return {"listing.create": _listing_failed, "order.sync": _order_failed, "fulfilment.sync": _fulfilment_failed}
