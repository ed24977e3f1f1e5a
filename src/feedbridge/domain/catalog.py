"""The store catalog in domain terms: what every store adapter produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class ProductStatus(StrEnum):
    ACTIVE = "active"
    DRAFT = "draft"
    ARCHIVED = "archived"


class WeightUnit(StrEnum):
    GRAM = "g"
    KILOGRAM = "kg"
    POUND = "lb"
    OUNCE = "oz"


GRAMS_PER = {WeightUnit.GRAM: Decimal(1), WeightUnit.KILOGRAM: Decimal(1000),
             WeightUnit.POUND: Decimal("453.59237"), WeightUnit.OUNCE: Decimal("28.349523125")}


def to_grams(value: Decimal, unit: WeightUnit | str) -> Decimal:
    """Convert a weight to grams."""
    return value * GRAMS_PER[WeightUnit(unit)]


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What the store says about itself."""

    name: str
    currency: str
    weight_unit: WeightUnit = WeightUnit.KILOGRAM
    timezone: str = "UTC"
    domain: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """A place stock is held (Shopify location, BigCommerce location, Magento source)."""

    id: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class StoreCategory:
    """A store category or collection; `path` is the names from the root, e.g. ("Clothing", "Tshirts")."""

    id: str
    name: str
    parent_id: str | None = None
    path: tuple[str, ...] = ()


@dataclass(slots=True)
class Variant:
    """One sellable SKU of a product.

    `stock` maps location id → available quantity. `salable`, when set, is what the store says it can still
    sell across locations (Magento's salable quantity) and caps what we publish.
    """

    id: str
    product_id: str
    sku: str
    price: Decimal
    title: str = ""
    barcode: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    compare_at_price: Decimal | None = None
    weight: Decimal | None = None
    weight_unit: WeightUnit = WeightUnit.KILOGRAM
    image_url: str | None = None
    stock: dict[str, int] = field(default_factory=dict)
    salable: int | None = None
    inventory_tracked: bool = True
    continue_selling: bool = False
    updated_at: datetime | None = None

    @property
    def total_stock(self) -> int:
        """Stock summed over all locations."""
        return sum(self.stock.values())


@dataclass(slots=True)
class Product:
    """A store product with its variants. A product without options has exactly one variant."""

    id: str
    title: str
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    handle: str = ""
    status: ProductStatus = ProductStatus.ACTIVE
    category_ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    option_names: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    updated_at: datetime | None = None


class ChangeKind(StrEnum):
    PRODUCT_UPDATED = "product_updated"
    PRODUCT_DELETED = "product_deleted"
    INVENTORY_UPDATED = "inventory_updated"
    ORDER_UPDATED = "order_updated"
    FULFILMENT_CREATED = "fulfilment_created"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """Something changed in the store; the sync engine re-reads the object it names."""

    kind: ChangeKind
    object_id: str
    variant_id: str | None = None
    occurred_at: datetime | None = None
    event_id: str | None = None
