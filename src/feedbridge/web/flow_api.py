"""JSON API v1 of the flows: category mapping, attribute defaults, sync runs, listing retry, links, orders,
carriers, feed rules and shop settings. Every route acts for the token's merchant only.

Errors have the consistent shape `{"error": {"code", "message", "field", "action"}}`; a refused action
(e.g. re-mapping a listed product) answers 400 with code `config_error` and the merchant's words.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from feedbridge.db.models import CarrierMapping, CategoryMapping, Listing
from feedbridge.db.session import transaction
from feedbridge.errors import DataError
from feedbridge.sync import categories as cat
from feedbridge.sync.connections import shop_settings
from feedbridge.sync.linking import link_manually, unlink
from feedbridge.sync.listings import retry_listing, start_listing
from feedbridge.sync.price_stock import queue_feed_resync
from feedbridge.web import feeds as fx
from feedbridge.web import repo
from feedbridge.web.api import ListingOut, OrderOut
from feedbridge.web.carrier_cache import refresh_carrier_lists
from feedbridge.web.deps import CurrentMerchant, Offset, RowId, api_merchant, get_runtime
from feedbridge.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["api v1: flows"], responses=ERROR_RESPONSES)


class Out(BaseModel):
    """Models read from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class MappingOut(Out):
    """A store category (scope store_category) or one product (scope product) mapped to a TikTok leaf."""

    id: int
    feed_id: int
    scope: str
    store_ref: str
    tiktok_category_id: str
    tiktok_category_name: str
    source: str


class MappingIn(BaseModel):
    """What to map, and to which TikTok leaf category."""

    scope: str = Field(pattern="^(store_category|product)$", examples=["store_category"])
    store_ref: str = Field(min_length=1, max_length=64, description="The store category id or product id.")
    tiktok_category_id: str = Field(min_length=1, max_length=64)


class CategoryCount(BaseModel):
    """A TikTok category in use and how many store products map to it."""

    tiktok_category_id: str
    path: str
    products: int


class CategoryOut(Out):
    """A cached TikTok leaf category."""

    category_id: str
    name: str
    path: str
    is_leaf: bool


class AttributeOut(BaseModel):
    """A required or optional TikTok attribute of a category, with the merchant's default."""

    id: str
    name: str
    required: bool
    multiple: bool
    customizable: bool
    values: list[str]
    default: list[str]


class RequirementsOut(BaseModel):
    """What a TikTok category requires."""

    category_id: str
    package_dimensions_required: bool
    size_chart_required: bool
    certifications: list[str]
    attributes: list[AttributeOut]


class AttributeDefaultIn(BaseModel):
    """Default values of an attribute ('' category = every category of the feed); empty values clear it."""

    values: list[str] = Field(max_length=20)
    category_id: str = Field("", max_length=64)
    name: str = Field("", max_length=200)


class ProductOut(BaseModel):
    """A product of our catalog copy with its listing status in this feed."""

    product_id: str
    title: str
    skus: str
    listing_id: int | None
    status: str
    status_label: str


class SyncIn(BaseModel):
    """Products to list; `variant_ids` narrows a product to some of its SKUs."""

    product_ids: list[str] = Field(min_length=1, max_length=10_000)
    variant_ids: dict[str, list[str]] | None = None


class RunOut(Out):
    """A bulk sync and its progress; state `waiting_quota` waits for TikTok's daily quota until `resume_at`."""

    id: int
    feed_id: int
    kind: str
    total: int
    done: int
    failed: int
    state: str
    note: str
    resume_at: datetime | None
    started_at: datetime
    finished_at: datetime | None


class LinkOut(Out):
    """A store variant linked to a TikTok SKU."""

    id: int
    feed_id: int
    store_product_id: str
    store_variant_id: str
    seller_sku: str
    tiktok_product_id: str
    tiktok_sku_id: str | None
    origin: str
    last_price: str | None
    last_stock: int | None
    last_pushed_at: datetime | None
    last_error: str


class LinkIn(BaseModel):
    """Link one store variant to one TikTok SKU."""

    store_product_id: str = Field(min_length=1, max_length=64)
    store_variant_id: str = Field(min_length=1, max_length=64)
    tiktok_product_id: str = Field(min_length=1, max_length=64)
    tiktok_sku_id: str = Field(min_length=1, max_length=64)


class AutoLinkIn(BaseModel):
    """Turn auto-link by SKU on (links now, in the background) or off."""

    enabled: bool = True


class CarrierOut(BaseModel):
    """A store carrier name and the TikTok provider it goes to (source merchant, suggested or '')."""

    store_carrier: str
    provider_id: str
    provider_name: str
    source: str
    mapping_id: int | None
    shipments: int


class ProviderOut(BaseModel):
    """A shipping provider of the shop."""

    id: str
    name: str


class CarriersOut(BaseModel):
    """Carriers of one shop, its providers and the default provider."""

    carriers: list[CarrierOut]
    providers: list[ProviderOut]
    default_provider_id: str
    default_provider: str


class CarrierIn(BaseModel):
    """Map a store carrier name to a provider id ('' removes the mapping)."""

    store_carrier: str = Field(min_length=1, max_length=200)
    provider_id: str = Field("", max_length=64)


class PriceRuleIO(BaseModel):
    """How the TikTok price is made from the store price."""

    source: str = Field(default="price", pattern="^(price|compare_at)$")
    percent: str = "0"
    amount: str = "0"
    rounding: str = Field(default="none", pattern="^(none|whole|end_99|end_95)$")
    direction: str = Field(default="up", pattern="^(up|down|nearest)$")


class StockRuleIO(BaseModel):
    """How the TikTok stock is made from the store stock."""

    locations: list[str] = Field(default_factory=list, max_length=50)
    percent: str = "100"
    buffer: int = Field(default=0, ge=0, le=1_000_000)
    untracked_quantity: int = Field(default=99_999, ge=0, le=99_999)


class RulesIO(BaseModel):
    """A feed's price and stock rules, package defaults and exchange rate. Saving pushes linked products again."""

    price: PriceRuleIO = PriceRuleIO()
    stock: StockRuleIO = StockRuleIO()
    defaults: dict[str, str] = Field(default_factory=dict)
    exchange_rate: str | None = Field(None, max_length=40)


class ShopSettingsIO(BaseModel):
    """Order rules of a TikTok shop."""

    order_create_when: str = Field("after_hold", pattern="^(after_hold|at_once)$")
    order_number: str = Field("store", pattern="^(store|prefix)$")
    order_prefix: str = Field("TT-", max_length=20)
    restock_on_return: bool = False
    auto_link_by_sku: bool = True
    default_provider_id: str = Field("", max_length=64)


class AfterSaleOut(Out):
    """A TikTok cancellation, return or refund."""

    id: int
    tiktok_shop_id: int
    kind: str
    tiktok_id: str
    tiktok_order_id: str
    status: str
    reason: str
    amount: str
    currency: str
    updated_at: datetime


def _sessions(request: Request) -> Any:
    return get_runtime(request).sessions


# ---- category mapping ---------------------------------------------------------------------------------------

@router.get("/feeds/{feed_id}/mappings", response_model=list[MappingOut])
def list_mappings(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> list[MappingOut]:
    """The feed's category mappings."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        return [MappingOut.model_validate(m) for m in session.scalars(select(CategoryMapping).where(
            CategoryMapping.feed_id == scope.feed.id, CategoryMapping.merchant_id == current.id)
            .order_by(CategoryMapping.id))]


@router.post("/feeds/{feed_id}/mappings", response_model=MappingOut, status_code=201)
def create_mapping(request: Request, feed_id: RowId, body: MappingIn,
                   current: CurrentMerchant = Depends(api_merchant)) -> MappingOut:
    """Map (or re-map) a store category or one product; a listed product's category is locked (400)."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        mapping = cat.set_mapping(session, scope.feed, scope.shop, body.scope, body.store_ref,
                                  body.tiktok_category_id)
        return MappingOut.model_validate(mapping)


@router.delete("/mappings/{mapping_id}", status_code=204, response_class=Response)
def delete_mapping(request: Request, mapping_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Remove a mapping (refused for a product already listed)."""
    with transaction(_sessions(request)) as session:
        mapping = repo.owned(session, CategoryMapping, current.id, mapping_id, "mapping")
        scope = fx.owned_feed(session, current.id, mapping.feed_id)
        cat.remove_mapping(session, scope.feed, mapping.id)
    return Response(status_code=204)


@router.get("/feeds/{feed_id}/category-counts", response_model=list[CategoryCount])
def category_counts(request: Request, feed_id: RowId,
                    current: CurrentMerchant = Depends(api_merchant)) -> list[CategoryCount]:
    """TikTok categories in use with how many store products map to each."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        return [CategoryCount(tiktok_category_id=c, path=p, products=n)
                for c, p, n in cat.mapping_counts(session, scope.feed)]


@router.get("/feeds/{feed_id}/categories", response_model=list[CategoryOut])
def search_categories(request: Request, feed_id: RowId, q: str = Query("", max_length=200),
                      current: CurrentMerchant = Depends(api_merchant)) -> list[CategoryOut]:
    """Leaf categories of the shop's region whose path contains every word of `q`."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        if not q.strip():
            return []
        return [CategoryOut.model_validate(c) for c in cat.search_leaf_categories(session, scope.shop, q, 50)]


@router.post("/feeds/{feed_id}/categories/refresh", status_code=202, response_class=Response)
def refresh_categories(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Read TikTok's category tree again in the background."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        fx.queue_work(session, current.id, "categories.refresh", str(scope.shop.id), {"shop": scope.shop.id})
    return Response(status_code=202)


@router.get("/feeds/{feed_id}/categories/{category_id}/requirements", response_model=RequirementsOut)
async def requirements(request: Request, feed_id: RowId, category_id: str,
                       current: CurrentMerchant = Depends(api_merchant)) -> RequirementsOut:
    """A category's rules and attributes with the merchant's defaults."""
    def load() -> Any:
        with transaction(_sessions(request)) as session:
            scope = fx.owned_feed(session, current.id, feed_id)
            if cat.find_category(session, scope.shop, category_id) is None:
                raise DataError(f"TikTok category {category_id} is not in the {scope.shop.region} category tree.",
                                field="category_id")
            return scope, cat.attribute_defaults(session, scope.feed, category_id)

    scope, defaults = await run_in_threadpool(load)
    rules, attributes = await cat.category_requirements(get_runtime(request), scope.shop, category_id)
    return RequirementsOut(
        category_id=category_id, package_dimensions_required=rules.package_dimensions_required,
        size_chart_required=rules.size_chart_required, certifications=list(rules.certifications),
        attributes=[AttributeOut(id=a.id, name=a.name, required=a.required, multiple=a.multiple,
                                 customizable=a.customizable, values=[v.name for v in a.values],
                                 default=defaults.get(a.id, [])) for a in attributes if not a.sales])


@router.put("/feeds/{feed_id}/attribute-defaults/{attribute_id}", status_code=204, response_class=Response)
def set_attribute_default(request: Request, feed_id: RowId, attribute_id: str, body: AttributeDefaultIn,
                          current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Set (or clear, with no values) the default of a TikTok attribute."""
    if len(attribute_id) > 64:
        raise DataError("The attribute id is too long.", field="attribute_id")
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        cat.set_attribute_default(session, scope.feed, attribute_id, [v for v in body.values if v.strip()],
                                  category_id=body.category_id, name=body.name)
    return Response(status_code=204)


@router.get("/feeds/{feed_id}/attribute-defaults", response_model=dict[str, list[str]])
def get_attribute_defaults(request: Request, feed_id: RowId, category_id: str = Query("", max_length=64),
                           current: CurrentMerchant = Depends(api_merchant)) -> dict[str, list[str]]:
    """Attribute id → default values that apply to a category (or feed-wide ones)."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        return cat.attribute_defaults(session, scope.feed, category_id)


# ---- products and sync --------------------------------------------------------------------------------------

@router.get("/feeds/{feed_id}/products", response_model=list[ProductOut])
def list_products(request: Request, feed_id: RowId, status: str = Query("", max_length=30),
                  q: str = Query("", max_length=200), offset: Offset = 0, limit: int = Query(100, ge=1, le=500),
                  current: CurrentMerchant = Depends(api_merchant)) -> list[ProductOut]:
    """Our catalog copy with listing status, filtered by status and title/SKU."""
    if status and status not in fx.LISTING_LABELS:
        raise DataError(f"Choose a status: {', '.join(fx.LISTING_LABELS)}.", field="status")
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        rows = fx.product_rows(session, scope, status=status, text=q, limit=limit, offset=offset)
    out = []
    for product, listing in rows:
        state = listing.status if listing else "not_synced"
        out.append(ProductOut(product_id=product.product_id, title=product.title, skus=product.skus,
                              listing_id=listing.id if listing else None, status=state,
                              status_label=fx.LISTING_LABELS.get(state, state)))
    return out


@router.post("/feeds/{feed_id}/sync", response_model=RunOut, status_code=202)
def start_sync(request: Request, feed_id: RowId, body: SyncIn, current: CurrentMerchant = Depends(api_merchant)) -> RunOut:
    """List products on TikTok in the background; poll GET /runs/{run_id} for progress."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        run = start_listing(session, scope.feed, list(dict.fromkeys(body.product_ids)), body.variant_ids)
        return RunOut.model_validate(run)


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(request: Request, run_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> RunOut:
    """A sync run's progress."""
    with transaction(_sessions(request)) as session:
        return RunOut.model_validate(fx.owned_run(session, current.id, run_id))


@router.post("/feeds/{feed_id}/catalog/refresh", status_code=202, response_class=Response)
def refresh_catalog(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Read the store's catalog again in the background."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        fx.queue_work(session, current.id, "catalog.refresh", str(scope.store.id), {"connection": scope.store.id})
    return Response(status_code=202)


@router.post("/listings/{listing_id}/retry", response_model=ListingOut, status_code=202)
def retry(request: Request, listing_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> ListingOut:
    """Queue a failed listing again."""
    with transaction(_sessions(request)) as session:
        listing = repo.owned(session, Listing, current.id, listing_id, "listing")
        scope = fx.owned_feed(session, current.id, listing.feed_id)
        retry_listing(session, scope.feed, listing.id)
        session.flush()
        return ListingOut.model_validate(listing)


# ---- links --------------------------------------------------------------------------------------------------

@router.get("/feeds/{feed_id}/links", response_model=list[LinkOut])
def list_links(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> list[LinkOut]:
    """Store variants linked to TikTok SKUs in this feed."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        return [LinkOut.model_validate(b) for b in fx.feed_bindings(session, scope, limit=10_000)]


@router.post("/feeds/{feed_id}/links", response_model=LinkOut, status_code=201)
async def create_link(request: Request, feed_id: RowId, body: LinkIn,
                      current: CurrentMerchant = Depends(api_merchant)) -> LinkOut:
    """Link one store variant to one TikTok SKU (checked on TikTok)."""
    def check() -> None:
        with transaction(_sessions(request)) as session:
            fx.owned_feed(session, current.id, feed_id)

    await run_in_threadpool(check)
    binding = await link_manually(get_runtime(request), feed_id, body.store_product_id, body.store_variant_id,
                                  body.tiktok_product_id, body.tiktok_sku_id)
    return LinkOut.model_validate(binding)


@router.delete("/links/{binding_id}", status_code=204, response_class=Response)
def delete_link(request: Request, binding_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Remove a link (nothing changes on TikTok)."""
    with transaction(_sessions(request)) as session:
        binding = fx.owned_binding(session, current.id, binding_id)
        scope = fx.owned_feed(session, current.id, binding.feed_id)
        unlink(session, scope.feed, binding.id)
    return Response(status_code=204)


@router.post("/feeds/{feed_id}/links/auto", response_model=ShopSettingsIO, status_code=202)
def auto_link(request: Request, feed_id: RowId, body: AutoLinkIn,
              current: CurrentMerchant = Depends(api_merchant)) -> ShopSettingsIO:
    """Turn auto-link by SKU on (and link matching SKUs now, in the background) or off."""
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        fx.save_shop_settings(scope.shop, {"auto_link_by_sku": body.enabled})
        if body.enabled:
            fx.queue_work(session, current.id, "link.by_sku", str(scope.feed.id), {"feed": scope.feed.id})
        return ShopSettingsIO(**fx.clean_shop_settings(scope.shop, {}))


# ---- orders and after-sales ---------------------------------------------------------------------------------

@router.post("/orders/{order_id}/retry", response_model=OrderOut, status_code=202)
def retry_order(request: Request, order_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> OrderOut:
    """Queue a failed order (or its failed tracking) again; a store order is never created twice."""
    with transaction(_sessions(request)) as session:
        order = fx.retry_order(session, current.id, order_id)
        session.flush()
        return OrderOut.model_validate(order)


@router.get("/after-sales", response_model=list[AfterSaleOut])
def list_after_sales(request: Request, limit: int = Query(50, ge=1, le=500),
                     current: CurrentMerchant = Depends(api_merchant)) -> list[AfterSaleOut]:
    """Recent TikTok cancellations, returns and refunds, newest first."""
    with transaction(_sessions(request)) as session:
        return [AfterSaleOut.model_validate(a) for a in fx.after_sales(session, current.id, limit)]


# ---- carriers -----------------------------------------------------------------------------------------------

def _carriers(session: Any, merchant_id: int, shop_id: int) -> CarriersOut:
    shop = fx.owned_shop(session, merchant_id, shop_id)
    default_id, default_words = fx.default_provider(shop)
    return CarriersOut(carriers=[CarrierOut(**dataclasses.asdict(row)) for row in fx.carrier_rows(session, shop)],
        providers=[ProviderOut(id=p.id, name=p.name) for p in fx.cached_providers(shop)],
        default_provider_id=default_id, default_provider=default_words)


@router.get("/shops/{shop_id}/carriers", response_model=CarriersOut)
def list_carriers(request: Request, shop_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> CarriersOut:
    """Store carrier names seen for the shop, their providers (mapped or suggested) and the default."""
    with transaction(_sessions(request)) as session:
        return _carriers(session, current.id, shop_id)


@router.put("/shops/{shop_id}/carriers", response_model=CarriersOut)
def put_carrier(request: Request, shop_id: RowId, body: CarrierIn,
                current: CurrentMerchant = Depends(api_merchant)) -> CarriersOut:
    """Map a store carrier name to one of the shop's providers (an empty provider removes the mapping)."""
    with transaction(_sessions(request)) as session:
        shop = fx.owned_shop(session, current.id, shop_id)
        fx.set_carrier(session, shop, body.store_carrier, body.provider_id)
        session.flush()
        return _carriers(session, current.id, shop_id)


@router.post("/shops/{shop_id}/carriers/refresh", response_model=CarriersOut)
async def refresh_carriers(request: Request, shop_id: RowId,
                           current: CurrentMerchant = Depends(api_merchant)) -> CarriersOut:
    """Read the shop's shipping providers (and the stores' carrier names) again."""
    def check() -> None:
        with transaction(_sessions(request)) as session:
            fx.owned_shop(session, current.id, shop_id)

    await run_in_threadpool(check)
    await refresh_carrier_lists(get_runtime(request), current.id, shop_id)

    def load() -> CarriersOut:
        with transaction(_sessions(request)) as session:
            return _carriers(session, current.id, shop_id)

    return await run_in_threadpool(load)


@router.delete("/carriers/{carrier_id}", status_code=204, response_class=Response)
def delete_carrier(request: Request, carrier_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> Response:
    """Remove a carrier mapping."""
    with transaction(_sessions(request)) as session:
        session.delete(repo.owned(session, CarrierMapping, current.id, carrier_id, "carrier mapping"))
    return Response(status_code=204)


# ---- rules and settings -------------------------------------------------------------------------------------

def _rules_out(scope: fx.FeedScope) -> RulesIO:
    view = fx.rules_view(scope)
    return RulesIO(price=PriceRuleIO(**view["price"]), stock=StockRuleIO(**view["stock"]), defaults=view["defaults"],
                   exchange_rate=view["exchange_rate"])


@router.get("/feeds/{feed_id}/rules", response_model=RulesIO)
def get_rules(request: Request, feed_id: RowId, current: CurrentMerchant = Depends(api_merchant)) -> RulesIO:
    """The feed's price and stock rules, package defaults and exchange rate."""
    with transaction(_sessions(request)) as session:
        return _rules_out(fx.owned_feed(session, current.id, feed_id))


@router.put("/feeds/{feed_id}/rules", response_model=RulesIO)
def put_rules(request: Request, feed_id: RowId, body: RulesIO, current: CurrentMerchant = Depends(api_merchant)) -> RulesIO:
    """Replace the feed's rules; every linked product is pushed to TikTok again with them."""
    unknown = set(body.defaults) - set(fx.PACKAGE_FIELDS)
    if unknown:
        raise DataError(f"Unknown default {sorted(unknown)[0]!r}; use {', '.join(fx.PACKAGE_FIELDS)}.",
                        field="defaults")
    cleaned = fx.clean_rules(body.price.model_dump(), body.stock.model_dump(), body.defaults)
    with transaction(_sessions(request)) as session:
        scope = fx.owned_feed(session, current.id, feed_id)
        fx.save_rules(session, scope, cleaned, body.exchange_rate)
        queue_feed_resync(session, scope.feed)
        return _rules_out(scope)


@router.get("/shops/{shop_id}/settings", response_model=ShopSettingsIO)
def get_shop_settings(request: Request, shop_id: RowId,
                      current: CurrentMerchant = Depends(api_merchant)) -> ShopSettingsIO:
    """The shop's order rules."""
    with transaction(_sessions(request)) as session:
        shop = fx.owned_shop(session, current.id, shop_id)
        settings = shop_settings(shop)
        return ShopSettingsIO(**{k: settings[k] for k in ShopSettingsIO.model_fields})


@router.put("/shops/{shop_id}/settings", response_model=ShopSettingsIO)
def put_shop_settings(request: Request, shop_id: RowId, body: ShopSettingsIO,
                      current: CurrentMerchant = Depends(api_merchant)) -> ShopSettingsIO:
    """Change the shop's order rules (fields left out keep their value)."""
    with transaction(_sessions(request)) as session:
        shop = fx.owned_shop(session, current.id, shop_id)
        cleaned = fx.clean_shop_settings(shop, body.model_dump(exclude_unset=True))
        fx.save_shop_settings(shop, cleaned)
        return ShopSettingsIO(**cleaned)


