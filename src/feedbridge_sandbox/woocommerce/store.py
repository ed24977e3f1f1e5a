"""The WooCommerce sandbox's data: products, variations, categories, orders, notes, webhooks, trackings.

Records are kept in the wc/v3 response shape (the keys a real store returns, see specs/woocommerce/fixtures) so
that serialising is a copy plus computed fields. Times come from the sandbox clock; the store time zone is UTC,
so `date_x` and `date_x_gmt` are equal.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from feedbridge_sandbox.core import Clock

CURRENCY = "USD"
STORE_NAME = "Feedbridge Woo Sandbox"
# Providers the Shipment Tracking extension knows for the United States (a subset of its list).
TRACKING_PROVIDERS = {
    "United States": {
        "Fedex": "https://www.fedex.com/apps/fedextrack/?action=track&tracknumbers=%1$s",
        "FedEx Sameday": "https://www.fedexsameday.com/fdx_dotracking_ua.aspx?tracknum=%1$s",
        "OnTrac": "https://www.ontrac.com/trackingdetail.asp?tracking=%1$s",
        "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
        "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
        "DHL US": "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s",
    },
}


class ApiError(Exception):
    """An error answered in WooCommerce's envelope: {"code", "message", "data": {"status"}}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def wc_time(moment: datetime) -> str:
    """WooCommerce's date format: ISO 8601 to the second, without a zone."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def money(value: Any) -> str:
    """A price as WooCommerce stores it: a string, '' when unset."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): price {value!r} is not a number.") from exc
    text = format(amount.normalize(), "f")
    return text


def slugify(text: str) -> str:
    """A URL slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Webhook:
    """A webhook subscription and its delivery record."""
    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    status: str
    created: datetime
    modified: datetime
    failure_count: int = 0
    deliveries: list[dict[str, Any]] = field(default_factory=list)


class WooStore:
    """All data of one sandbox store."""

    def __init__(self, clock: Clock, home: str = "http://localhost") -> None:
        self.clock = clock
        self.home = home
        self.reset()

    def reset(self) -> None:
        """Empty the store."""
        self.ids = itertools.count(100)
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[str, Any]] = {}  # variation id -> record (has "_parent")
        self.categories: dict[int, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.trackings: dict[int, list[dict[str, Any]]] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.deleted_products: set[int] = set()
        self.pending: list[tuple[str, str, int]] = []  # (topic, kind, id) waiting for webhook delivery
        uncategorized = self._new_category("Uncategorized", 0)
        self.categories[uncategorized["id"]] = uncategorized

    def next_id(self) -> int:
        """The next post id."""
        return next(self.ids)

    def emit(self, topic: str, kind: str, object_id: int) -> None:
        """Queue a webhook topic for a changed record; the app sends them once the request is handled."""
        if (topic, kind, object_id) not in self.pending:
            self.pending.append((topic, kind, object_id))

    def now(self) -> datetime:
        """Sandbox time to the second."""
        return self.clock.utcnow().replace(microsecond=0)

    def stamp(self, record: dict[str, Any], *, created: bool = False) -> None:
        """Set modified (and created) times."""
        text = wc_time(self.now())
        if created:
            record["date_created"] = record["date_created_gmt"] = text
        record["date_modified"] = record["date_modified_gmt"] = text

    def link(self, path: str) -> str:
        """A wc/v3 URL for _links."""
        return f"{self.home}/wp-json/wc/v3/{path}"

    # ---- categories -------------------------------------------------------------------------------------

    def _new_category(self, name: str, parent: int) -> dict[str, Any]:
        cid = self.next_id()
        return {"id": cid, "name": name, "slug": slugify(name) or str(cid), "parent": parent, "description": "",
                "display": "default", "image": None, "menu_order": 0, "count": 0}

    def create_category(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a category (names are unique per parent)."""
        name = str(data.get("name") or "").strip()
        if not name:
            raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): name")
        parent = int(data.get("parent") or 0)
        if parent and parent not in self.categories:
            raise ApiError(400, "woocommerce_rest_term_invalid", "Parent resource does not exist.")
        slug = slugify(name)
        for cat in self.categories.values():
            if cat["slug"] == slug and cat["parent"] == parent:
                raise ApiError(400, "term_exists", "A term with the name provided already exists with this parent.")
        cat = self._new_category(name, parent)
        self.categories[cat["id"]] = cat
        return cat

    def category_json(self, cat: dict[str, Any]) -> dict[str, Any]:
        """A category as wc/v3 returns it."""
        out = dict(cat)
        out["count"] = sum(1 for p in self.products.values()
                           if any(c["id"] == cat["id"] for c in p["categories"]))
        out["_links"] = {"self": [{"href": self.link(f"products/categories/{cat['id']}")}],
                         "collection": [{"href": self.link("products/categories")}]}
        return out

    # ---- products ---------------------------------------------------------------------------------------

    def _stock_fields(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        if "manage_stock" in data:
            record["manage_stock"] = data["manage_stock"] if data["manage_stock"] == "parent" else bool(
                data["manage_stock"])
        if "stock_quantity" in data and data["stock_quantity"] is not None:
            try:
                record["stock_quantity"] = int(data["stock_quantity"])
            except (TypeError, ValueError) as exc:
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): stock_quantity") from exc
        if "backorders" in data:
            if data["backorders"] not in ("no", "notify", "yes"):
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): backorders")
            record["backorders"] = data["backorders"]
        if "stock_status" in data:
            if data["stock_status"] not in ("instock", "outofstock", "onbackorder"):
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): stock_status")
            record["stock_status"] = data["stock_status"]
        if "in_stock" in data:  # the older boolean argument (still accepted by the index's routes)
            record["stock_status"] = "instock" if data["in_stock"] else "outofstock"
        if record.get("manage_stock") is True:
            qty = record.get("stock_quantity") or 0
            record["stock_quantity"] = qty
            if qty > 0:
                record["stock_status"] = "instock"
            else:
                record["stock_status"] = "onbackorder" if record["backorders"] != "no" else "outofstock"
        elif record.get("manage_stock") is False:
            record["stock_quantity"] = None
        record["backorders_allowed"] = record["backorders"] != "no"
        record["backordered"] = False

    def _price_fields(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        for key in ("regular_price", "sale_price"):
            if key in data:
                record[key] = money(data[key])
        regular, sale = record["regular_price"], record["sale_price"]
        if sale and regular and Decimal(sale) >= Decimal(regular):
            # WooCommerce keeps the sale price but a sale at or above the regular price is not "on sale".
            record["on_sale"] = False
            record["price"] = regular
        else:
            record["on_sale"] = bool(sale)
            record["price"] = sale or regular

    def _images(self, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        images = []
        for position, image in enumerate(data or []):
            src = str(image.get("src") or "")
            if not src:
                raise ApiError(400, "woocommerce_product_invalid_image_id", "Images need an id or a src.")
            text = wc_time(self.now())
            images.append({"id": self.next_id(), "date_created": text, "date_created_gmt": text,
                           "date_modified": text, "date_modified_gmt": text, "src": src,
                           "name": src.rsplit("/", 1)[-1].rsplit(".", 1)[0], "alt": str(image.get("alt") or ""),
                           "position": position})
        return images

    def _categories(self, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in data or []:
            cid = int(item.get("id") or 0)
            if cid not in self.categories:
                raise ApiError(400, "woocommerce_rest_invalid_term", f"Category {cid} does not exist.")
            cat = self.categories[cid]
            out.append({"id": cid, "name": cat["name"], "slug": cat["slug"]})
        return out

    def _check_sku(self, sku: str, own_id: int | None) -> None:
        if not sku:
            return
        for record in itertools.chain(self.products.values(), self.variations.values()):
            if record["sku"] == sku and record["id"] != own_id:
                raise ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.")

    def create_product(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a product of any type."""
        ptype = data.get("type", "simple")
        if ptype not in ("simple", "variable", "grouped", "external"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): type")
        pid = self.next_id()
        name = str(data.get("name") or "Product")
        record: dict[str, Any] = {
            "id": pid, "name": name, "slug": slugify(name) + f"-{pid}", "permalink": f"{self.home}/product/{slugify(name)}-{pid}/",
            "date_created": "", "date_created_gmt": "", "date_modified": "", "date_modified_gmt": "",
            "type": ptype, "status": data.get("status", "publish"), "featured": bool(data.get("featured", False)),
            "catalog_visibility": data.get("catalog_visibility", "visible"),
            "description": str(data.get("description") or ""), "short_description": str(data.get("short_description") or ""),
            "sku": "", "price": "", "regular_price": "", "sale_price": "",
            "date_on_sale_from": None, "date_on_sale_from_gmt": None, "date_on_sale_to": None, "date_on_sale_to_gmt": None,
            "price_html": "", "on_sale": False, "purchasable": True, "total_sales": 0,
            "virtual": bool(data.get("virtual", False)), "downloadable": bool(data.get("downloadable", False)),
            "downloads": [], "download_limit": -1, "download_expiry": -1,
            "external_url": str(data.get("external_url") or ""), "button_text": str(data.get("button_text") or ""),
            "tax_status": data.get("tax_status", "taxable"), "tax_class": data.get("tax_class", ""),
            "manage_stock": False, "stock_quantity": None, "stock_status": "instock", "backorders": "no",
            "backorders_allowed": False, "backordered": False, "low_stock_amount": None,
            "sold_individually": bool(data.get("sold_individually", False)),
            "weight": str(data.get("weight") or ""), "dimensions": {"length": "", "width": "", "height": ""},
            "shipping_required": True, "shipping_taxable": True, "shipping_class": "", "shipping_class_id": 0,
            "reviews_allowed": True, "average_rating": "0.00", "rating_count": 0, "related_ids": [],
            "upsell_ids": [], "cross_sell_ids": [], "parent_id": 0, "purchase_note": "",
            "categories": [], "tags": [], "images": [], "attributes": [], "default_attributes": [],
            "variations": [], "grouped_products": [], "menu_order": int(data.get("menu_order") or 0),
            "meta_data": [],
        }
        if record["status"] not in ("draft", "pending", "private", "publish"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
        self._apply_product(record, data)
        self.stamp(record, created=True)
        self.products[pid] = record
        self.emit("product.created", "product", pid)
        return record

    def _apply_product(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        for key in ("name", "description", "short_description", "status", "catalog_visibility", "weight",
                    "external_url", "button_text", "tax_status", "tax_class", "menu_order"):
            if key in data:
                record[key] = data[key]
        if "sku" in data:
            self._check_sku(str(data["sku"] or ""), record["id"])
            record["sku"] = str(data["sku"] or "")
        if "dimensions" in data:
            record["dimensions"] = {k: str((data["dimensions"] or {}).get(k) or "") for k in ("length", "width", "height")}
        if "categories" in data:
            record["categories"] = self._categories(data["categories"])
        if not record["categories"]:
            uncategorized = min(self.categories)
            record["categories"] = [{"id": uncategorized, "name": "Uncategorized", "slug": "uncategorized"}]
        if "tags" in data:
            record["tags"] = [{"id": 0, "name": str(t.get("name") or ""), "slug": slugify(str(t.get("name") or ""))}
                              for t in data["tags"] or []]
        if "images" in data:
            record["images"] = self._images(data["images"])
        if "attributes" in data:
            record["attributes"] = [
                {"id": int(a.get("id") or 0), "name": str(a.get("name") or ""), "position": i,
                 "visible": bool(a.get("visible", True)), "variation": bool(a.get("variation", False)),
                 "options": [str(o) for o in a.get("options") or []]}
                for i, a in enumerate(data["attributes"] or [])]
        if "default_attributes" in data:
            record["default_attributes"] = list(data["default_attributes"] or [])
        if "grouped_products" in data:
            record["grouped_products"] = [int(x) for x in data["grouped_products"] or []]
        if "meta_data" in data:
            self._apply_meta(record, data["meta_data"])
        if record["type"] == "variable":
            # A variable product's own price is derived from its variations.
            self._stock_fields(record, {k: v for k, v in data.items() if k != "stock_quantity" or data.get("manage_stock")})
            self.refresh_variable_price(record)
        elif record["type"] == "grouped":
            record["price"] = record["regular_price"] = record["sale_price"] = ""
        else:
            self._price_fields(record, data)
            self._stock_fields(record, data)

    def _apply_meta(self, record: dict[str, Any], meta: list[dict[str, Any]]) -> None:
        for item in meta or []:
            key = str(item.get("key") or "")
            if not key:
                continue
            existing = next((m for m in record["meta_data"] if m["key"] == key), None)
            if existing is not None:
                existing["value"] = item.get("value")
            else:
                record["meta_data"].append({"id": self.next_id(), "key": key, "value": item.get("value")})

    def refresh_variable_price(self, record: dict[str, Any]) -> None:
        """A variable product's price: its cheapest variation."""
        prices = [Decimal(self.variations[v]["price"]) for v in record["variations"]
                  if v in self.variations and self.variations[v]["price"]]
        record["price"] = money(min(prices)) if prices else ""
        record["on_sale"] = any(self.variations[v]["on_sale"] for v in record["variations"] if v in self.variations)

    def update_product(self, pid: int, data: dict[str, Any]) -> dict[str, Any]:
        """Update a product."""
        record = self.get_product(pid)
        if "type" in data and data["type"] != record["type"]:
            record["type"] = data["type"]
        self._apply_product(record, data)
        self.stamp(record)
        self.emit("product.updated", "product", pid)
        return record

    def get_product(self, pid: int) -> dict[str, Any]:
        """A product or a 404 ApiError."""
        if pid not in self.products:
            raise ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return self.products[pid]

    def delete_product(self, pid: int) -> dict[str, Any]:
        """Delete a product and its variations."""
        record = self.get_product(pid)
        del self.products[pid]
        for vid in record["variations"]:
            self.variations.pop(vid, None)
        self.deleted_products.add(pid)
        # No webhook: core's product.deleted topic listens to wp_trash_post only, which a forced delete skips.
        return record

    def product_json(self, record: dict[str, Any]) -> dict[str, Any]:
        """A product as wc/v3 returns it."""
        out = copy.deepcopy(record)
        if out["price"]:
            out["price_html"] = f'<span class="woocommerce-Price-amount amount">${out["price"]}</span>'
        out["_links"] = {"self": [{"href": self.link(f"products/{record['id']}")}],
                         "collection": [{"href": self.link("products")}]}
        return out

    # ---- variations -------------------------------------------------------------------------------------

    def create_variation(self, pid: int, data: dict[str, Any]) -> dict[str, Any]:
        """Add a variation to a variable product."""
        parent = self.get_product(pid)
        if parent["type"] != "variable":
            raise ApiError(400, "woocommerce_rest_product_variation_invalid_parent",
                           "The parent product is not a variable product.")
        vid = self.next_id()
        record: dict[str, Any] = {
            "id": vid, "date_created": "", "date_created_gmt": "", "date_modified": "", "date_modified_gmt": "",
            "description": str(data.get("description") or ""), "permalink": f"{parent['permalink']}?variation_id={vid}",
            "sku": "", "price": "", "regular_price": "", "sale_price": "",
            "date_on_sale_from": None, "date_on_sale_from_gmt": None, "date_on_sale_to": None, "date_on_sale_to_gmt": None,
            "on_sale": False, "status": data.get("status", "publish"), "purchasable": True,
            "virtual": bool(data.get("virtual", False)), "downloadable": bool(data.get("downloadable", False)),
            "downloads": [], "download_limit": -1, "download_expiry": -1, "tax_status": "taxable", "tax_class": "",
            "manage_stock": False, "stock_quantity": None, "stock_status": "instock", "backorders": "no",
            "backorders_allowed": False, "backordered": False, "weight": "",
            "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "", "shipping_class_id": 0,
            "image": None, "attributes": [], "menu_order": int(data.get("menu_order") or 0), "meta_data": [],
            "_parent": pid,
        }
        self._apply_variation(record, data)
        self.stamp(record, created=True)
        self.variations[vid] = record
        parent["variations"].append(vid)
        # Only the variation's own date_modified moves; the parent post is not saved (woocommerce#9531).
        self.refresh_variable_price(parent)
        self.emit("product.created", "variation", vid)
        return record

    def _apply_variation(self, record: dict[str, Any], data: dict[str, Any]) -> None:
        for key in ("description", "status", "weight", "tax_status", "tax_class", "menu_order"):
            if key in data:
                record[key] = data[key]
        if "sku" in data:
            self._check_sku(str(data["sku"] or ""), record["id"])
            record["sku"] = str(data["sku"] or "")
        if "attributes" in data:
            record["attributes"] = [{"id": int(a.get("id") or 0), "name": str(a.get("name") or ""),
                                     "option": str(a.get("option") or "")} for a in data["attributes"] or []]
        if "image" in data and data["image"]:
            record["image"] = self._images([data["image"]])[0]
        if "dimensions" in data:
            record["dimensions"] = {k: str((data["dimensions"] or {}).get(k) or "") for k in ("length", "width", "height")}
        if "meta_data" in data:
            self._apply_meta(record, data["meta_data"])
        self._price_fields(record, data)
        self._stock_fields(record, data)

    def get_variation(self, pid: int, vid: int) -> dict[str, Any]:
        """A variation of this product or a 404 ApiError."""
        self.get_product(pid)
        record = self.variations.get(vid)
        if record is None or record["_parent"] != pid:
            raise ApiError(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
        return record

    def update_variation(self, pid: int, vid: int, data: dict[str, Any]) -> dict[str, Any]:
        """Update a variation (the parent is re-saved)."""
        record = self.get_variation(pid, vid)
        self._apply_variation(record, data)
        self.stamp(record)
        parent = self.products[pid]
        # WooCommerce syncs the parent's price range, but its date_modified stays (woocommerce#9531, #19562).
        self.refresh_variable_price(parent)
        self.emit("product.updated", "variation", vid)
        return record

    def variation_json(self, record: dict[str, Any]) -> dict[str, Any]:
        """A variation as wc/v3 returns it."""
        out = copy.deepcopy(record)
        pid = out.pop("_parent")
        if out["manage_stock"] is False and self.products[pid]["manage_stock"] is True:
            out["manage_stock"] = "parent"
            out["stock_quantity"] = self.products[pid]["stock_quantity"]
        out["_links"] = {"self": [{"href": self.link(f"products/{pid}/variations/{record['id']}")}],
                         "collection": [{"href": self.link(f"products/{pid}/variations")}],
                         "up": [{"href": self.link(f"products/{pid}")}]}
        return out

    def variation_as_product_json(self, record: dict[str, Any]) -> dict[str, Any]:
        """A variation as GET /products/{variation id} shows it (the shape product webhooks carry)."""
        out = self.variation_json(record)
        out.update({"type": "variation", "parent_id": record["_parent"],
                    "name": f"{self.products[record['_parent']]['name']}"})
        return out

    # ---- orders -----------------------------------------------------------------------------------------

    def find_sellable(self, product_id: int, variation_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """(product, the record holding price and stock) for a line item."""
        product = self.products.get(product_id)
        if product is None:
            raise ApiError(400, "woocommerce_rest_invalid_product_id", f"Product ID {product_id} is invalid.")
        if variation_id:
            variation = self.variations.get(variation_id)
            if variation is None or variation["_parent"] != product_id:
                raise ApiError(400, "woocommerce_rest_invalid_variation_id", f"Variation ID {variation_id} is invalid.")
            return product, variation
        if product["type"] == "variable":
            raise ApiError(400, "woocommerce_rest_invalid_product_id",
                           "A variable product needs a variation_id in the line item.")
        return product, product

    def reduce_stock(self, order: dict[str, Any], direction: int) -> None:
        """Take (1) or give back (-1) an order's quantities."""
        for line in order["line_items"]:
            product = self.products.get(line["product_id"])
            if product is None:
                continue
            holder = self.variations.get(line["variation_id"]) if line["variation_id"] else product
            if holder is None:
                continue
            if holder.get("manage_stock") is not True and line["variation_id"] and product.get("manage_stock") is True:
                holder = product
            if holder.get("manage_stock") is True:
                holder["stock_quantity"] = (holder["stock_quantity"] or 0) - direction * line["quantity"]
                self._stock_fields(holder, {})
                self.stamp(holder)  # wc_update_product_stock saves the product that holds the stock
                if holder is not product:
                    self.emit("product.updated", "variation", holder["id"])
                else:
                    self.emit("product.updated", "product", product["id"])

    def order_search_text(self, order: dict[str, Any]) -> str:
        """What WooCommerce's order search looks at: address indexes, email and order item names."""
        parts = [str(v) for v in order["billing"].values()] + [str(v) for v in order["shipping"].values()]
        for kind in ("line_items", "shipping_lines", "fee_lines", "coupon_lines"):
            for item in order[kind]:
                parts.append(str(item.get("name") or item.get("method_title") or item.get("code") or ""))
        return " ".join(parts).lower()


def delivery_id(webhook_id: int, moment: float, extra: str) -> str:
    """A delivery id like WooCommerce's wp_hash(id . time); `extra` keeps ids apart within one second."""
    return hashlib.md5(f"{webhook_id}{int(moment)}{extra}".encode()).hexdigest()  # noqa: S324 - not security
