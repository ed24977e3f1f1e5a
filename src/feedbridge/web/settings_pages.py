"""Dashboard pages of per-feed and per-shop rules: carriers, price and stock rules, order rules.

Saving a feed's rules queues a forced price/stock push of every linked product (`queue_feed_resync`).
Shipping providers are read from TikTok once and cached in the shop's settings; "Refresh" reads them again,
together with the carrier names the store offers (when its platform lists them).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from feedbridge.db.models import CarrierMapping
from feedbridge.db.session import transaction
from feedbridge.errors import ConfigError, DataError
from feedbridge.sync.connections import shop_settings
from feedbridge.sync.price_stock import queue_feed_resync
from feedbridge.web import feeds as fx
from feedbridge.web import repo
from feedbridge.web.carrier_cache import refresh_carrier_lists
from feedbridge.web.deps import MAX_ID, CurrentMerchant, RowId, current_merchant, get_runtime, require_csrf
from feedbridge.web.render import flash, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


async def _attempt(request: Request, action: Any) -> bool:
    try:
        await run_in_threadpool(action)
    except (DataError, ConfigError) as exc:
        flash(request, exc.message, action=exc.action or "", level="error")
        return False
    return True


# ---- carriers -----------------------------------------------------------------------------------------------

@router.get("/carriers")
async def carriers_page(request: Request, shop: int | None = Query(None, ge=1, le=MAX_ID),
                        me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Per TikTok shop: store carrier names mapped to the shop's shipping providers, and the default provider."""
    def load() -> Any:
        with transaction(get_runtime(request).sessions) as session:
            shops = repo.shops(session, me.id)
            chosen = fx.owned_shop(session, me.id, shop) if shop else (shops[0] if shops else None)
            return shops, chosen

    shops, chosen = await run_in_threadpool(load)
    error = ""
    if chosen is not None and "providers" not in (chosen.settings or {}):
        error = await refresh_carrier_lists(get_runtime(request), me.id, chosen.id)

    def rows() -> Any:
        with transaction(get_runtime(request).sessions) as session:
            if chosen is None:
                return None, [], [], ("", "none")
            current = fx.owned_shop(session, me.id, chosen.id)
            return current, fx.carrier_rows(session, current), fx.cached_providers(current), \
                fx.default_provider(current)

    current, carrier_rows, providers, default = await run_in_threadpool(rows)
    return render(request, "carriers.html", {"shops": shops, "shop": current, "rows": carrier_rows,
                                             "providers": providers, "default": default, "error": error},
                  active="carriers")


@router.post("/carriers/{shop_id}")
async def save_carrier(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Map one store carrier name to a provider (an empty choice removes the mapping)."""
    values = await _values(request)

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            shop = fx.owned_shop(session, me.id, shop_id)
            fx.set_carrier(session, shop, values.get("store_carrier", ""), values.get("provider_id", ""))
        flash(request, f"Saved the carrier {values.get('store_carrier', '').strip()}.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/carriers?shop={shop_id}")


@router.post("/carriers/{shop_id}/default")
async def save_default(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The provider used when a store carrier matches nothing."""
    values = await _values(request)

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            shop = fx.owned_shop(session, me.id, shop_id)
            fx.save_shop_settings(shop, fx.clean_shop_settings(
                shop, {"default_provider_id": values.get("default_provider_id", "")}))
        flash(request, "Default shipping provider saved.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/carriers?shop={shop_id}")


@router.post("/carriers/{shop_id}/refresh")
async def refresh(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Read the shop's shipping providers and the store's carrier names again."""
    def check() -> None:
        with transaction(get_runtime(request).sessions) as session:
            fx.owned_shop(session, me.id, shop_id)

    await run_in_threadpool(check)
    error = await refresh_carrier_lists(get_runtime(request), me.id, shop_id)
    if error:
        flash(request, error, level="error")
    else:
        flash(request, "Shipping providers read again from TikTok.", level="ok")
    return redirect(request, f"/carriers?shop={shop_id}")


@router.post("/carrier-mappings/{carrier_id}/delete")
def delete_carrier(request: Request, carrier_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Remove a carrier mapping (name matching and the default apply again)."""
    with transaction(get_runtime(request).sessions) as session:
        row = repo.owned(session, CarrierMapping, me.id, carrier_id, "carrier mapping")
        shop_id = row.tiktok_shop_id
        session.delete(row)
    flash(request, "Carrier mapping removed.", level="ok")
    return redirect(request, f"/carriers?shop={shop_id}")


# ---- feed rules ---------------------------------------------------------------------------------------------

@router.get("/feeds/{feed_id}/rules")
def rules_page(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Price rules, stock rules, package defaults and the exchange rate of one feed."""
    with transaction(get_runtime(request).sessions) as session:
        scope = fx.owned_feed(session, me.id, feed_id)
        view = fx.rules_view(scope)
    return render(request, "feed_rules.html", {"scope": scope, "rules": view, "package_fields": fx.PACKAGE_FIELDS},
                  active="settings")


@router.post("/feeds/{feed_id}/rules")
async def save_rules(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Save the feed's rules and push every linked product again with them."""
    def check() -> None:
        with transaction(get_runtime(request).sessions) as session:
            fx.owned_feed(session, me.id, feed_id)

    await run_in_threadpool(check)
    values = await _values(request)

    def save() -> None:
        price = {"source": values.get("price_source", "price"), "percent": values.get("price_percent", "0"),
                 "amount": values.get("price_amount", "0"), "rounding": values.get("rounding", "none"),
                 "direction": values.get("direction", "up")}
        stock = {"locations": values.get("locations", ""), "percent": values.get("stock_percent", "100"),
                 "buffer": values.get("buffer", "0"), "untracked_quantity": values.get("untracked_quantity", "99999")}
        cleaned = fx.clean_rules(price, stock, values)
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            fx.save_rules(session, scope, cleaned, values.get("exchange_rate") or None)
            count = queue_feed_resync(session, scope.feed)
        flash(request, f"Rules saved; {count} linked product{'s' if count != 1 else ''} will be updated on TikTok.",
              level="ok")

    await _attempt(request, save)
    return redirect(request, f"/feeds/{feed_id}/rules")


# ---- shop settings ------------------------------------------------------------------------------------------

@router.get("/shops/{shop_id}/settings")
def shop_page(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Order rules of one TikTok shop."""
    with transaction(get_runtime(request).sessions) as session:
        shop = fx.owned_shop(session, me.id, shop_id)
        settings = shop_settings(shop)
    return render(request, "shop_settings.html", {"shop": shop, "settings": settings,
                                                  "create_when": fx.ORDER_CREATE_WHEN, "numbers": fx.ORDER_NUMBERS},
                  active="settings")


@router.post("/shops/{shop_id}/settings")
async def save_shop(request: Request, shop_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Save when orders are created, how they are numbered, and whether returns restock."""
    values = await _values(request)

    def save() -> None:
        given = {"order_create_when": values.get("order_create_when", ""),
                 "order_number": values.get("order_number", ""), "order_prefix": values.get("order_prefix", ""),
                 "restock_on_return": values.get("restock_on_return") == "on"}
        with transaction(get_runtime(request).sessions) as session:
            shop = fx.owned_shop(session, me.id, shop_id)
            fx.save_shop_settings(shop, fx.clean_shop_settings(shop, given))
        flash(request, "Order rules saved.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/shops/{shop_id}/settings")
