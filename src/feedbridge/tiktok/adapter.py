"""The TikTok side of the sync engine: implements `MarketplacePort` on top of one shop's TikTokClient.

Tokens are refreshed through the auth server when TikTok answers 105002, and the new tokens are stored
(encrypted) on the shop's row at once, so every worker picks them up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from feedbridge.domain.marketplace import (
    AfterSaleRecord,
    AttributeValue,
    CategoryRules,
    CreatedProduct,
    MarketplaceAttribute,
    MarketplaceCategory,
    MarketplaceOrder,
    MarketplaceOrderLine,
    MarketplaceProduct,
    MarketplaceSku,
    ShippingProvider,
    UploadedImage,
)
from feedbridge.errors import DataError, RetryableError
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import TikTokError
from feedbridge.tiktok.mappers import TikTokOrder, TikTokProduct, order_from_payload, product_from_payload
from feedbridge.tiktok.oauth import TokenRefresher, Tokens
from feedbridge.tiktok.regions import region as region_info

if TYPE_CHECKING:
    from feedbridge.db.models import TikTokShop
    from feedbridge.runtime import Runtime

NOT_FOUND_CODES = {12052048, 12019001, 36009008}
SHIPPED_BY_TIKTOK = 21008117
SELLER_SKU_FILTER_MAX = 10
# Markets where Mark Package As Shipped can ship some line items of an order (it answers 21008106 elsewhere).
SPLIT_SHIPPING_REGIONS = frozenset({"US", "GB", "DE", "FR", "IT", "ES", "IE", "JP"})  # Search Products accepts at most 10 seller_skus (12019027)


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def _dt(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC) if value else None
    except (TypeError, ValueError):
        return None


def product_to_domain(product: TikTokProduct) -> MarketplaceProduct:
    """A TikTok product in domain terms (audit reasons as position / reasons / suggestions)."""
    return MarketplaceProduct(
        id=product.id, title=product.title, status=product.status, category_id=product.category_id,
        skus=[MarketplaceSku(id=s.id, seller_sku=s.seller_sku, price=s.price, stock=s.quantity,
                             warehouse_id=s.inventory[0].warehouse_id if s.inventory else "") for s in product.skus],
        audit_failed_reasons=[{"position": r.position, "reasons": list(r.reasons),
                               "suggestions": list(r.suggestions), "message": r.message}
                              for r in product.audit_failed_reasons],
        update_time=product.update_time,
    )


def order_to_domain(order: TikTokOrder) -> MarketplaceOrder:
    """A TikTok order in domain terms: one line per line item (the engine groups by SKU)."""
    lines = [MarketplaceOrderLine(
        id=item.id, sku_id=item.sku_id, seller_sku=item.seller_sku, product_id=item.product_id,
        title=item.product_name, sale_price=item.sale_price, original_price=item.original_price,
        seller_discount=item.seller_discount, platform_discount=item.platform_discount, quantity=1,
        package_id=item.package_id) for item in order.line_items]
    pay = order.payment
    return MarketplaceOrder(
        id=order.id, status=order.status, currency=order.currency or pay.currency, lines=lines,
        on_hold=order.is_on_hold_order, subtotal=pay.sub_total, shipping_fee=pay.shipping_fee, tax=pay.tax,
        seller_discount=pay.seller_discount, platform_discount=pay.platform_discount, total=pay.total_amount,
        recipient=order.address, buyer_email=order.buyer_email, buyer_message=order.buyer_message,
        package_ids=list(order.package_ids) or sorted({ln.package_id for ln in lines if ln.package_id}),
        cancel_reason=order.cancel_reason, fulfilled_by_tiktok=order.fulfillment_type == "FULFILLMENT_BY_TIKTOK",
        created_at=order.create_time, updated_at=order.update_time)


class TikTokAdapter:
    """One authorized TikTok shop as the sync engine sees it."""

    def __init__(self, client: TikTokClient, *, region: str, currency: str, warehouse_id: str = "") -> None:
        self.client = client
        self.region = region_info(region)
        self.currency = currency or self.region.currency
        self._warehouse_id = warehouse_id

    async def aclose(self) -> None:
        await self.client.aclose()

    async def warehouse_id(self) -> str:
        if not self._warehouse_id:
            warehouses = await self.client.get_warehouses()
            sales = [w for w in warehouses if w.get("type", "SALES_WAREHOUSE") == "SALES_WAREHOUSE"] or warehouses
            chosen = next((w for w in sales if w.get("is_default")), sales[0] if sales else None)
            if chosen is None:
                raise DataError("The TikTok shop has no warehouse.", field="warehouse_id",
                                action="Add a warehouse in TikTok Seller Center.")
            self._warehouse_id = str(chosen["id"])
        return self._warehouse_id

    # ---- catalog ---------------------------------------------------------------------------------------

    async def categories(self) -> list[MarketplaceCategory]:
        data = await self.client.get_categories(category_version=self.region.category_version)
        return [MarketplaceCategory(id=str(c["id"]), parent_id=str(c.get("parent_id") or "0"),
                                    name=str(c.get("local_name") or c.get("name") or c["id"]),
                                    is_leaf=bool(c.get("is_leaf"))) for c in data.get("categories") or []]

    async def category_rules(self, category_id: str) -> CategoryRules:
        data = await self.client.get_category_rules(category_id, category_version=self.region.category_version)
        return CategoryRules(
            package_dimensions_required=bool((data.get("package_dimension") or {}).get("is_required", True)),
            size_chart_required=bool((data.get("size_chart") or {}).get("is_required")),
            certifications=tuple(str(c.get("name") or c.get("id")) for c in data.get("product_certifications") or []
                                 if c.get("is_required")))

    async def attributes(self, category_id: str) -> list[MarketplaceAttribute]:
        data = await self.client.get_attributes(category_id, category_version=self.region.category_version)
        result = []
        for a in data.get("attributes") or []:
            required = a.get("is_requried", a.get("is_required", False))  # TikTok spells it "is_requried"
            result.append(MarketplaceAttribute(
                id=str(a["id"]), name=str(a.get("name", "")), sales=a.get("type") == "SALES_PROPERTY",
                required=bool(required),
                values=tuple(AttributeValue(str(v.get("id", "")), str(v.get("name", ""))) for v in a.get("values") or []),
                customizable=bool(a.get("is_customizable", True)),
                multiple=bool(a.get("is_multiple_selection", False))))
        return result

    async def recommend_category(self, title: str, description: str = "") -> str | None:
        data = await self.client.recommend_category(title, description=description or None,
                                                    category_version=self.region.category_version)
        leaf = data.get("leaf_category_id")
        return str(leaf) if leaf else None

    async def upload_image(self, url: str, data: bytes | None = None) -> UploadedImage:
        if data is None:
            try:
                async with httpx.AsyncClient(timeout=30, follow_redirects=True) as http:
                    response = await http.get(url)
            except httpx.HTTPError as exc:
                raise RetryableError(f"Could not download image {url}: {type(exc).__name__}", delay=60) from exc
            if response.status_code != 200:
                raise DataError(f"Image {url} could not be downloaded (HTTP {response.status_code}).",
                                field="images", action="Fix or remove the image in your store.")
            data = response.content
        content_type = "image/png" if url.lower().endswith(".png") else "image/jpeg"
        result = await self.client.upload_image(data, content_type=content_type)
        return UploadedImage(uri=str(result.get("uri", "")), url=str(result.get("url", "")),
                             width=int(result.get("width") or 0), height=int(result.get("height") or 0))

    async def create_product(self, body: dict[str, object]) -> CreatedProduct:
        data = await self.client.create_product(body)
        return CreatedProduct(product_id=str(data["product_id"]),
                              sku_ids={str(s.get("seller_sku", "")): str(s["id"]) for s in data.get("skus") or []})

    async def edit_product(self, product_id: str, body: dict[str, object]) -> None:
        await self.client.edit_product(product_id, {k: v for k, v in body.items() if k != "idempotency_key"})

    async def get_product(self, product_id: str) -> MarketplaceProduct | None:
        try:
            data = await self.client.get_product(product_id)
        except TikTokError as exc:
            if exc.code in NOT_FOUND_CODES or "not exist" in exc.message.lower() or "not found" in exc.message.lower():
                return None
            raise
        return product_to_domain(product_from_payload(data))

    async def products(self, *, seller_skus: Sequence[str] | None = None) -> AsyncIterator[MarketplaceProduct]:
        if not seller_skus:
            async for item in self.client.iter_products():
                yield product_to_domain(product_from_payload(item))
            return
        wanted = list(dict.fromkeys(seller_skus))
        seen: set[str] = set()
        for start in range(0, len(wanted), SELLER_SKU_FILTER_MAX):
            chunk = wanted[start:start + SELLER_SKU_FILTER_MAX]
            async for item in self.client.iter_products(seller_skus=chunk):
                product = product_to_domain(product_from_payload(item))
                if product.id not in seen and any(s.seller_sku in chunk for s in product.skus):
                    seen.add(product.id)
                    yield product

    async def update_price(self, product_id: str, prices: Mapping[str, str]) -> None:
        await self.client.update_price(product_id, [
            {"id": sku, "price": {"amount": amount, "currency": self.currency}} for sku, amount in prices.items()])

    async def update_inventory(self, product_id: str, stock: Mapping[str, int], warehouse_id: str) -> None:
        warehouse = warehouse_id or await self.warehouse_id()
        data = await self.client.update_inventory(product_id, [
            {"id": sku, "inventory": [{"warehouse_id": warehouse, "quantity": int(qty)}]} for sku, qty in stock.items()])
        errors = data.get("errors") or []
        if errors:
            first = errors[0]
            raise DataError(f"TikTok refused the stock update: {first.get('message') or first}", field="inventory")

    async def deactivate(self, product_ids: Sequence[str]) -> None:
        await self.client.deactivate_products(product_ids)

    # ---- orders ----------------------------------------------------------------------------------------

    async def orders(self, *, updated_since: datetime | None = None, status: str | None = None
                     ) -> AsyncIterator[MarketplaceOrder]:
        filters: dict[str, Any] = {}
        if updated_since is not None:
            filters["update_time_ge"] = _ts(updated_since)
        if status:
            filters["order_status"] = status
        async for item in self.client.iter_orders(**filters):
            yield order_to_domain(order_from_payload(item))

    async def get_orders(self, order_ids: Sequence[str]) -> list[MarketplaceOrder]:
        return [order_to_domain(order_from_payload(o)) for o in await self.client.get_order_detail(order_ids)]

    async def shipping_providers(self) -> list[ShippingProvider]:
        warehouse = await self.warehouse_id()
        seen: dict[str, ShippingProvider] = {}
        options = await self.client.get_delivery_options(warehouse)
        # Only options the seller ships themselves have providers; TikTok-shipped ones answer 21008117.
        own = [o for o in options if o.get("type") == "SEND_BY_SELLER"] or options
        for option in own:
            try:
                providers = await self.client.get_shipping_providers(str(option["id"]))
            except TikTokError as exc:
                if exc.code == SHIPPED_BY_TIKTOK:
                    continue
                raise
            for provider in providers:
                seen.setdefault(str(provider["id"]), ShippingProvider(str(provider["id"]), str(provider.get("name", ""))))
        return list(seen.values())

    async def ship(self, order_id: str, package_id: str, provider_id: str, tracking_number: str, *,
                   line_item_ids: Sequence[str] | None = None) -> None:
        if line_item_ids and self.region.code in SPLIT_SHIPPING_REGIONS:
            # A partial shipment: TikTok moves just these line items into a package of their own.
            await self.client.mark_package_as_shipped(order_id, tracking_number=tracking_number,
                                                      shipping_provider_id=provider_id,
                                                      order_line_item_ids=list(line_item_ids))
            return
        await self.client.ship_package(package_id, tracking_number=tracking_number, shipping_provider_id=provider_id)

    async def after_sales(self, *, updated_since: datetime | None = None) -> list[AfterSaleRecord]:
        filters: dict[str, Any] = {"update_time_ge": _ts(updated_since)} if updated_since else {}
        records: list[AfterSaleRecord] = []
        async for c in self.client.iter_cancellations(**filters):
            amount = c.get("refund_amount") or {}
            records.append(AfterSaleRecord(
                kind="cancellation", id=str(c.get("cancel_id", "")), order_id=str(c.get("order_id", "")),
                status=str(c.get("cancel_status", "")), reason=str(c.get("cancel_reason_text") or c.get("cancel_reason") or ""),
                amount=Decimal(str(amount["refund_total"])) if amount.get("refund_total") else None,
                currency=str(amount.get("currency", "")), updated_at=_dt(c.get("update_time"))))
        async for r in self.client.iter_returns(**filters):
            amount = r.get("refund_amount") or {}
            records.append(AfterSaleRecord(
                kind="refund" if r.get("return_type") == "REFUND" else "return", id=str(r.get("return_id", "")),
                order_id=str(r.get("order_id", "")), status=str(r.get("return_status", "")),
                reason=str(r.get("return_reason_text") or r.get("return_reason") or ""),
                amount=Decimal(str(amount["refund_total"])) if amount.get("refund_total") else None,
                currency=str(amount.get("currency", "")), updated_at=_dt(r.get("update_time"))))
        return records

    async def register_webhooks(self, callback_url: str, event_types: Sequence[str]) -> None:
        current = {w.get("event_type"): w.get("address") for w in await self.client.get_webhooks()}
        for event_type in event_types:
            if current.get(event_type) != callback_url:
                await self.client.update_webhook(event_type, callback_url)


def build_marketplace(runtime: Runtime, shop: TikTokShop) -> TikTokAdapter:
    """The adapter for one shop row, with a token refresher that stores new tokens on the row."""
    from feedbridge.db.models import TikTokShop as ShopRow
    from feedbridge.db.session import transaction

    settings = runtime.settings
    secrets = runtime.vault.decrypt(shop.tokens)
    overrides = shop.settings or {}
    api_url = str(overrides.get("api_url") or settings.tiktok_api_url)
    auth_url = str(overrides.get("auth_url") or settings.tiktok_auth_url)
    app_key = str(overrides.get("app_key") or settings.tiktok_app_key)
    app_secret = str(secrets.get("app_secret") or settings.tiktok_app_secret)
    tokens = Tokens(access_token=secrets.get("access_token", ""), refresh_token=secrets.get("refresh_token", ""),
                    access_token_expires_at=shop.access_expires_at or datetime.now(UTC),
                    refresh_token_expires_at=shop.refresh_expires_at or datetime.now(UTC))
    shop_id = shop.id

    async def store_tokens(new: Tokens) -> None:
        with transaction(runtime.sessions) as session:
            row = session.get(ShopRow, shop_id)
            if row is None:
                return
            kept = runtime.vault.decrypt(row.tokens)
            row.tokens = runtime.vault.encrypt({**kept, "access_token": new.access_token,
                                                "refresh_token": new.refresh_token})
            row.access_expires_at = new.access_token_expires_at
            row.refresh_expires_at = new.refresh_token_expires_at

    refresher = TokenRefresher(auth_url, app_key, app_secret, tokens, on_refresh=store_tokens)
    rate = float(overrides.get("rate_limit", 50))
    client = TikTokClient(api_url, app_key, app_secret, access_token=tokens.access_token, shop_cipher=shop.cipher,
                          token_provider=refresher, rate=rate,
                          limiter=runtime.shared_limiter(f"tiktok:{shop.shop_id}", rate))
    adapter = TikTokAdapter(client, region=shop.region, currency=shop.currency, warehouse_id=shop.default_warehouse_id)
    return runtime.instrument(adapter, "tiktok")
