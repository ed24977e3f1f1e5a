"""The merchant dashboard: home, onboarding, connections, the catalog and order lists, activity.

Every route takes `me: CurrentMerchant = Depends(current_merchant)` and reads through `feedbridge.web.repo`,
so a merchant only ever sees their own rows. State-changing routes are POST and pass the CSRF check.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from feedbridge.db import intents
from feedbridge.db.models import StoreConnection, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.errors import ConfigError, DataError
from feedbridge.web import feeds, repo
from feedbridge.web.charts import daily_bars
from feedbridge.web.connect import FORMS, connect_store, delete_connection, platform_form, set_store_feeds
from feedbridge.web.deps import (
    MAX_ID,
    CurrentMerchant,
    RowId,
    current_merchant,
    get_runtime,
    require_csrf,
    session_merchant,
)
from feedbridge.web.errors import NotFound, WebError
from feedbridge.web.render import redirect, render
from feedbridge.web.tiktok_regions import REGIONS

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])



def _available_platforms() -> list[str]:
    from feedbridge.stores import PLATFORMS

    return [name for name in FORMS if name in PLATFORMS]


@router.get("/")
def home(request: Request) -> Response:
    """What needs attention, the onboarding checklist until it is done, and the last 14 days.

    Visitors who are not logged in see what feedbridge does, with links to sign up and log in.
    """
    me = session_merchant(request)
    if me is None:
        return render(request, "welcome.html")
    request.state.merchant = me
    with transaction(get_runtime(request).sessions) as session:
        attention = repo.attention(session, me.id)
        steps = repo.checklist(session, me.id)
        series = repo.daily_counts(session, me.id)
        after_sales = feeds.after_sales(session, me.id, limit=10)
        mismatched = feeds.mismatched_feeds(session, me.id)
    chart = daily_bars(series.days, [("Orders", "bar-orders", series.orders),
                                     ("Sync activity", "bar-activity", series.activity)],
                       title="Orders and sync activity over the last 14 days")
    return render(request, "home.html", {"attention": attention, "steps": steps, "chart": chart,
                                         "series": series, "after_sales": after_sales,
                                         "mismatched": mismatched}, active="home")


@router.post("/attention/intents/{intent_id}/retry")
def retry_intent(request: Request, intent_id: RowId,
                 me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The retry button of a failed piece of work."""
    with transaction(get_runtime(request).sessions) as session:
        if not intents.retry_failed(session, intent_id, merchant_id=me.id):
            raise NotFound(f"There is no failed work {intent_id} in your account.")
        repo.log_activity(session, me.id, "intent.retried", f"You asked feedbridge to try work {intent_id} again.")
    return redirect(request, "/")


@router.get("/onboarding")
def onboarding(request: Request, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The onboarding checklist."""
    with transaction(get_runtime(request).sessions) as session:
        steps = repo.checklist(session, me.id)
        stores = repo.connections(session, me.id)
        shops = repo.shops(session, me.id)
    return render(request, "onboarding.html", {"steps": steps, "stores": stores, "shops": shops,
                                               "regions": REGIONS}, active="home")


def _connect_context(platform: str, values: dict[str, Any] | None = None, error: Any = None,
                     connection: StoreConnection | None = None) -> dict[str, Any]:
    return {"platforms": [FORMS[p] for p in _available_platforms()], "form": FORMS.get(platform),
            "platform": platform, "values": values or {}, "error": error, "connection": connection}


@router.get("/connect/store")
def connect_store_page(request: Request, platform: str = "",
                       me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Choose a platform, then paste the credentials it needs."""
    if platform:
        platform_form(platform)
    return render(request, "connect_store.html", _connect_context(platform), active="connections")


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}


@router.post("/connect/store")
async def connect_store_submit(request: Request, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Check the store answers with these credentials, then save the connection."""
    values = await _form_values(request)
    platform = values.get("platform", "")
    platform_form(platform)
    try:
        row = await connect_store(get_runtime(request), me.id, platform, values.get("base_url", ""), values)
    except (DataError, ConfigError, WebError) as exc:
        status = getattr(exc, "status", 422 if isinstance(exc, DataError) else 400)
        safe = {k: v for k, v in values.items() if k in ("platform", "base_url", "store_hash")}
        return render(request, "connect_store.html", _connect_context(platform, safe, exc), status=status,
                      active="connections")
    return redirect(request, f"/connections/{row.id}?connected=1")


@router.get("/connections")
def connections_page(request: Request, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Stores and TikTok shops with their status."""
    with transaction(get_runtime(request).sessions) as session:
        stores = repo.connections(session, me.id)
        shops = repo.shops(session, me.id)
        feeds = repo.feeds(session, me.id)
    return render(request, "connections.html", {"stores": stores, "shops": shops, "feeds": feeds},
                  active="connections")


def _connection_context(request: Request, merchant_id: int, connection_id: int) -> dict[str, Any]:
    with transaction(get_runtime(request).sessions) as session:
        store = repo.owned(session, StoreConnection, merchant_id, connection_id, "store connection")
        shops = repo.shops(session, merchant_id)
        feeds = repo.feeds(session, merchant_id, store.id)
    values = {"base_url": store.base_url}
    form = FORMS.get(store.platform)
    if form is not None:
        try:
            stored = get_runtime(request).vault.decrypt(store.credentials)
        except ConfigError:
            stored = {}
        # Non-secret values (e.g. a BigCommerce store hash) are filled in again; secrets never are.
        values.update({f.name: str(stored.get(f.name, "")) for f in form.fields if not f.secret})
    context = _connect_context(store.platform, values, None, store)
    context.update(store=store, shops=shops, feeds=feeds, fed={f.tiktok_shop_id for f in feeds})
    return context


@router.get("/connections/{connection_id}")
def connection_page(request: Request, connection_id: RowId, connected: int = 0,
                    me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """One store: which TikTok shops it feeds, reconnect, delete."""
    context = _connection_context(request, me.id, connection_id)
    context["just_connected"] = bool(connected)
    return render(request, "connection.html", context, active="connections")


@router.post("/connections/{connection_id}/reconnect")
async def reconnect(request: Request, connection_id: RowId,
                    me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """New credentials for a store (e.g. after a token was rotated)."""
    context = await run_in_threadpool(_connection_context, request, me.id, connection_id)
    values = await _form_values(request)
    store: StoreConnection = context["store"]
    try:
        await connect_store(get_runtime(request), me.id, store.platform, values.get("base_url", ""), values,
                            connection_id=store.id)
    except (DataError, ConfigError, WebError) as exc:
        context["error"] = exc
        return render(request, "connection.html", context, status=getattr(exc, "status", 422),
                      active="connections")
    return redirect(request, f"/connections/{store.id}")


@router.post("/connections/{connection_id}/delete")
def delete(request: Request, connection_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Remove a store connection."""
    with transaction(get_runtime(request).sessions) as session:
        delete_connection(session, me.id, connection_id)
    return redirect(request, "/connections")


@router.post("/connections/tiktok/{shop_id}/delete")
def delete_shop(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Remove a TikTok shop: its feeds and its order history in feedbridge go with it."""
    with transaction(get_runtime(request).sessions) as session:
        shop = repo.owned(session, TikTokShop, me.id, shop_id, "TikTok shop")
        label = shop.name or shop.shop_id
        session.delete(shop)
        repo.log_activity(session, me.id, "tiktok.disconnected", f"Removed the TikTok shop {label}.",
                          action="Listings stay on TikTok Shop; connect the shop again to manage them.",
                          subject=f"tiktok_shop:{shop_id}")
    return redirect(request, "/connections")


@router.post("/connections/{connection_id}/feeds")
async def choose_feeds(request: Request, connection_id: RowId,
                       me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Choose which TikTok shops this store feeds."""
    form = await request.form()
    try:
        chosen = {int(str(value)) for value in form.getlist("shop")}
        rates = {int(key.removeprefix("rate-")): str(value) for key, value in form.items()
                 if key.startswith("rate-")}
    except ValueError as exc:
        raise DataError("Choose TikTok shops from the list.", field="shop") from exc

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            set_store_feeds(session, me.id, connection_id, chosen, rates)

    await run_in_threadpool(save)
    return redirect(request, f"/connections/{connection_id}")


@router.get("/activity")
def activity_page(request: Request, level: str = "", before: int | None = Query(None, ge=1, le=MAX_ID),
                  me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The activity log, newest first, filtered by level."""
    if level and level not in repo.LEVELS:
        raise DataError(f"Choose a level: {', '.join(repo.LEVELS)}.", field="level")
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.activity(session, me.id, level=level or None, before=before, limit=51)
    return render(request, "activity.html", {"rows": rows[:50], "older": rows[49].id if len(rows) > 50 else None,
                                             "level": level, "levels": repo.LEVELS}, active="activity")
