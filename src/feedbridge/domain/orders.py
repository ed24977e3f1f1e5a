"""Orders in domain terms: the draft we create in a store, and what the store reports back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class StoreOrderStatus(StrEnum):
    """The store-side order states feedbridge sets or reads."""

    PENDING = "pending"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Address:
    name: str = ""
    phone: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country_code: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One SKU and how many; `unit_price` is what the buyer paid per unit, after seller discounts."""

    store_product_id: str
    store_variant_id: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    original_price: Decimal | None = None
    tiktok_sku_id: str = ""


@dataclass(slots=True)
class OrderDraft:
    """A TikTok order as it should appear in the store. `tiktok_order_id` is the idempotency key."""

    tiktok_order_id: str
    currency: str
    lines: list[OrderLine]
    subtotal: Decimal
    shipping: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    seller_discount: Decimal = Decimal(0)
    platform_discount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    email: str = ""
    shipping_address: Address = field(default_factory=Address)
    buyer_message: str = ""
    note: str = ""
    tags: list[str] = field(default_factory=lambda: ["TikTok Shop"])
    order_name: str | None = None
    still_cancellable: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoreOrderRef:
    """An order that exists in the store."""

    id: str
    number: str
    tiktok_order_id: str
    status: StoreOrderStatus = StoreOrderStatus.PENDING


@dataclass(frozen=True, slots=True)
class FulfilmentLine:
    store_variant_id: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """A shipment the merchant made in the store: carrier as the store names it, tracking, items."""

    id: str
    carrier: str
    tracking_number: str
    lines: tuple[FulfilmentLine, ...] = ()
    tracking_url: str = ""
    created_at: datetime | None = None
