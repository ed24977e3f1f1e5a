"""The ports the sync engine talks to. Store adapters implement `StorePort`.

No platform payload crosses a port: adapters turn payloads into `feedbridge.domain` objects with pure mapper
functions. Every adapter is built from one connection's credentials (no module-level state).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from feedbridge.domain.catalog import ChangeEvent, Location, Product, StoreCategory, StoreInfo
from feedbridge.domain.marketplace import (
    AfterSaleRecord,
    CategoryRules,
    CreatedProduct,
    MarketplaceAttribute,
    MarketplaceCategory,
    MarketplaceOrder,
    MarketplaceProduct,
    ShippingProvider,
    UploadedImage,
)
from feedbridge.domain.orders import Fulfilment, OrderDraft, StoreOrderRef, StoreOrderStatus


@dataclass(frozen=True, slots=True)
class StoreCapabilities:
    """What a platform can and cannot do; the engine adapts (e.g. polls where there are no webhooks)."""

    webhooks: bool = True
    locations: bool = True
    salable_quantity: bool = False
    order_tags: bool = True
    idempotency_keys: bool = False
    notes: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class WebhookRegistration:
    """A webhook subscription we made in the store."""

    id: str
    topic: str
    address: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Changes found by polling, and the watermark to poll from next time."""

    events: list[ChangeEvent]
    watermark: datetime


@runtime_checkable
class StorePort(Protocol):
    """One store connection, in domain terms."""

    platform: str
    capabilities: StoreCapabilities

    async def store_info(self) -> StoreInfo:
        """Name, currency, weight unit and time zone."""
        ...

    async def locations(self) -> list[Location]:
        """Places stock is held."""
        ...

    def categories(self) -> AsyncIterator[StoreCategory]:
        """Every store category or collection, streamed."""
        ...

    def products(self, *, page_size: int = 50) -> AsyncIterator[list[Product]]:
        """The whole catalog, one page at a time, variants and stock per location filled in."""
        ...

    async def get_product(self, product_id: str) -> Product | None:
        """One product with variants and stock; None when it no longer exists."""
        ...

    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        """Subscribe to the change topics we need (idempotent: existing subscriptions are reused)."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """True when the webhook's signature is valid for this connection (constant-time compare)."""
        ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
        """Turn a verified webhook into change events. Raises DataError on a malformed payload."""
        ...

    async def changes_since(self, watermark: datetime, overlap: timedelta) -> ChangePage:
        """Products changed since `watermark - overlap`, for reconciliation and webhook-less platforms."""
        ...

    async def find_order(self, tiktok_order_id: str) -> StoreOrderRef | None:
        """The store order carrying this TikTok order id, if one exists."""
        ...

    async def create_order(self, draft: OrderDraft) -> StoreOrderRef:
        """Create the order; looks it up first so a retry never creates a second one."""
        ...

    async def add_order_note(self, ref: StoreOrderRef, note: str, tags: Sequence[str] = ()) -> None:
        """Append a note (and tags where the platform has them)."""
        ...

    async def set_order_status(self, ref: StoreOrderRef, status: StoreOrderStatus) -> None:
        """Move the store order to a status TikTok reported (shipped, completed)."""
        ...

    async def cancel_order(self, ref: StoreOrderRef, reason: str) -> None:
        """Cancel the store order (TikTok cancelled it)."""
        ...

    async def fulfilments(self, ref: StoreOrderRef) -> list[Fulfilment]:
        """Shipments the merchant made for this order, with carrier and tracking."""
        ...

    async def fulfil_order(self, ref: StoreOrderRef, fulfilment: Fulfilment) -> Fulfilment:
        """Record a shipment in the store (used by the demo and tests to act as the merchant)."""
        ...

    async def carrier_names(self) -> list[str]:
        """Carrier names this store uses, for carrier mapping."""
        ...

    async def aclose(self) -> None:
        """Close the HTTP client."""
        ...


@runtime_checkable
class MarketplacePort(Protocol):
    """One TikTok shop connection, in domain terms. Product bodies are built by the listing flow."""

    async def categories(self) -> list[MarketplaceCategory]:
        """The shop's category tree (its region's version)."""
        ...

    async def category_rules(self, category_id: str) -> CategoryRules: ...

    async def attributes(self, category_id: str) -> list[MarketplaceAttribute]: ...

    async def recommend_category(self, title: str, description: str = "") -> str | None:
        """TikTok's suggested leaf category id for a title, if it has one."""
        ...

    async def upload_image(self, url: str, data: bytes | None = None) -> UploadedImage:
        """Re-host an image on TikTok (fetches `url` when `data` is None)."""
        ...

    async def create_product(self, body: dict[str, object]) -> CreatedProduct:
        """Create a product from a TikTok product body built by the listing flow."""
        ...

    async def edit_product(self, product_id: str, body: dict[str, object]) -> None:
        """Replace a product (re-submits it for review, e.g. after a failed review was fixed)."""
        ...

    async def get_product(self, product_id: str) -> MarketplaceProduct | None: ...

    async def warehouse_id(self) -> str:
        """The shop's default sales warehouse."""
        ...

    def products(self, *, seller_skus: Sequence[str] | None = None) -> AsyncIterator[MarketplaceProduct]:
        """Every product in the shop (or those with these seller SKUs), streamed across pages."""
        ...

    async def update_price(self, product_id: str, prices: Mapping[str, str]) -> None:
        """Set prices (sku id → amount as a decimal string) of several SKUs of one product in one call."""
        ...

    async def update_inventory(self, product_id: str, stock: Mapping[str, int], warehouse_id: str) -> None:
        """Set stock (sku id → quantity) of several SKUs of one product in one call."""
        ...

    async def deactivate(self, product_ids: Sequence[str]) -> None: ...

    def orders(self, *, updated_since: datetime | None = None, status: str | None = None
               ) -> AsyncIterator[MarketplaceOrder]:
        """Orders updated since a time (for polling), streamed across pages."""
        ...

    async def get_orders(self, order_ids: Sequence[str]) -> list[MarketplaceOrder]: ...

    async def shipping_providers(self) -> list[ShippingProvider]: ...

    async def ship(self, order_id: str, package_id: str, provider_id: str, tracking_number: str, *,
                   line_item_ids: Sequence[str] | None = None) -> None:
        """Mark a package shipped with a carrier and tracking number; with `line_item_ids`, ship only those
        line items (TikTok splits them into their own package)."""
        ...

    async def after_sales(self, *, updated_since: datetime | None = None) -> list[AfterSaleRecord]:
        """Cancellations, returns and refunds updated since a time."""
        ...

    async def register_webhooks(self, callback_url: str, event_types: Sequence[str]) -> None: ...

    async def aclose(self) -> None: ...
