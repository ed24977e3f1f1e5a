"""Store → TikTok: listing mapped products, and following each listing's review status (TikTok → feedbridge).

Creating a listing is guarded twice: one `listings` row per (feed, store product) holds the TikTok product id
once created, and before creating we look on TikTok for a product with the same seller SKUs (a crash between
TikTok's answer and our commit leaves one there, which is adopted instead of listed again). The create call
also carries an idempotency key. Nothing is sent half-built: the draft is validated first, and a product
that fails says which field, why, and how to fix it in the store.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import PENDING, RUNNING, record_intent
from feedbridge.db.models import (
    Binding,
    Intent,
    Listing,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    SyncRun,
    TikTokShop,
    utcnow,
)
from feedbridge.db.session import transaction
from feedbridge.domain.catalog import Product, Variant, to_grams
from feedbridge.domain.description import HostedImage, parse_description, render_description
from feedbridge.domain.listing import (
    ListingDraft,
    ListingStatus,
    PackageDimensions,
    PackageWeight,
    Problem,
    RequiredAttribute,
    SalesAttribute,
    SkuDraft,
    TikTokLimits,
    listing_status_from_tiktok,
    validate_listing,
)
from feedbridge.domain.marketplace import (
    CategoryRules,
    CreatedProduct,
    MarketplaceAttribute,
    MarketplaceProduct,
)
from feedbridge.domain.pricing import apply_price_rule, list_price_for
from feedbridge.domain.stock import apply_stock_rule
from feedbridge.errors import ConfigError, DataError, PlatformError, RetryableError
from feedbridge.runtime import Runtime
from feedbridge.sync.catalog import product_from_json, save_product
from feedbridge.sync.categories import attribute_defaults, category_for, category_requirements
from feedbridge.sync.connections import marketplace_for, store_for
from feedbridge.sync.orders import retry_orders_missing_skus
from feedbridge.sync.price_stock import FeedRules, rules_for

log = logging.getLogger(__name__)

LISTING_CREATE = "listing.create"
QUOTA_CODE = 12052093
DEFAULT_DAILY_QUOTA = 1000
# Defaults for what TikTok requires and stores rarely have; each can be changed per feed under Settings.
BUILT_IN_DEFAULTS: dict[str, Any] = {"package_weight_kg": "0.5", "package_length_cm": "20",
                                     "package_width_cm": "15", "package_height_cm": "10"}


def status_from_tiktok(status: str, audit_status: str | None = None) -> str:
    """Our listing status for a TikTok product status."""
    return listing_status_from_tiktok(status, audit_status).value


def feed_defaults(feed: StoreFeed) -> dict[str, Any]:
    """The feed's listing defaults (package weight and size), built-in values where the merchant set none."""
    return {**BUILT_IN_DEFAULTS, **(feed.rules or {}).get("defaults", {})}


# ---- selecting products --------------------------------------------------------------------------------

def start_listing(session: Session, feed: StoreFeed, product_ids: list[str],
                  variant_ids: dict[str, list[str]] | None = None) -> SyncRun:
    """List the selected products (or the selected SKUs of them) in the background, with progress.

    Only mapped products can be listed: unmapped ones are refused up front, naming them.
    """
    products = {p.product_id: p for p in session.scalars(select(StoreProduct).where(
        StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.product_id.in_(product_ids),
        StoreProduct.deleted.is_(False)))}
    missing = [pid for pid in product_ids if pid not in products]
    if missing:
        raise DataError(f"{len(missing)} selected products are not in your catalog copy: {', '.join(missing[:5])}.",
                        field="product_ids", action="Refresh the catalog and select again.")
    unmapped = [p.title for p in products.values() if category_for(session, feed, p) is None]
    if unmapped:
        raise DataError(f"Map these products to a TikTok category first: {', '.join(unmapped[:5])}"
                        + (f" and {len(unmapped) - 5} more." if len(unmapped) > 5 else "."),
                        field="product_ids", action="Open Category mapping and map them, then sync again.")
    run = SyncRun(merchant_id=feed.merchant_id, feed_id=feed.id, kind="list_products", total=len(product_ids))
    session.add(run)
    session.flush()
    in_progress = 0
    for product_id in product_ids:
        listing = session.scalars(select(Listing).where(Listing.feed_id == feed.id,
                                                        Listing.store_product_id == product_id)).first()
        if listing is not None and not listing.tiktok_product_id and _create_in_progress(session, listing.id):
            # Pressing Sync again while this listing is queued or being created: it finishes in (and is counted
            # by) the run that queued it; moving it here would leave that run waiting forever.
            in_progress += 1
            continue
        if listing is None:
            listing = Listing(merchant_id=feed.merchant_id, feed_id=feed.id, store_product_id=product_id)
            session.add(listing)
        listing.title = products[product_id].title
        listing.run_id = run.id
        if variant_ids and product_id in variant_ids:
            listing.variant_ids = list(variant_ids[product_id])
        if listing.tiktok_product_id:
            run.done += 1  # already on TikTok: after creation only price and stock flow
            continue
        listing.status, listing.reason, listing.problems = ListingStatus.NOT_SYNCED.value, "Queued for sync.", []
        session.flush()
        record_intent(session, LISTING_CREATE, str(listing.id), {"listing": listing.id}, merchant_id=feed.merchant_id)
    if in_progress:
        run.total -= in_progress
        run.note = (f"{in_progress} of the selected products were already being synced by an earlier sync; "
                    "they finish there.")
    if run.done >= run.total:
        run.state, run.finished_at = "done", utcnow()
    return run


def _create_in_progress(session: Session, listing_id: int) -> bool:
    """True when this listing's create job is queued or running."""
    state = session.scalar(select(Intent.state).where(Intent.kind == LISTING_CREATE, Intent.key == str(listing_id)))
    return state in (PENDING, RUNNING)


# ---- building the TikTok product -------------------------------------------------------------------------

def _weight_kg(variant: Variant) -> Decimal | None:
    if variant.weight is None or variant.weight <= 0:
        return None
    return (to_grams(variant.weight, variant.weight_unit) / 1000).quantize(Decimal("0.001"))


def _attribute_values(product: Product, attribute: MarketplaceAttribute, defaults: dict[str, list[str]]
                      ) -> tuple[list[str], str]:
    """Values for a product attribute from store fields, then the merchant's default. (values, source)"""
    name = attribute.name.lower()
    if "brand" in name and product.vendor:
        return [product.vendor], "store"
    for option in product.option_names:
        if option.lower() == name:
            values = sorted({v.options.get(option, "") for v in product.variants} - {""})
            if values:
                return values[: (None if attribute.multiple else 1)], "store"
    if attribute.id in defaults:
        return defaults[attribute.id], "default"
    return [], ""


def build_draft(product: Product, variants: list[Variant], feed: StoreFeed, shop: TikTokShop, category_id: str,
                rules: FeedRules, attributes: list[MarketplaceAttribute], defaults: dict[str, list[str]],
                description_html: str) -> tuple[ListingDraft, dict[str, Any]]:
    """The listing draft (validated by domain rules) and the extra TikTok fields it does not hold."""
    options = [name for name in product.option_names if name and name.lower() not in ("title", "default")][:5]
    skus = []
    for variant in variants:
        sales = [SalesAttribute(name=option, value=variant.options.get(option, ""))
                 for option in options if variant.options.get(option)]
        skus.append(SkuDraft(
            seller_sku=variant.sku, price=apply_price_rule(variant.price, variant.compare_at_price, rules.price),
            stock=apply_stock_rule(variant, rules.stock), sales_attributes=sales,
            list_price=list_price_for(variant.price, variant.compare_at_price, rules.price),
            label=" / ".join(s.value for s in sales) or variant.title or variant.sku))
    settings = feed_defaults(feed)
    weights = [w for w in (_weight_kg(v) for v in variants) if w is not None]
    weight = max(weights) if weights else Decimal(str(settings["package_weight_kg"]))
    product_attributes: dict[str, list[str]] = {}
    for attribute in attributes:
        if attribute.sales:
            continue
        values, _source = _attribute_values(product, attribute, defaults)
        if values:
            product_attributes[attribute.id] = values
    draft = ListingDraft(
        title=product.title.strip(), description_html=description_html, main_images=list(product.images[:9]),
        category_id=category_id, skus=skus, attributes=product_attributes,
        package_weight=PackageWeight(value=weight, unit="KILOGRAM"),
        package_dimensions=PackageDimensions(
            length=Decimal(str(settings["package_length_cm"])), width=Decimal(str(settings["package_width_cm"])),
            height=Decimal(str(settings["package_height_cm"])), unit="CENTIMETER"),
    )
    return draft, {"warehouse_id": shop.default_warehouse_id}


def limits_for(shop: TikTokShop, rules: CategoryRules, attributes: list[MarketplaceAttribute]) -> TikTokLimits:
    required = tuple(RequiredAttribute(a.id, a.name) for a in attributes if a.required and not a.sales)
    return TikTokLimits.for_region(shop.region, required_attributes=required,
                                   dimensions_required=rules.package_dimensions_required)


def product_body(draft: ListingDraft, *, image_uris: list[str], currency: str, warehouse_id: str,
                 category_version: str, attributes: list[MarketplaceAttribute], idempotency_key: str,
                 external_product_id: str) -> dict[str, object]:
    """TikTok's create-product body for a validated draft."""
    by_id = {a.id: a for a in attributes}

    def values(attribute_id: str, names: list[str]) -> list[dict[str, str]]:
        known = {v.name.lower(): v.id for v in by_id[attribute_id].values} if attribute_id in by_id else {}
        return [{"id": known[n.lower()]} if n.lower() in known else {"name": n} for n in names]

    skus: list[dict[str, object]] = []
    for sku in draft.skus:
        entry: dict[str, object] = {
            "seller_sku": sku.seller_sku,
            "price": {"amount": str(sku.price), "currency": currency},
            "inventory": [{"warehouse_id": warehouse_id, "quantity": sku.stock}],
            "sales_attributes": [{"name": a.name, "value_name": a.value} for a in sku.sales_attributes],
        }
        if sku.list_price is not None:
            entry["list_price"] = {"amount": str(sku.list_price), "currency": currency}
        skus.append(entry)
    body: dict[str, object] = {
        "title": draft.title, "description": draft.description_html, "category_id": draft.category_id,
        "main_images": [{"uri": uri} for uri in image_uris], "skus": skus,
        "package_weight": {"value": str(draft.package_weight.value), "unit": draft.package_weight.unit}
        if draft.package_weight else None,
        "product_attributes": [{"id": k, "values": values(k, v)} for k, v in draft.attributes.items()],
        "external_product_id": external_product_id, "idempotency_key": idempotency_key,
    }
    if draft.package_dimensions:
        d = draft.package_dimensions
        body["package_dimensions"] = {"length": str(d.length), "width": str(d.width), "height": str(d.height),
                                      "unit": d.unit}
    if category_version == "v2":
        body["category_version"] = "v2"
    return {k: v for k, v in body.items() if v is not None}


# ---- the create job --------------------------------------------------------------------------------------

def _problems_text(problems: list[Problem]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"Failed to sync: {first.reason} {first.fix}{more}"


def _finish(runtime: Runtime, listing_id: int, *, status: str, reason: str = "", problems: list[Problem] | None = None,
            tiktok_product_id: str = "", category_id: str = "", failed: bool = False) -> None:
    with transaction(runtime.sessions) as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        listing.status, listing.reason = status, reason
        listing.problems = [{"field": p.field, "reason": p.reason, "fix": p.fix} for p in problems or []]
        if tiktok_product_id:
            listing.tiktok_product_id, listing.synced_at = tiktok_product_id, utcnow()
        if category_id:
            listing.tiktok_category_id = category_id
        if failed and not listing.tiktok_product_id:
            listing.synced_at = None  # nothing reached TikTok: give the quota slot back
        if failed:
            log_activity(session, listing.merchant_id, "listing.failed", reason, level="error",
                         subject=listing.title, action=(problems[0].fix if problems else ""))
        _count(session, listing, failed=failed)


def _count(session: Session, listing: Listing, *, failed: bool) -> None:
    """Count one finished listing in its run. Atomic increments: listings of one run finish in parallel."""
    if listing.run_id is None:
        return
    counter = SyncRun.failed if failed else SyncRun.done
    session.execute(update(SyncRun).where(SyncRun.id == listing.run_id, SyncRun.state != "done")
                    .values({counter: counter + 1}).execution_options(synchronize_session=False))
    session.execute(update(SyncRun).where(SyncRun.id == listing.run_id, SyncRun.state != "done",
                                          SyncRun.done + SyncRun.failed >= SyncRun.total)
                    .values(state="done", finished_at=utcnow()).execution_options(synchronize_session=False))


LINKED_REASON = "Linked to an existing TikTok product."


def _quota(shop: TikTokShop) -> tuple[int, datetime]:
    """The shop's daily listing quota and the start of today (UTC)."""
    quota = int((shop.settings or {}).get("daily_listing_quota", DEFAULT_DAILY_QUOTA))
    return quota, datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _used_today(shop_id: int, today: datetime, *, other_than: int | None = None) -> Any:
    """Listings sent (or being sent) to TikTok today for one shop: those holding a slot of the daily quota."""
    query = (select(func.count()).select_from(Listing).join(StoreFeed, Listing.feed_id == StoreFeed.id)
             .where(StoreFeed.tiktok_shop_id == shop_id, Listing.synced_at >= today,
                    Listing.reason != LINKED_REASON))
    if other_than is not None:
        query = query.where(Listing.id != other_than)
    return query


def _quota_wait(session: Session, shop: TikTokShop, listing_id: int) -> datetime | None:
    """When today's upload quota of the shop is used up (by other listings), the time it resets (next UTC
    midnight)."""
    quota, today = _quota(shop)
    used = session.scalar(_used_today(shop.id, today, other_than=listing_id))
    if int(used or 0) < quota:
        return None
    return today + timedelta(days=1, minutes=1)


def _reserve_quota_slot(runtime: Runtime, shop: TikTokShop, listing_id: int) -> datetime | None:
    """Take one slot of today's quota for this listing, atomically (workers list in parallel, and checking
    then creating would let them all pass). Returns when to resume if the quota is used up, else None."""
    quota, today = _quota(shop)
    with transaction(runtime.sessions) as session:
        if session.get_bind().dialect.name != "sqlite":
            # Serialize reservations per shop; SQLite serializes writers itself.
            session.execute(select(TikTokShop.id).where(TikTokShop.id == shop.id).with_for_update())
        used = _used_today(shop.id, today, other_than=listing_id).scalar_subquery()
        taken = session.execute(update(Listing).where(Listing.id == listing_id, used < quota)
                                .values(synced_at=utcnow()).execution_options(synchronize_session=False))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return None
    return today + timedelta(days=1, minutes=1)


def _wait_for_quota(runtime: Runtime, listing_id: int, resume_at: datetime) -> None:
    with transaction(runtime.sessions) as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        listing.reason = (f"Waiting for TikTok's daily listing quota; resumes by itself at "
                          f"{resume_at:%Y-%m-%d %H:%M} UTC.")
        if listing.run_id is not None:
            run = session.get(SyncRun, listing.run_id)
            if run is not None:
                run.state, run.resume_at, run.note = "waiting_quota", resume_at, listing.reason
        record_intent(session, LISTING_CREATE, str(listing.id), {"listing": listing.id},
                      merchant_id=listing.merchant_id,
                      delay=max(1.0, (resume_at - datetime.now(UTC)).total_seconds()))


async def create_listing(runtime: Runtime, listing_id: int) -> str:
    """Create one listing on TikTok (or adopt the product a crashed attempt created). Returns its status."""
    with runtime.sessions() as session:
        listing = session.get(Listing, listing_id)
        if listing is None:
            return "gone"
        if listing.tiktok_product_id and listing.status != ListingStatus.NOT_SYNCED.value:
            return listing.status  # created already; only a Retry after a failed review re-submits it
        resubmit = listing.tiktok_product_id
        feed = session.get(StoreFeed, listing.feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        connection = session.get(StoreConnection, feed.store_connection_id)
        assert shop is not None and connection is not None
        resume_at = _quota_wait(session, shop, listing_id)
        cached = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == connection.id,
            StoreProduct.product_id == listing.store_product_id)).first()
        mapping = category_for(session, feed, cached) if cached is not None else None
    if resume_at is not None:
        _wait_for_quota(runtime, listing_id, resume_at)
        return "waiting_quota"
    if mapping is None:
        _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, failed=True,
                reason="Failed to sync: the product is not mapped to a TikTok category. Map it under Category "
                       "mapping, then sync again.")
        return ListingStatus.FAILED_TO_SYNC.value
    try:
        rules = rules_for(feed, shop, connection)
    except ConfigError as exc:
        _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, failed=True,
                reason=f"Failed to sync: {exc.message} {exc.action or ''}".strip())
        return ListingStatus.FAILED_TO_SYNC.value
    store = store_for(runtime, connection)
    try:
        product = await store.get_product(listing.store_product_id)
    finally:
        await store.aclose()
    if product is None:
        _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, failed=True,
                reason="Failed to sync: the product no longer exists in your store.")
        return ListingStatus.FAILED_TO_SYNC.value
    with transaction(runtime.sessions) as session:
        save_product(session, connection, product)
        defaults = attribute_defaults(session, feed, mapping.tiktok_category_id)
    variants = [v for v in product.variants if listing.variant_ids is None or v.id in listing.variant_ids]
    category_rules, attributes = await category_requirements(runtime, shop, mapping.tiktok_category_id)
    parsed = parse_description(product.description_html)
    preview = render_description(parsed, {img: HostedImage(img, 1, 1) for img in parsed.images})
    draft, extra = build_draft(product, variants, feed, shop, mapping.tiktok_category_id, rules, attributes,
                               defaults, preview.html)
    problems = validate_listing(draft, limits_for(shop, category_rules, attributes))
    if problems:
        _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, problems=problems,
                reason=_problems_text(problems), category_id=mapping.tiktok_category_id, failed=True)
        return ListingStatus.FAILED_TO_SYNC.value
    market = marketplace_for(runtime, shop)
    try:
        existing = None if resubmit else await _existing_on_tiktok(market, [s.seller_sku for s in draft.skus])
        if existing is not None:
            return await _adopt(runtime, listing_id, feed, existing, variants)
        try:
            hosted: dict[str, HostedImage] = {}
            for url in parsed.images:
                image = await market.upload_image(url)
                hosted[url] = HostedImage(image.url, image.width, image.height)
            main_uris = [(await market.upload_image(url)).uri for url in draft.main_images]
        except DataError as exc:
            problem = Problem("images", exc.message, exc.action or "Fix the image in your store.")
            _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, problems=[problem],
                    reason=_problems_text([problem]), failed=True)
            return ListingStatus.FAILED_TO_SYNC.value
        description = render_description(parsed, hosted).html
        draft.description_html = description
        body = product_body(draft, image_uris=main_uris, currency=rules.price.currency,
                            warehouse_id=extra["warehouse_id"] or await market.warehouse_id(),
                            category_version=_category_version(shop), attributes=attributes,
                            idempotency_key=f"feedbridge-{feed.id}-{product.id}", external_product_id=product.id)
        if not resubmit:
            resume_at = _reserve_quota_slot(runtime, shop, listing_id)
            if resume_at is not None:
                _wait_for_quota(runtime, listing_id, resume_at)
                return "waiting_quota"
        try:
            if resubmit:
                await market.edit_product(resubmit, body)
                refreshed = await market.get_product(resubmit)
                created = CreatedProduct(resubmit, {s.seller_sku: s.id for s in refreshed.skus} if refreshed else {})
            else:
                created = await market.create_product(body)
        except RetryableError:
            raise
        except PlatformError as exc:
            if exc.code == QUOTA_CODE:
                _wait_for_quota(runtime, listing_id, datetime.now(UTC).replace(
                    hour=0, minute=1, second=0, microsecond=0) + timedelta(days=1))
                return "waiting_quota"
            problem = Problem(_field_for(exc), f"TikTok refused the product: {exc.message}",
                              "Fix it in your store, then sync again.")
            _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, problems=[problem],
                    reason=_problems_text([problem]), failed=True)
            return ListingStatus.FAILED_TO_SYNC.value
    finally:
        await market.aclose()
    with transaction(runtime.sessions) as session:
        feed_row = session.get(StoreFeed, feed.id)
        assert feed_row is not None
        for variant, sku in zip(variants, draft.skus, strict=True):
            sku_id = created.sku_ids.get(variant.sku, "")
            _save_binding(session, feed_row, product.id, variant, created.product_id, sku_id,
                          price=str(sku.price), stock=sku.stock)
        retry_orders_missing_skus(session, feed_row.tiktok_shop_id)
    _finish(runtime, listing_id, status=ListingStatus.UNDER_REVIEW.value, tiktok_product_id=created.product_id,
            category_id=mapping.tiktok_category_id,
            reason="Under review by TikTok. After creation only price and stock follow your store.")
    return ListingStatus.UNDER_REVIEW.value


def _category_version(shop: TikTokShop) -> str:
    from feedbridge.tiktok.regions import region

    return region(shop.region).category_version


def _field_for(exc: PlatformError) -> str:
    text = exc.message.lower()
    for word, field in (("title", "title"), ("name", "title"), ("description", "description"), ("image", "images"),
                        ("weight", "package_weight"), ("size", "package_dimensions"), ("price", "price"),
                        ("category", "category"), ("brand", "brand"), ("property", "attributes"), ("sku", "skus")):
        if word in text:
            return field
    return "product"


async def _existing_on_tiktok(market: Any, seller_skus: list[str]) -> MarketplaceProduct | None:
    """A TikTok product already carrying these seller SKUs (e.g. created just before a crash)."""
    wanted = {s for s in seller_skus if s}
    if not wanted:
        return None
    async for product in market.products(seller_skus=sorted(wanted)):
        if {s.seller_sku for s in product.skus} & wanted:
            return product  # type: ignore[no-any-return]
    return None


async def _adopt(runtime: Runtime, listing_id: int, feed: StoreFeed, tiktok: MarketplaceProduct,
                 variants: list[Variant]) -> str:
    """Bind the store product to the TikTok product that already has its SKUs instead of listing it twice."""
    by_sku = {s.seller_sku: s for s in tiktok.skus}
    with transaction(runtime.sessions) as session:
        feed_row = session.get(StoreFeed, feed.id)
        assert feed_row is not None
        for variant in variants:
            sku = by_sku.get(variant.sku)
            if sku is not None:
                _save_binding(session, feed_row, variant.product_id, variant, tiktok.id, sku.id,
                              price=str(sku.price) if sku.price is not None else None, stock=sku.stock)
        retry_orders_missing_skus(session, feed_row.tiktok_shop_id)
    status = status_from_tiktok(tiktok.status)
    _finish(runtime, listing_id, status=status, tiktok_product_id=tiktok.id, category_id=tiktok.category_id,
            reason="A TikTok product with these SKUs already existed; it was linked instead of listed twice.")
    return status


def _save_binding(session: Session, feed: StoreFeed, product_id: str, variant: Variant, tiktok_product_id: str,
                  sku_id: str, *, price: str | None, stock: int | None) -> None:
    binding = session.scalars(select(Binding).where(Binding.feed_id == feed.id,
                                                    Binding.store_variant_id == variant.id)).first()
    if binding is None:
        binding = Binding(merchant_id=feed.merchant_id, feed_id=feed.id, store_product_id=product_id,
                          store_variant_id=variant.id)
        session.add(binding)
    binding.seller_sku, binding.tiktok_product_id = variant.sku, tiktok_product_id
    binding.tiktok_sku_id = sku_id or None
    binding.last_price, binding.last_stock, binding.last_pushed_at = price, stock, utcnow()
    binding.origin = "listed"


# ---- review status, TikTok → feedbridge -------------------------------------------------------------------

def review_text(reasons: list[dict[str, Any]]) -> str:
    """TikTok's audit failure reasons and suggestions as one sentence for the merchant."""
    parts = []
    for reason in reasons:
        said = "; ".join(str(r).rstrip(".") for r in reason.get("reasons") or []) or str(reason.get("message") or "")
        suggested = "; ".join(str(s).rstrip(".") for s in reason.get("suggestions") or [])
        if said or suggested:
            parts.append(said.rstrip(".") + (f". TikTok suggests: {suggested}" if suggested else ""))
    # Each part ends without a full stop; the sentence gets one.
    if not parts:
        return "Failed review on TikTok."
    return "Failed review: " + "; ".join(p.rstrip(".") for p in parts) + "."


def apply_tiktok_status(session: Session, listing: Listing, tiktok: MarketplaceProduct | None) -> bool:
    """Update one listing from TikTok's product; True when its status changed."""
    if tiktok is None:
        new, reason, reasons = ListingStatus.SYNCED_UNLISTED.value, "Deleted on TikTok.", []
    else:
        new = status_from_tiktok(tiktok.status)
        reasons = tiktok.audit_failed_reasons
        reason = {
            ListingStatus.UNDER_REVIEW.value: "Under review by TikTok.",
            ListingStatus.ACTIVE.value: "Active on TikTok Shop.",
            ListingStatus.FAILED_REVIEW.value: review_text(reasons),
            ListingStatus.SYNCED_UNLISTED.value: f"Synced but not listed on TikTok ({tiktok.status}).",
        }.get(new, tiktok.status)
    changed = listing.status != new
    listing.status, listing.reason, listing.review_reasons = new, reason, reasons
    listing.tiktok_status = tiktok.status if tiktok else "DELETED"
    if changed:
        level = "error" if new == ListingStatus.FAILED_REVIEW.value else "info"
        log_activity(session, listing.merchant_id, f"listing.{new}", f"{listing.title}: {reason}", level=level,
                     subject=listing.title,
                     action="Fix what TikTok lists in your store, then use Retry." if level == "error" else "")
    return changed


async def refresh_listing_status(runtime: Runtime, shop_row_id: int, tiktok_product_id: str) -> None:
    """Re-read one TikTok product (after a product webhook) and update every listing bound to it."""
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_row_id)
        if shop is None:
            return
    market = marketplace_for(runtime, shop)
    try:
        tiktok = await market.get_product(tiktok_product_id)
    finally:
        await market.aclose()
    with transaction(runtime.sessions) as session:
        for listing in session.scalars(select(Listing).join(StoreFeed, Listing.feed_id == StoreFeed.id).where(
                StoreFeed.tiktok_shop_id == shop_row_id, Listing.tiktok_product_id == tiktok_product_id)):
            apply_tiktok_status(session, listing, tiktok)


async def poll_listing_statuses(runtime: Runtime, feed_id: int) -> int:
    """Safety net for lost product webhooks: re-read every listing of the feed; returns how many changed."""
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        assert shop is not None
        ids = {listing.tiktok_product_id: listing.id for listing in session.scalars(select(Listing).where(
            Listing.feed_id == feed_id, Listing.tiktok_product_id != ""))}
    if not ids:
        return 0
    seen: set[str] = set()
    changed = 0
    market = marketplace_for(runtime, shop)
    try:
        async for tiktok in market.products():
            if tiktok.id in ids:
                seen.add(tiktok.id)
                with transaction(runtime.sessions) as session:
                    listing = session.get(Listing, ids[tiktok.id])
                    if listing is not None and apply_tiktok_status(session, listing, tiktok):
                        changed += 1
        for product_id in set(ids) - seen:
            gone = await market.get_product(product_id)
            with transaction(runtime.sessions) as session:
                listing = session.get(Listing, ids[product_id])
                if listing is not None and apply_tiktok_status(session, listing, gone):
                    changed += 1
    finally:
        await market.aclose()
    return changed


def retry_listing(session: Session, feed: StoreFeed, listing_id: int) -> None:
    """The Retry button of a failed listing: queue it again (a failed review re-lists after a fix)."""
    listing = session.scalars(select(Listing).where(Listing.id == listing_id, Listing.feed_id == feed.id)).first()
    if listing is None:
        raise DataError("No such listing.", field="listing_id")
    if listing.tiktok_product_id and listing.status != ListingStatus.FAILED_REVIEW.value:
        raise ConfigError("This product is already on TikTok; only price and stock follow your store.",
                          action="Change other details in TikTok Seller Center.")
    listing.status, listing.problems = ListingStatus.NOT_SYNCED.value, []
    listing.reason = "Queued for re-submission." if listing.tiktok_product_id else "Queued for sync."
    record_intent(session, LISTING_CREATE, str(listing.id), {"listing": listing.id}, merchant_id=feed.merchant_id)


def cached_products_for(session: Session, feed: StoreFeed) -> list[Product]:
    """The feed's store products from our copy (for listing pages and the CLI)."""
    return [product_from_json(p.data) for p in session.scalars(select(StoreProduct).where(
        StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.deleted.is_(False)))]


def listing_gave_up(runtime: Runtime, listing_id: int, message: str) -> None:
    """The create job ended failed: the listing says why (instead of staying "Queued") and its run counts it."""
    with runtime.sessions() as session:
        listing = session.get(Listing, listing_id)
        if listing is None or listing.tiktok_product_id or listing.status == ListingStatus.FAILED_TO_SYNC.value:
            return
    _finish(runtime, listing_id, status=ListingStatus.FAILED_TO_SYNC.value, failed=True,
            reason=f"Failed to sync: {message} Use Retry once the cause is fixed.")
