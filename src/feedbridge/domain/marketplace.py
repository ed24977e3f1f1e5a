"""TikTok Shop's side in domain terms: categories, attributes, products, orders, after-sales, providers.

The TikTok adapter turns TikTok payloads into these; the sync engine only sees these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from feedbridge.domain.orders import Address

# TikTok order statuses (order_status), in lifecycle order.
UNPAID, ON_HOLD, AWAITING_SHIPMENT, PARTIALLY_SHIPPING, AWAITING_COLLECTION = (
    "UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION")
IN_TRANSIT, DELIVERED, COMPLETED, CANCELLED = "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"
SHIPPED_STATUSES = {AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, COMPLETED}
CREATABLE_STATUSES = {AWAITING_SHIPMENT, PARTIALLY_SHIPPING, *SHIPPED_STATUSES}


@dataclass(frozen=True, slots=True)
class MarketplaceCategory:
    id: str
    parent_id: str
    name: str
    is_leaf: bool


@dataclass(frozen=True, slots=True)
class AttributeValue:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class MarketplaceAttribute:
    """A TikTok category attribute; `sales` ones define SKUs (colour, size), the others describe the product."""

    id: str
    name: str
    sales: bool
    required: bool
    values: tuple[AttributeValue, ...] = ()
    customizable: bool = True
    multiple: bool = False


@dataclass(frozen=True, slots=True)
class CategoryRules:
    """What a category requires besides attributes."""

    package_dimensions_required: bool = True
    size_chart_required: bool = False
    certifications: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UploadedImage:
    uri: str
    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MarketplaceSku:
    id: str
    seller_sku: str
    price: Decimal | None = None
    stock: int | None = None
    warehouse_id: str = ""


@dataclass(slots=True)
class MarketplaceProduct:
    """A product on TikTok with its status and, when review failed, TikTok's reasons."""

    id: str
    title: str
    status: str
    skus: list[MarketplaceSku] = field(default_factory=list)
    category_id: str = ""
    audit_failed_reasons: list[dict[str, object]] = field(default_factory=list)
    update_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreatedProduct:
    product_id: str
    sku_ids: dict[str, str]  # seller_sku → TikTok sku id


@dataclass(frozen=True, slots=True)
class MarketplaceOrderLine:
    """One line item (TikTok has one line per unit; the engine groups them by SKU)."""

    id: str
    sku_id: str
    seller_sku: str
    product_id: str
    title: str
    sale_price: Decimal
    original_price: Decimal
    seller_discount: Decimal = Decimal(0)
    platform_discount: Decimal = Decimal(0)
    quantity: int = 1
    package_id: str = ""


@dataclass(slots=True)
class MarketplaceOrder:
    id: str
    status: str
    currency: str
    lines: list[MarketplaceOrderLine]
    on_hold: bool = False
    subtotal: Decimal = Decimal(0)
    shipping_fee: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    seller_discount: Decimal = Decimal(0)
    platform_discount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    recipient: Address = field(default_factory=Address)
    buyer_email: str = ""
    buyer_message: str = ""
    package_ids: list[str] = field(default_factory=list)
    cancel_reason: str = ""
    fulfilled_by_tiktok: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ShippingProvider:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AfterSaleRecord:
    """A cancellation, return or refund as TikTok reports it."""

    kind: str  # "cancellation" | "return" | "refund"
    id: str
    order_id: str
    status: str
    reason: str = ""
    amount: Decimal | None = None
    currency: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarketplaceEvent:
    """A verified TikTok webhook in domain terms."""

    id: str
    kind: str  # order_status | product_status | cancellation | return | deauthorized | authorization_expiring | other
    shop_id: str
    object_id: str = ""
    status: str = ""
    raw_type: int = 0
