"""WooCommerce sandbox routes for the WordPress index, settings, products, variations and categories."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from feedbridge_sandbox.woocommerce.plumbing import (
    WooApiBase,
    int_list,
)
from feedbridge_sandbox.woocommerce.store import (
    CURRENCY,
    STORE_NAME,
    ApiError,
)


class CatalogRoutes(WooApiBase):
    """Catalog handlers."""

    # ---- WordPress and settings --------------------------------------------------------------------------

    async def wp_index(self, request: Request) -> dict[str, Any]:
        """GET /wp-json/ (the WordPress index)."""
        return {"name": STORE_NAME, "description": "A WooCommerce store simulated by feedbridge",
                "url": self.store.home, "home": self.store.home, "gmt_offset": "0", "timezone_string": "UTC",
                "namespaces": ["wp/v2", "wc/v3", "wc-shipment-tracking/v3"], "authentication": {},
                "site_logo": 0, "site_icon": 0, "site_icon_url": "", "_links": {}}

    async def settings(self, request: Request) -> list[dict[str, Any]]:
        """GET /settings/{group}."""
        group = request.path_params["group"]
        values = {
            "general": {"woocommerce_currency": CURRENCY, "woocommerce_default_country": "US:TX",
                        "woocommerce_price_num_decimals": "2", "woocommerce_store_city": "Austin"},
            "products": {"woocommerce_weight_unit": "lbs", "woocommerce_dimension_unit": "in",
                         "woocommerce_manage_stock": "yes"},
        }.get(group)
        if values is None:
            raise ApiError(404, "rest_setting_setting_group_invalid", "Invalid setting group.")
        return [{"id": k, "label": k, "description": "", "type": "text", "default": "", "value": v,
                 "_links": {"self": [{"href": self.store.link(f"settings/{group}/{k}")}]}} for k, v in values.items()]

    # ---- products ---------------------------------------------------------------------------------------

    async def list_products(self, request: Request) -> Response:
        """GET /products with WooCommerce's filters."""
        q = request.query_params
        items = [self.store.product_json(p) for p in self.store.products.values()]
        status = q.get("status", "any")
        items = [i for i in items if i["status"] != "trash"] if status == "any" else \
            [i for i in items if i["status"] == status]
        for arg in ("type", "sku"):
            if arg in q:
                wanted = set(q[arg].split(",")) if arg == "sku" else {q[arg]}
                items = [i for i in items if i[arg] in wanted]
        if "search" in q:
            term = q["search"].lower()
            items = [i for i in items if term in i["name"].lower() or term in i["description"].lower()]
        if "category" in q:
            cid = int(q["category"])
            items = [i for i in items if any(c["id"] == cid for c in i["categories"])]
        if "include" in q:
            ids = int_list(q["include"])
            items = [i for i in items if i["id"] in ids]
        if "exclude" in q:
            ids = int_list(q["exclude"])
            items = [i for i in items if i["id"] not in ids]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified", "price",
                                                "popularity", "rating", "menu_order"))
        return self.page(request, items)

    async def create_product(self, request: Request) -> Response:
        """POST /products."""
        record = self.store.create_product(await self.body(request))
        return JSONResponse(self.store.product_json(record), status_code=201)

    async def get_product(self, request: Request) -> dict[str, Any]:
        """GET /products/{id}."""
        pid = request.path_params["id"]
        if pid in self.store.variations:  # GET /products/{variation id} answers with the variation
            return self.store.variation_as_product_json(self.store.variations[pid])
        return self.store.product_json(self.store.get_product(pid))

    async def update_product(self, request: Request) -> dict[str, Any]:
        """PUT /products/{id}."""
        return self.store.product_json(self.store.update_product(request.path_params["id"], await self.body(request)))

    async def delete_product(self, request: Request) -> dict[str, Any]:
        """Without force=true a product goes to the trash (still readable, status "trash"), as in WordPress."""
        pid = request.path_params["id"]
        if request.query_params.get("force") in ("true", "1"):
            return self.store.product_json(self.store.delete_product(pid))
        record = self.store.get_product(pid)
        if record["status"] == "trash":
            raise ApiError(410, "woocommerce_rest_already_trashed", "The product has already been deleted.")
        record["status"] = "trash"
        self.store.stamp(record)
        self.store.emit("product.deleted", "deleted", pid)
        return self.store.product_json(record)

    async def list_variations(self, request: Request) -> Response:
        """GET /products/{id}/variations."""
        pid = request.path_params["product_id"]
        product = self.store.get_product(pid)
        items = [self.store.variation_json(self.store.variations[v]) for v in product["variations"]
                 if v in self.store.variations]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified", "menu_order"))
        return self.page(request, items)

    async def create_variation(self, request: Request) -> Response:
        """POST /products/{id}/variations."""
        record = self.store.create_variation(request.path_params["product_id"], await self.body(request))
        return JSONResponse(self.store.variation_json(record), status_code=201)

    async def get_variation(self, request: Request) -> dict[str, Any]:
        """GET /products/{id}/variations/{id}."""
        return self.store.variation_json(self.store.get_variation(request.path_params["product_id"],
                                                                  request.path_params["id"]))

    async def update_variation(self, request: Request) -> dict[str, Any]:
        """PUT /products/{id}/variations/{id}."""
        record = self.store.update_variation(request.path_params["product_id"], request.path_params["id"],
                                             await self.body(request))
        return self.store.variation_json(record)

    # ---- categories -------------------------------------------------------------------------------------

    async def list_categories(self, request: Request) -> Response:
        """GET /products/categories."""
        items = [self.store.category_json(c) for c in self.store.categories.values()]
        q = request.query_params
        if "parent" in q:
            items = [i for i in items if i["parent"] == int(q["parent"])]
        if q.get("hide_empty") in ("true", "1"):
            items = [i for i in items if i["count"]]
        items.sort(key=lambda c: (c["name"], c["id"]) if q.get("orderby", "name") == "name" else c["id"],
                   reverse=q.get("order", "asc") == "desc")
        return self.page(request, items)

    async def create_category(self, request: Request) -> Response:
        """POST /products/categories."""
        return JSONResponse(self.store.category_json(self.store.create_category(await self.body(request))),
                            status_code=201)

    async def get_category(self, request: Request) -> dict[str, Any]:
        """GET /products/categories/{id}."""
        cid = request.path_params["id"]
        if cid not in self.store.categories:
            raise ApiError(404, "woocommerce_rest_term_invalid", "Resource does not exist.")
        return self.store.category_json(self.store.categories[cid])
