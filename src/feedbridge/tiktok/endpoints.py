"""The TikTok Shop endpoints feedbridge calls: method, versioned path, and whether `shop_cipher` is sent.

`cipher` follows the per-endpoint query tables (specs/tiktok/tiktok-shop-endpoints.json): "required" and
"optional" endpoints get the shop's cipher (so a token covering several shops reaches the right one); "none"
endpoints must not carry it (TikTok answers 36009004 "Unexpected identifier").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CipherRule = Literal["required", "optional", "none"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API operation; `path` may hold `{name}` placeholders."""

    method: str
    path: str
    cipher: CipherRule = "required"

    @property
    def key(self) -> str:
        """Method and path template, e.g. "GET /product/202309/products/{product_id}" (rate-limit key)."""
        return f"{self.method} {self.path}"

    @property
    def sends_cipher(self) -> bool:
        return self.cipher != "none"


E = Endpoint

AUTHORIZED_SHOPS = E("GET", "/authorization/202309/shops", "none")

CATEGORIES = E("GET", "/product/202309/categories")
CATEGORY_RULES = E("GET", "/product/202309/categories/{category_id}/rules")
ATTRIBUTES = E("GET", "/product/202309/categories/{category_id}/attributes")
RECOMMEND_CATEGORY = E("POST", "/product/202309/categories/recommend", "optional")
BRANDS = E("GET", "/product/202309/brands")
PREREQUISITES = E("GET", "/product/202312/prerequisites")
UPLOAD_IMAGE = E("POST", "/product/202309/images/upload", "none")

CREATE_PRODUCT = E("POST", "/product/202309/products")
EDIT_PRODUCT = E("PUT", "/product/202509/products/{product_id}")
PARTIAL_EDIT_PRODUCT = E("POST", "/product/202509/products/{product_id}/partial_edit")
UPDATE_PRICE = E("POST", "/product/202309/products/{product_id}/prices/update")
UPDATE_INVENTORY = E("POST", "/product/202309/products/{product_id}/inventory/update", "optional")
SEARCH_INVENTORY = E("POST", "/product/202309/inventory/search")
SEARCH_PRODUCTS = E("POST", "/product/202502/products/search")
GET_PRODUCT = E("GET", "/product/202309/products/{product_id}")
ACTIVATE_PRODUCTS = E("POST", "/product/202309/products/activate")
DEACTIVATE_PRODUCTS = E("POST", "/product/202309/products/deactivate")
DELETE_PRODUCTS = E("DELETE", "/product/202309/products")

SEARCH_ORDERS = E("POST", "/order/202309/orders/search")
ORDER_DETAIL = E("GET", "/order/202507/orders")

WAREHOUSES = E("GET", "/logistics/202309/warehouses")
DELIVERY_OPTIONS = E("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options")
SHIPPING_PROVIDERS = E("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")

SEARCH_PACKAGES = E("POST", "/fulfillment/202309/packages/search", "optional")
PACKAGE_DETAIL = E("GET", "/fulfillment/202309/packages/{package_id}", "optional")
SHIP_PACKAGE = E("POST", "/fulfillment/202309/packages/{package_id}/ship")
UPDATE_PACKAGE_SHIPPING_INFO = E("POST", "/fulfillment/202309/packages/{package_id}/shipping_info/update")
UPDATE_ORDER_SHIPPING_INFO = E("POST", "/fulfillment/202309/orders/{order_id}/shipping_info/update")
MARK_PACKAGE_SHIPPED = E("POST", "/fulfillment/202309/orders/{order_id}/packages")

SEARCH_CANCELLATIONS = E("POST", "/return_refund/202309/cancellations/search")
SEARCH_RETURNS = E("POST", "/return_refund/202309/returns/search")

GET_WEBHOOKS = E("GET", "/event/202309/webhooks")
UPDATE_WEBHOOK = E("PUT", "/event/202309/webhooks")
DELETE_WEBHOOK = E("DELETE", "/event/202309/webhooks")

ALL: tuple[Endpoint, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Endpoint))
