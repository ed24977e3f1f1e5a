"""Dashboard pages of the flows: category mapping, products and sync runs, listings, links, orders.

Every route takes the logged-in merchant and reaches rows through `feedbridge.web.feeds` (merchant-scoped).
Actions are POST forms (CSRF-checked); a refused action comes back as a message on the page it was sent from.
Progress (sync runs, listings under review, orders on their way) is refreshed by htmx polling fragments.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from feedbridge.db.models import CategoryMapping, Listing, StoreProduct, TikTokCategory
from feedbridge.db.session import transaction
from feedbridge.errors import ConfigError, DataError
from feedbridge.sync import categories as cat
from feedbridge.sync.connections import marketplace_for, shop_settings
from feedbridge.sync.linking import link_manually, store_skus, unlink
from feedbridge.sync.listings import retry_listing, start_listing
from feedbridge.web import feeds as fx
from feedbridge.web import repo
from feedbridge.web.deps import (
    MAX_ID,
    CurrentMerchant,
    Offset,
    RowId,
    current_merchant,
    get_runtime,
    require_csrf,
)
from feedbridge.web.render import flash, redirect, render
from feedbridge.web.store_names import cache_category_names, names_due

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
FeedQuery = Query(None, ge=1, le=MAX_ID)
BUSY_ORDER_STATES = ("queued", "waiting")


async def _form(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return values, [str(v) for v in form.getlist("selected")]


async def _own_feed(request: Request, merchant_id: int, feed_id: int) -> None:
    """NotFound unless the feed is the merchant's (checked before any input is looked at)."""
    def check() -> None:
        with transaction(get_runtime(request).sessions) as session:
            fx.owned_feed(session, merchant_id, feed_id)

    await run_in_threadpool(check)


def _fragment(request: Request) -> bool:
    return bool(request.headers.get("hx-request")) and request.headers.get("hx-target") is not None


# ---- category mapping ---------------------------------------------------------------------------------------

def _mapping_context(request: Request, merchant_id: int, feed_id: int | None) -> dict[str, Any]:
    with transaction(get_runtime(request).sessions) as session:
        scope, all_feeds = fx.chosen_feed(session, merchant_id, feed_id)
        if scope is None:
            return {"scope": None, "feeds": all_feeds, "has_feed": False}
        mappings = list(session.scalars(select(CategoryMapping).where(
            CategoryMapping.feed_id == scope.feed.id, CategoryMapping.merchant_id == merchant_id)
            .order_by(CategoryMapping.scope, CategoryMapping.store_ref)))
        products = fx.product_rows(session, scope, limit=500)
        titles = {p.product_id: p.title for p, _ in products}
        mapped_products = {p.product_id for p, _ in products if cat.category_for(session, scope.feed, p) is not None}
        cached = session.scalar(select(func.count()).select_from(TikTokCategory).where(
            TikTokCategory.region == scope.shop.region)) or 0
        return {"scope": scope, "feeds": all_feeds, "has_feed": True, "mappings": mappings,
                "counts": cat.mapping_counts(session, scope.feed), "store_categories": fx.store_categories(session, scope),
                "products": products, "titles": titles, "unmapped": [p for p, _ in products
                                                                     if p.product_id not in mapped_products][:50],
                "cached_categories": cached, "defaults": fx.rules_view(scope)["defaults"],
                "package_fields": fx.PACKAGE_FIELDS}


@router.get("/mapping")
async def mapping_page(request: Request, feed: int | None = FeedQuery, edit: int | None = Query(None, ge=1, le=MAX_ID),
                       me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Per feed: TikTok categories in use with product counts, the mappings, the picker and suggestions."""
    context = await run_in_threadpool(_mapping_context, request, me.id, feed)
    scope = context["scope"]
    if scope is not None and names_due(scope.store, {cid for cid, _, _ in context["store_categories"]}):
        await cache_category_names(get_runtime(request), me.id, scope.store.id)
        context = await run_in_threadpool(_mapping_context, request, me.id, scope.feed.id)
    context["editing"] = next((m for m in context.get("mappings", []) if m.id == edit), None)
    return render(request, "mapping.html", context, active="mapping")


@router.get("/mapping/{feed_id}/categories")
def category_picker(request: Request, feed_id: RowId, q: str = Query("", max_length=200),
                    me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The picker's results: leaf categories whose path has every word typed."""
    with transaction(get_runtime(request).sessions) as session:
        scope = fx.owned_feed(session, me.id, feed_id)
        rows = cat.search_leaf_categories(session, scope.shop, q, limit=25) if q.strip() else []
    return render(request, "_category_picker.html", {"rows": rows, "q": q})


@router.get("/mapping/{feed_id}/suggest")
async def suggest(request: Request, feed_id: RowId, product: str = Query("", max_length=64),
                  me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """TikTok's (or our) suggested category for one product, to accept or change."""
    def check() -> str:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            row = session.scalars(select(StoreProduct).where(
                StoreProduct.store_connection_id == scope.store.id, StoreProduct.merchant_id == me.id,
                StoreProduct.product_id == product)).first()
            if row is None:
                raise DataError("That product is not in feedbridge's copy of your catalog.", field="product")
            return row.title

    title = await run_in_threadpool(check)
    suggestion = await cat.suggest_category(get_runtime(request), feed_id, product)
    return render(request, "_suggestion.html", {"suggestion": suggestion, "product_id": product, "title": title,
                                                "feed_id": feed_id})


@router.get("/mapping/{feed_id}/requirements")
async def requirements(request: Request, feed_id: RowId, category: str = Query("", max_length=64),
                       me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """A mapped category's required attributes, where each value comes from, and the editable defaults."""
    def load() -> Any:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            if not category:
                raise DataError("Choose a TikTok category.", field="category")
            return scope, cat.attribute_defaults(session, scope.feed, category)

    scope, defaults = await run_in_threadpool(load)
    try:
        rules, attributes = await cat.category_requirements(get_runtime(request), scope.shop, category)
    except (ConfigError, DataError) as exc:
        return render(request, "_requirements.html", {"error": exc, "feed_id": feed_id, "category": category})
    return render(request, "_requirements.html", {
        "rules": rules, "attributes": [a for a in attributes if not a.sales], "defaults": defaults,
        "feed_id": feed_id, "category": category, "error": None})


@router.post("/mapping/{feed_id}")
async def save_mapping(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Map a store category or one product to a TikTok leaf (a listed product's category is locked)."""
    await _own_feed(request, me.id, feed_id)
    values, _ = await _form(request)

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            ref = values.get("store_ref", "").strip()
            if not ref:
                raise DataError("Choose what to map.", field="store_ref")
            mapping = cat.set_mapping(session, scope.feed, scope.shop, values.get("scope", ""), ref,
                                      values.get("tiktok_category_id", "").strip(),
                                      source="suggested" if values.get("source") in ("tiktok", "feedbridge")
                                      else "merchant")
            flash(request, f"Mapped to {mapping.tiktok_category_name}.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/mapping?feed={feed_id}")


async def _attempt(request: Request, action: Any) -> bool:
    """Run a saving action; a refusal (DataError, ConfigError) becomes the page's message."""
    try:
        await run_in_threadpool(action)
    except (DataError, ConfigError) as exc:
        flash(request, exc.message, action=exc.action or "", level="error")
        return False
    return True


@router.post("/mappings/{mapping_id}/delete")
async def delete_mapping(request: Request, mapping_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Remove a mapping (refused for a product already listed)."""
    def load() -> int:
        with transaction(get_runtime(request).sessions) as session:
            return repo.owned(session, CategoryMapping, me.id, mapping_id, "mapping").feed_id

    feed_id = await run_in_threadpool(load)

    def remove() -> None:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            cat.remove_mapping(session, scope.feed, mapping_id)
            flash(request, "Mapping removed.", level="ok")

    await _attempt(request, remove)
    return redirect(request, f"/mapping?feed={feed_id}")


@router.post("/mapping/{feed_id}/refresh-categories")
def refresh_categories(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Read TikTok's category tree again (in the background)."""
    with transaction(get_runtime(request).sessions) as session:
        scope = fx.owned_feed(session, me.id, feed_id)
        fx.queue_work(session, me.id, "categories.refresh", str(scope.shop.id), {"shop": scope.shop.id})
    flash(request, "TikTok's categories are being read again; the picker uses them in a moment.", level="ok")
    return redirect(request, f"/mapping?feed={feed_id}")


@router.post("/mapping/{feed_id}/attributes")
async def save_attribute(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Set (or clear) the default value of a TikTok attribute for one category or the whole feed."""
    await _own_feed(request, me.id, feed_id)
    values, _ = await _form(request)

    def save() -> None:
        attribute_id = values.get("attribute_id", "").strip()
        if not attribute_id or len(attribute_id) > 64:
            raise DataError("Choose an attribute.", field="attribute_id")
        given = [v.strip() for v in values.get("values", "").split(",") if v.strip()][:20]
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            cat.set_attribute_default(session, scope.feed, attribute_id, given,
                                      category_id=values.get("category", "")[:64], name=values.get("name", "")[:200])
        flash(request, f"Default for {values.get('name') or attribute_id} "
                       + ("saved." if given else "cleared."), level="ok")

    await _attempt(request, save)
    return redirect(request, f"/mapping?feed={feed_id}")


@router.post("/mapping/{feed_id}/defaults")
async def save_package_defaults(request: Request, feed_id: RowId,
                                me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Package weight and size used when a store product has none."""
    await _own_feed(request, me.id, feed_id)
    values, _ = await _form(request)

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            current = fx.rules_view(scope)
            cleaned = fx.clean_rules(current["price"], current["stock"], values)
            scope.feed.rules = {**(scope.feed.rules or {}), "defaults": cleaned["defaults"]}
        flash(request, "Package defaults saved.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/mapping?feed={feed_id}")


# ---- products and sync runs ---------------------------------------------------------------------------------

@router.get("/products")
def products_page(request: Request, feed: int | None = FeedQuery, status: str = Query("", max_length=30),
                  q: str = Query("", max_length=200), run: int | None = Query(None, ge=1, le=MAX_ID),
                  offset: Offset = 0, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Our copy of the store catalog with listing status, search, selection and bulk "Sync to TikTok"."""
    if status and status not in fx.LISTING_LABELS:
        raise DataError("Choose a listing status from the list.", field="status")
    with transaction(get_runtime(request).sessions) as session:
        scope, all_feeds = fx.chosen_feed(session, me.id, feed)
        rows = fx.product_rows(session, scope, status=status, text=q, limit=101, offset=offset) if scope else []
        current_run = (fx.owned_run(session, me.id, run) if run else
                       fx.latest_run(session, me.id, scope.feed.id) if scope else None)
        stuck = fx.run_gave_up(session, current_run) if current_run else 0
        has_store = repo.checklist(session, me.id).store_connected
    return render(request, "products.html", {
        "scope": scope, "feeds": all_feeds, "rows": rows[:100], "more": len(rows) > 100, "offset": offset,
        "status": status, "q": q, "labels": fx.LISTING_LABELS, "run": current_run, "stuck": stuck,
        "has_store": has_store},
        active="products")


@router.post("/products/{feed_id}/sync")
async def sync_products(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """List the selected products (or selected SKUs) on TikTok; the page then shows the run's progress."""
    await _own_feed(request, me.id, feed_id)
    _, selected = await _form(request)
    run_ids: list[int] = []

    def start() -> None:
        product_ids, variants = fx.parse_selection(selected)
        if not product_ids:
            raise DataError("Select at least one product to sync.", field="product_ids")
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            run = start_listing(session, scope.feed, product_ids, variants or None)
            run_ids.append(run.id)

    if await _attempt(request, start):
        return redirect(request, f"/products?feed={feed_id}&run={run_ids[0]}")
    return redirect(request, f"/products?feed={feed_id}")


@router.get("/runs/{run_id}/progress")
def run_progress(request: Request, run_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """The progress fragment of a sync run (polled every 2 s until it ends)."""
    with transaction(get_runtime(request).sessions) as session:
        run = fx.owned_run(session, me.id, run_id)
        stuck = fx.run_gave_up(session, run)
    return render(request, "_run_progress.html", {"run": run, "stuck": stuck})


@router.post("/products/{feed_id}/refresh-catalog")
def refresh_catalog(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Read the store's catalog again (in the background)."""
    with transaction(get_runtime(request).sessions) as session:
        scope = fx.owned_feed(session, me.id, feed_id)
        fx.queue_work(session, me.id, "catalog.refresh", str(scope.store.id), {"connection": scope.store.id})
    flash(request, "The store's catalog is being read again; new products appear here in a moment.", level="ok")
    return redirect(request, f"/products?feed={feed_id}")


# ---- listings -----------------------------------------------------------------------------------------------

@router.get("/listings")
def listings_page(request: Request, status: str = Query("", max_length=30), offset: Offset = 0,
                  me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Listings in merchant words, TikTok's review reasons, sync problems with their fix, and Retry."""
    if status and status not in fx.LISTING_LABELS:
        raise DataError("Choose a listing status from the list.", field="status")
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.listings(session, me.id, status=status or None, limit=101, offset=offset)
        counts = repo.attention(session, me.id).listings_by_status
        failed_work = fx.gave_up(session, me.id, [r.id for r in rows[:100] if r.status == "not_synced"])
    busy = any(r.status in ("not_synced", "under_review") and r.id not in failed_work for r in rows)
    context = {"rows": rows[:100], "more": len(rows) > 100, "offset": offset, "status": status,
               "labels": fx.LISTING_LABELS, "counts": counts, "busy": busy, "gave_up": failed_work}
    if _fragment(request):
        return render(request, "_listings_table.html", context)
    return render(request, "listings.html", context, active="listings")


@router.post("/listings/{listing_id}/retry")
async def retry(request: Request, listing_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Queue a failed listing again."""
    def queue() -> None:
        with transaction(get_runtime(request).sessions) as session:
            listing = repo.owned(session, Listing, me.id, listing_id, "listing")
            scope = fx.owned_feed(session, me.id, listing.feed_id)
            retry_listing(session, scope.feed, listing.id)
        flash(request, "Queued again; the status below changes when TikTok answers.", level="ok")

    await _attempt(request, queue)
    return redirect(request, "/listings")


# ---- links --------------------------------------------------------------------------------------------------

@router.get("/link")
def link_page(request: Request, feed: int | None = FeedQuery,
              me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Store SKUs linked to TikTok SKUs: auto-link by SKU, manual links, unlink, duplicate warnings."""
    with transaction(get_runtime(request).sessions) as session:
        scope, all_feeds = fx.chosen_feed(session, me.id, feed)
        rows = fx.feed_bindings(session, scope) if scope else []
        skus = store_skus(session, scope.feed) if scope else {}
        auto = bool(shop_settings(scope.shop)["auto_link_by_sku"]) if scope else False
    linked = {b.store_variant_id for b in rows}
    unlinked = sorted((sku, ids) for sku, ids in skus.items() if ids[1] not in linked)[:300]
    return render(request, "link.html", {"scope": scope, "feeds": all_feeds, "rows": rows, "auto": auto,
                                         "unlinked": unlinked}, active="link")


@router.get("/link/{feed_id}/tiktok")
async def tiktok_products(request: Request, feed_id: RowId, q: str = Query("", max_length=100),
                          me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """TikTok's products of the shop, linked or not, with store SKUs that duplicate an unlinked seller SKU."""
    def load() -> Any:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            bound = {b.tiktok_sku_id for b in fx.feed_bindings(session, scope, limit=100_000)}
            return scope, bound, store_skus(session, scope.feed)

    scope, bound, skus = await run_in_threadpool(load)
    found: list[Any] = []
    error = ""
    try:
        market = marketplace_for(get_runtime(request), scope.shop)
        try:
            stream = market.products(seller_skus=[q.strip()]) if q.strip() else market.products()
            async for product in stream:
                found.append(product)
                if len(found) >= 100:
                    break
        finally:
            await market.aclose()
    except Exception as exc:  # TikTok unreachable: say so on the page rather than failing it
        error = getattr(exc, "message", None) or "TikTok Shop did not answer; try again in a moment."
    duplicates = [(sku.seller_sku, product.title) for product in found for sku in product.skus
                  if sku.id not in bound and sku.seller_sku.strip() in skus]
    return render(request, "_tiktok_products.html", {"products": found, "bound": bound, "skus": skus,
                                                     "duplicates": duplicates, "error": error, "feed_id": feed_id,
                                                     "q": q})


@router.post("/link/{feed_id}/auto")
async def auto_link(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Turn auto-link by SKU on or off; turning it on links matching SKUs now (in the background)."""
    await _own_feed(request, me.id, feed_id)
    values, _ = await _form(request)
    enabled = values.get("auto_link_by_sku") == "on"

    def save() -> None:
        with transaction(get_runtime(request).sessions) as session:
            scope = fx.owned_feed(session, me.id, feed_id)
            fx.save_shop_settings(scope.shop, {"auto_link_by_sku": enabled})
            if enabled:
                fx.queue_work(session, me.id, "link.by_sku", str(scope.feed.id), {"feed": scope.feed.id})
        flash(request, "Auto-link by SKU is on: matching SKUs are being linked." if enabled
              else "Auto-link by SKU is off.", level="ok")

    await _attempt(request, save)
    return redirect(request, f"/link?feed={feed_id}")


@router.post("/link/{feed_id}")
async def link(request: Request, feed_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Link one store SKU to one TikTok SKU by hand."""
    await _own_feed(request, me.id, feed_id)
    values, _ = await _form(request)
    store_ref = values.get("store_variant", "")
    tiktok_ref = values.get("tiktok_sku", "")
    if ":" not in store_ref or ":" not in tiktok_ref:
        flash(request, "Choose a store SKU and a TikTok SKU.", level="error")
        return redirect(request, f"/link?feed={feed_id}")
    product_id, _, variant_id = store_ref.partition(":")
    tiktok_product, _, tiktok_sku = tiktok_ref.partition(":")

    try:
        binding = await link_manually(get_runtime(request), feed_id, product_id, variant_id, tiktok_product, tiktok_sku)
        flash(request, f"Linked {binding.seller_sku or variant_id} to TikTok SKU {tiktok_sku}.", level="ok")
    except (DataError, ConfigError) as exc:
        flash(request, exc.message, action=exc.action or "", level="error")
    return redirect(request, f"/link?feed={feed_id}")


@router.post("/links/{binding_id}/delete")
async def unlink_binding(request: Request, binding_id: RowId,
                         me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Remove a link (price/stock sync and order import stop for that SKU)."""
    feed_ids: list[int] = []

    def remove() -> None:
        with transaction(get_runtime(request).sessions) as session:
            binding = fx.owned_binding(session, me.id, binding_id)
            scope = fx.owned_feed(session, me.id, binding.feed_id)
            feed_ids.append(scope.feed.id)
            unlink(session, scope.feed, binding.id)
        flash(request, "Unlinked.", level="ok")

    await _attempt(request, remove)
    return redirect(request, f"/link?feed={feed_ids[0]}" if feed_ids else "/link")


# ---- orders -------------------------------------------------------------------------------------------------

ORDER_STATES = ("queued", "waiting", "created", "failed", "cancelled", "skipped")


@router.get("/orders")
def orders_page(request: Request, sync_state: str = Query("", max_length=20), offset: Offset = 0,
                me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """TikTok orders, the store orders made from them, fulfilment and tracking, Retry for failed ones."""
    if sync_state and sync_state not in ORDER_STATES:
        raise DataError("Choose a sync state from the list.", field="sync_state")
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.orders(session, me.id, sync_state=sync_state or None, limit=101, offset=offset)
        counts = repo.attention(session, me.id).orders_by_state
        shipments = fx.shipments_by_order(session, me.id, [r.id for r in rows[:100]])
    busy = any(r.sync_state in BUSY_ORDER_STATES or (r.sync_state == "created" and r.fulfilment_state
                                                      in ("unfulfilled", "waiting")) for r in rows[:100])
    context = {"rows": rows[:100], "more": len(rows) > 100, "offset": offset, "sync_state": sync_state,
               "states": ORDER_STATES, "counts": counts, "shipments": shipments, "busy": busy}
    if _fragment(request):
        return render(request, "_orders_table.html", context)
    return render(request, "orders.html", context, active="orders")


@router.post("/orders/{order_id}/retry")
async def retry_order(request: Request, order_id: RowId, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Queue a failed order again (it is created in the store once; a created one is never duplicated)."""
    def queue() -> None:
        with transaction(get_runtime(request).sessions) as session:
            fx.retry_order(session, me.id, order_id)
        flash(request, "Queued again.", level="ok")

    await _attempt(request, queue)
    return redirect(request, "/orders")
