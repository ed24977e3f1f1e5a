"""The BigCommerce sandbox's store: catalog, inventory by location, channels, hooks, v2 orders and shipments.

Everything lives in memory, keyed by BigCommerce-style integer ids. Rendering to API shapes is in `shapes.py`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from feedbridge_sandbox.core import Clock


class ApiError(Exception):
    """An error answer: HTTP status, title, and per-field errors (v3 shape; v2 uses the title as message)."""

    def __init__(self, status: int, title: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = errors or {}


@dataclass
class StoreState:
    """All data of one sandbox store."""

    clock: Clock
    store_name: str = "feedbridge BigCommerce sandbox"
    currency: str = "USD"
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    variants: dict[int, dict[str, Any]] = field(default_factory=dict)
    options: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    images: dict[int, dict[str, Any]] = field(default_factory=dict)
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    locations: dict[int, dict[str, Any]] = field(default_factory=dict)
    stock: dict[tuple[int, int], int] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    hooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    order_products: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    order_addresses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    shipments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    order_stock: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # (variant, location, qty)
    _ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def next_id(self, kind: str) -> int:
        """A fresh id for `kind` (products start at 111 like a store that has seen some use)."""
        if kind not in self._ids:
            self._ids[kind] = itertools.count({"product": 111, "order": 100, "variant": 200}.get(kind, 1))
        return next(self._ids[kind])

    def reset(self) -> None:
        """Back to an empty store with its default location, second warehouse and storefront channel."""
        for table in (self.products, self.variants, self.options, self.images, self.categories, self.locations,
                      self.stock, self.channels, self.hooks, self.orders, self.order_products,
                      self.order_addresses, self.shipments, self.order_stock):
            table.clear()
        self._ids.clear()
        now = self.now_iso()
        for code, label in (("BC-LOCATION-1", "Default location"), ("WAREHOUSE-EAST", "East warehouse")):
            lid = self.next_id("location")
            self.locations[lid] = {
                "id": lid, "code": code, "label": label, "managed_by_external_source": False,
                "type_id": "PHYSICAL", "enabled": True, "storefront_visibility": True, "time_zone": "Etc/UTC",
                "created_at": now, "updated_at": now,
                "address": {"address1": "1 Commerce Way", "address2": "", "city": "Austin", "state": "TX",
                            "zip": "78701", "email": "store@example.com", "phone": "5550100",
                            "country_code": "US"},
            }
        cid = self.next_id("channel")
        self.channels[cid] = {"id": cid, "name": "Storefront", "type": "storefront", "platform": "bigcommerce",
                              "status": "active", "external_id": "", "is_listable_from_ui": True,
                              "is_enabled": True, "is_visible": True, "date_created": now,
                              "date_modified": now, "icon_url": "https://example.com/icon.svg"}

    def now_iso(self) -> str:
        """Now as v3 writes times (ISO 8601 with offset, whole seconds)."""
        return self.clock.utcnow().replace(microsecond=0).isoformat()

    def now_rfc(self) -> str:
        """Now as v2 writes times (RFC 2822)."""
        return self.clock.utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")

    def product(self, product_id: int) -> dict[str, Any]:
        found = self.products.get(product_id)
        if found is None:
            raise ApiError(404, "The requested product was not found.")
        return found

    def product_variants(self, product_id: int) -> list[dict[str, Any]]:
        return sorted((v for v in self.variants.values() if v["product_id"] == product_id), key=lambda v: v["id"])

    def variant_stock(self, variant_id: int) -> int:
        return sum(q for (vid, _), q in self.stock.items() if vid == variant_id)

    def sku_taken(self, sku: str, except_variant: int | None = None) -> bool:
        return bool(sku) and any(v["sku"] == sku and v["id"] != except_variant for v in self.variants.values())

    def touch(self, product_id: int) -> None:
        """Mark a product modified now (date_modified drives polling)."""
        self.products[product_id]["date_modified"] = self.now_iso()
