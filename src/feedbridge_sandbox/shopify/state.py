"""The sandbox shop's data: products, variants, inventory, locations, orders, fulfilments, webhooks.

Objects carry GraphQL-ish attribute names so graphql-core's default lookup resolves plain fields; fields with
arguments or computed values have resolvers in `resolvers.py`.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from feedbridge_sandbox.core import Clock


def gid(kind: str, number: int) -> str:
    """Shopify's global id for an object."""
    return f"gid://shopify/{kind}/{number}"


def gid_number(value: str) -> int | None:
    """The numeric tail of a gid (or a bare number); None when it is neither."""
    tail = str(value).split("?")[0].rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def iso(moment: datetime) -> str:
    """Shopify's DateTime format: UTC, whole seconds, Z suffix."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Location:
    typename = "Location"
    number: int
    name: str
    isActive: bool = True
    fulfillsOnlineOrders: bool = True

    @property
    def id(self) -> str:
        return gid("Location", self.number)


@dataclass
class Variant:
    typename = "ProductVariant"
    number: int
    product_number: int
    inventory_item_number: int
    title: str
    price: Decimal
    sku: str | None = None
    barcode: str | None = None
    compareAtPrice: Decimal | None = None
    inventoryPolicy: str = "DENY"
    taxable: bool = True
    position: int = 1
    options: list[tuple[str, str]] = field(default_factory=list)
    tracked: bool = True
    requires_shipping: bool = True
    weight: float = 0.0
    weight_unit: str = "KILOGRAMS"
    image_url: str | None = None
    # location number -> available quantity; a key exists when the item is stocked there.
    levels: dict[int, int] = field(default_factory=dict)
    level_updated: dict[int, datetime] = field(default_factory=dict)
    createdAt: datetime | None = None
    updatedAt: datetime | None = None

    @property
    def id(self) -> str:
        return gid("ProductVariant", self.number)


@dataclass
class Product:
    typename = "Product"
    number: int
    title: str
    handle: str
    descriptionHtml: str = ""
    vendor: str = ""
    productType: str = ""
    status: str = "ACTIVE"
    tags: list[str] = field(default_factory=list)
    option_names: list[str] = field(default_factory=list)
    option_values: dict[str, list[str]] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    collection_numbers: list[int] = field(default_factory=list)
    createdAt: datetime | None = None
    updatedAt: datetime | None = None

    @property
    def id(self) -> str:
        return gid("Product", self.number)


@dataclass
class Collection:
    typename = "Collection"
    number: int
    title: str
    handle: str
    updatedAt: datetime | None = None

    @property
    def id(self) -> str:
        return gid("Collection", self.number)


@dataclass
class LineItem:
    typename = "LineItem"
    number: int
    title: str
    quantity: int
    price: Decimal
    sku: str | None
    variant_number: int | None
    product_number: int | None
    variant_title: str | None = None
    fulfilled: int = 0
    tax_lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return gid("LineItem", self.number)


@dataclass
class FulfillmentOrder:
    typename = "FulfillmentOrder"
    number: int
    order_number: int
    location_number: int
    # (fulfillment-order line item number, line item)
    lines: list[tuple[int, LineItem]] = field(default_factory=list)
    status: str = "OPEN"
    fulfillAt: datetime | None = None
    updatedAt: datetime | None = None

    @property
    def id(self) -> str:
        return gid("FulfillmentOrder", self.number)


@dataclass
class Fulfillment:
    typename = "Fulfillment"
    number: int
    order_number: int
    location_number: int
    company: str | None
    numbers: list[str]
    urls: list[str]
    lines: list[tuple[LineItem, int]]
    createdAt: datetime
    status: str = "SUCCESS"

    @property
    def id(self) -> str:
        return gid("Fulfillment", self.number)


@dataclass
class Order:
    typename = "Order"
    number: int
    name: str
    order_number: int
    currency: str
    line_items: list[LineItem]
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    sourceIdentifier: str | None = None
    sourceName: str | None = None
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    shipping_lines: list[dict[str, Any]] = field(default_factory=list)
    tax_lines: list[dict[str, Any]] = field(default_factory=list)
    discount: Decimal = Decimal(0)
    discount_codes: list[str] = field(default_factory=list)
    financial_status: str = "PAID"
    transactions: list[dict[str, Any]] = field(default_factory=list)
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    closedAt: datetime | None = None
    cancelledAt: datetime | None = None
    cancelReason: str | None = None
    test: bool = False
    inventory_decremented: bool = False
    processedAt: datetime | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None

    @property
    def id(self) -> str:
        return gid("Order", self.number)

    @property
    def closed(self) -> bool:
        return self.closedAt is not None

    @property
    def subtotal(self) -> Decimal:
        return sum((li.price * li.quantity for li in self.line_items), Decimal(0))

    @property
    def shipping_total(self) -> Decimal:
        return sum((Decimal(str(s["amount"])) for s in self.shipping_lines), Decimal(0))

    @property
    def tax_total(self) -> Decimal:
        return sum((Decimal(str(t["amount"])) for t in self.tax_lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_total + self.tax_total - self.discount

    @property
    def fulfillment_status(self) -> str:
        ordered = sum(li.quantity for li in self.line_items)
        shipped = sum(li.fulfilled for li in self.line_items)
        if shipped == 0:
            return "UNFULFILLED"
        return "FULFILLED" if shipped >= ordered else "PARTIALLY_FULFILLED"


@dataclass
class WebhookSubscription:
    typename = "WebhookSubscription"
    number: int
    topic: str
    uri: str
    createdAt: datetime
    updatedAt: datetime
    format: str = "JSON"
    apiVersion: str = "2026-04"

    @property
    def id(self) -> str:
        return gid("WebhookSubscription", self.number)


class ShopState:
    """Everything one sandbox shop holds. One lock guards all writes (resolvers run on one loop anyway)."""

    def __init__(self, clock: Clock, *, name: str = "feedbridge sandbox", currency: str = "USD") -> None:
        self.clock = clock
        self.name = name
        self.currency = currency
        self.domain = "feedbridge-sandbox.myshopify.com"
        self.lock = threading.RLock()
        self._ids = itertools.count(8_100_000_000_001)
        self.order_numbers = itertools.count(1001)
        self.locations: dict[int, Location] = {}
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.inventory_items: dict[int, Variant] = {}
        self.collections: dict[int, Collection] = {}
        self.orders: dict[int, Order] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
        self.fulfillments: dict[int, Fulfillment] = {}
        self.webhooks: dict[int, WebhookSubscription] = {}
        self.idempotency: dict[str, Any] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        return self.clock.utcnow().replace(microsecond=0)

    def add_location(self, name: str) -> Location:
        location = Location(self.next_id(), name)
        self.locations[location.number] = location
        return location

    def summary(self) -> dict[str, int]:
        return {"products": len(self.products), "variants": len(self.variants), "orders": len(self.orders),
                "locations": len(self.locations), "webhook_subscriptions": len(self.webhooks)}
