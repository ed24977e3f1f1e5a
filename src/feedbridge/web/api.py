"""JSON API v1, authenticated with `Authorization: Bearer <API token>`; every answer is the caller's own data.

Errors have one shape: `{"error": {"code", "message", "field", "action"}}` (see `feedbridge.web.errors`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from feedbridge.db.models import Listing, Order, StoreConnection, StoreFeed
from feedbridge.db.session import transaction
from feedbridge.web import repo
from feedbridge.web.accounts import create_token, revoke_token
from feedbridge.web.connect import connect_store, create_feed, delete_connection, delete_feed
from feedbridge.web.deps import MAX_ID, CurrentMerchant, Offset, RowId, api_merchant, get_runtime
from feedbridge.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["api v1"], responses=ERROR_RESPONSES)


class Out(BaseModel):
    """Models read from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class MeOut(Out):
    """The account the token belongs to."""

    id: int
    email: str
    name: str
    created_at: datetime


class ConnectionOut(Out):
    """A store connection (credentials are never returned)."""

    id: int
    platform: str
    name: str
    base_url: str
    currency: str
    weight_unit: str
    status: str
    status_reason: str
    created_at: datetime


class ConnectionIn(BaseModel):
    """A store to connect: its platform, address and the credentials the platform needs."""

    platform: str = Field(examples=["shopify"])
    base_url: str = Field("", examples=["https://your-shop.myshopify.com"])
    credentials: dict[str, str] = Field(examples=[{"access_token": "shpat_…", "client_secret": "…"}])


class ShopOut(Out):
    """A connected TikTok shop."""

    id: int
    region: str
    shop_id: str
    name: str
    currency: str
    status: str
    status_reason: str
    created_at: datetime


class FeedOut(Out):
    """A store feeding one TikTok shop."""

    id: int
    store_connection_id: int
    tiktok_shop_id: int
    exchange_rate: str | None
    status: str
    status_reason: str
    created_at: datetime


class FeedIn(BaseModel):
    """Let a store feed a TikTok shop; an exchange rate is needed when their currencies differ."""

    store_connection_id: int = Field(ge=1, le=MAX_ID)
    tiktok_shop_id: int = Field(ge=1, le=MAX_ID)
    exchange_rate: str | None = Field(None, max_length=40, examples=["0.79"])


class ActivityOut(Out):
    """One entry of the activity log."""

    id: int
    at: datetime
    level: str
    kind: str
    subject: str
    message: str
    action: str


class ActivityPage(BaseModel):
    """Activity entries, newest first; pass `next_before` as `before` for the next page."""

    items: list[ActivityOut]
    next_before: int | None


class ListingOut(Out):
    """A store product listed (or to be listed) on a TikTok shop."""

    id: int
    feed_id: int
    store_product_id: str
    title: str
    tiktok_product_id: str
    tiktok_category_id: str
    status: str
    tiktok_status: str
    reason: str
    problems: list[Any]
    synced_at: datetime | None
    updated_at: datetime


class ListingPage(BaseModel):
    """A page of listings; `next_offset` is null on the last page."""

    items: list[ListingOut]
    next_offset: int | None


class OrderOut(Out):
    """A TikTok order and the store order made from it."""

    id: int
    tiktok_shop_id: int
    feed_id: int | None
    tiktok_order_id: str
    tiktok_status: str
    on_hold: bool
    sync_state: str
    reason: str
    store_order_id: str
    store_order_number: str
    currency: str
    total: str
    fulfilment_state: str
    placed_at: datetime | None
    updated_at: datetime


class OrderPage(BaseModel):
    """A page of orders; `next_offset` is null on the last page."""

    items: list[OrderOut]
    next_offset: int | None


class TokenIn(BaseModel):
    """A name to recognise the token by."""

    name: str = Field("", max_length=100)


class TokenOut(Out):
    """An API token (without its secret)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    """A new API token; `token` is shown this once and never again."""

    token: str


@router.get("/me", response_model=MeOut)
def me(current: CurrentMerchant = Depends(api_merchant)) -> MeOut:
    """The account the API token belongs to."""
    return MeOut.model_validate(current)


@router.get("/connections", response_model=list[ConnectionOut])
def list_connections(request: Request, current: CurrentMerchant = Depends(api_merchant)) -> list[ConnectionOut]:
    """The store connections."""
    with transaction(get_runtime(request).sessions) as session:
        return [ConnectionOut.model_validate(row) for row in repo.connections(session, current.id)]


@router.post("/connections", response_model=ConnectionOut, status_code=201)
async def create_connection(request: Request, body: ConnectionIn,
                            current: CurrentMerchant = Depends(api_merchant)) -> ConnectionOut:
    """Connect a store: the address is checked, the store must answer with the credentials, then it is saved."""
    row = await connect_store(get_runtime(request), current.id, body.platform, body.base_url, body.credentials)
    return ConnectionOut.model_validate(row)


@router.get("/connections/{connection_id}", response_model=ConnectionOut)
def get_connection(request: Request, connection_id: RowId,
                   current: CurrentMerchant = Depends(api_merchant)) -> ConnectionOut:
    """One store connection."""
    with transaction(get_runtime(request).sessions) as session:
        return ConnectionOut.model_validate(
            repo.owned(session, StoreConnection, current.id, connection_id, "store connection"))


@router.delete("/connections/{connection_id}", status_code=204, response_class=Response)
def remove_connection(request: Request, connection_id: RowId,
                      current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Remove a store connection and its feeds."""
    with transaction(get_runtime(request).sessions) as session:
        delete_connection(session, current.id, connection_id)
    return Response(status_code=204)


@router.get("/shops", response_model=list[ShopOut])
def list_shops(request: Request, current: CurrentMerchant = Depends(api_merchant)) -> list[ShopOut]:
    """The connected TikTok shops."""
    with transaction(get_runtime(request).sessions) as session:
        return [ShopOut.model_validate(row) for row in repo.shops(session, current.id)]


@router.get("/feeds", response_model=list[FeedOut])
def list_feeds(request: Request, store_connection_id: int | None = Query(None, ge=1, le=MAX_ID),
               current: CurrentMerchant = Depends(api_merchant)) -> list[FeedOut]:
    """Which stores feed which TikTok shops."""
    with transaction(get_runtime(request).sessions) as session:
        return [FeedOut.model_validate(row) for row in repo.feeds(session, current.id, store_connection_id)]


@router.post("/feeds", response_model=FeedOut, status_code=201)
async def add_feed(request: Request, body: FeedIn, current: CurrentMerchant = Depends(api_merchant)) -> FeedOut:
    """Let a store feed one of the merchant's TikTok shops."""
    def save() -> FeedOut:
        with transaction(get_runtime(request).sessions) as session:
            feed = create_feed(session, current.id, body.store_connection_id, body.tiktok_shop_id,
                               body.exchange_rate)
            return FeedOut.model_validate(feed)

    return await run_in_threadpool(save)


@router.get("/feeds/{feed_id}", response_model=FeedOut)
def get_feed(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> FeedOut:
    """One feed."""
    with transaction(get_runtime(request).sessions) as session:
        return FeedOut.model_validate(repo.owned(session, StoreFeed, current.id, feed_id, "feed"))


@router.delete("/feeds/{feed_id}", status_code=204, response_class=Response)
def remove_feed(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Stop a store feeding a TikTok shop."""
    with transaction(get_runtime(request).sessions) as session:
        delete_feed(session, current.id, feed_id)
    return Response(status_code=204)


@router.get("/activity", response_model=ActivityPage)
def list_activity(request: Request, level: str | None = Query(None, pattern="^(info|warning|error)$"),
                  before: int | None = Query(None, ge=1, le=MAX_ID), limit: int = Query(50, ge=1, le=200),
                  current: CurrentMerchant = Depends(api_merchant)) -> ActivityPage:
    """The activity log, newest first."""
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.activity(session, current.id, level=level, before=before, limit=limit + 1)
    items = [ActivityOut.model_validate(row) for row in rows[:limit]]
    return ActivityPage(items=items, next_before=items[-1].id if len(rows) > limit else None)


@router.get("/listings", response_model=ListingPage)
def list_listings(request: Request, status: str | None = None, offset: Offset = 0,
                  limit: int = Query(100, ge=1, le=500),
                  current: CurrentMerchant = Depends(api_merchant)) -> ListingPage:
    """Listings, optionally of one status (e.g. failed_to_sync)."""
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.listings(session, current.id, status=status, limit=limit + 1, offset=offset)
    return ListingPage(items=[ListingOut.model_validate(r) for r in rows[:limit]],
                       next_offset=offset + limit if len(rows) > limit else None)


@router.get("/listings/{listing_id}", response_model=ListingOut)
def get_listing(request: Request, listing_id: RowId,
                current: CurrentMerchant = Depends(api_merchant)) -> ListingOut:
    """One listing."""
    with transaction(get_runtime(request).sessions) as session:
        return ListingOut.model_validate(repo.owned(session, Listing, current.id, listing_id, "listing"))


@router.get("/orders", response_model=OrderPage)
def list_orders(request: Request, sync_state: str | None = None, offset: Offset = 0,
                limit: int = Query(100, ge=1, le=500),
                current: CurrentMerchant = Depends(api_merchant)) -> OrderPage:
    """Orders, optionally in one sync state (e.g. failed)."""
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.orders(session, current.id, sync_state=sync_state, limit=limit + 1, offset=offset)
    return OrderPage(items=[OrderOut.model_validate(r) for r in rows[:limit]],
                     next_offset=offset + limit if len(rows) > limit else None)


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(request: Request, order_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> OrderOut:
    """One order."""
    with transaction(get_runtime(request).sessions) as session:
        return OrderOut.model_validate(repo.owned(session, Order, current.id, order_id, "order"))


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(request: Request, current: CurrentMerchant = Depends(api_merchant)) -> list[TokenOut]:
    """API tokens that still work."""
    with transaction(get_runtime(request).sessions) as session:
        return [TokenOut.model_validate(row) for row in repo.tokens(session, current.id)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def add_token(request: Request, body: TokenIn, current: CurrentMerchant = Depends(api_merchant)) -> TokenCreated:
    """Make another API token; its secret is in this answer only."""
    with transaction(get_runtime(request).sessions) as session:
        row, token = create_token(session, current.id, body.name)
        return TokenCreated(id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at,
                            last_used_at=row.last_used_at, token=token)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def remove_token(request: Request, token_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Revoke an API token (it stops working at once)."""
    with transaction(get_runtime(request).sessions) as session:
        revoke_token(session, current.id, token_id)
    return Response(status_code=204)
