"""The sandbox store's catalog: products (simple, configurable with children and options), attributes,
categories."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from feedbridge_sandbox.magento.errors import bad_request, not_found, required
from feedbridge_sandbox.magento.media import store_entry

NO_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
DEFAULT_ATTRIBUTES = (  # attribute_id, code, label: the select attributes a fresh Magento has for variants
    (93, "color", "Color"), (144, "size", "Size"), (145, "material", "Material"),
)
ARRAY_FIELDS = ("product_links", "options", "media_gallery_entries", "tier_prices", "custom_attributes")


class Catalog:
    """Products by id and SKU, product attributes with their options, and the category tree."""

    def __init__(self, now: Callable[[], str]) -> None:
        self.now = now
        self.products: dict[int, dict[str, Any]] = {}
        self.by_sku: dict[str, int] = {}
        self.next_id = 1
        self.attributes: dict[str, dict[str, Any]] = {}
        self.next_option = 200
        self.next_media = 1
        self.files: dict[str, tuple[bytes, str]] = {}
        self.next_configurable_option = 1
        for attribute_id, code, label in DEFAULT_ATTRIBUTES:
            self.attributes[code] = {
                "attribute_id": attribute_id, "attribute_code": code, "default_frontend_label": label,
                "frontend_input": "select", "entity_type_id": "4", "is_required": False, "is_user_defined": True,
                "scope": "global", "frontend_labels": [], "options": [{"label": " ", "value": ""}],
            }
        self.categories: dict[int, dict[str, Any]] = {
            1: {"id": 1, "parent_id": 0, "name": "Root Catalog", "is_active": True, "position": 0, "level": 0},
            2: {"id": 2, "parent_id": 1, "name": "Default Category", "is_active": True, "position": 1, "level": 1},
        }

    # -- products ----------------------------------------------------------------------------------
    def get(self, sku: str) -> dict[str, Any]:
        pid = self.by_sku.get(sku)
        if pid is None:
            raise not_found(NO_PRODUCT)
        return self.products[pid]

    def save(self, data: dict[str, Any], sku_in_path: str | None = None) -> dict[str, Any]:
        """Create or update by SKU (POST /V1/products and PUT /V1/products/{sku})."""
        sku = sku_in_path or data.get("sku")
        if not sku:
            raise required("sku")
        existing = self.by_sku.get(str(sku))
        if existing is None:
            if sku_in_path is not None and not data.get("name"):
                raise not_found(NO_PRODUCT)
            return self._create(str(sku), data)
        return self._update(self.products[existing], data)

    def _create(self, sku: str, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("name", "price", "attribute_set_id"):
            if data.get(name) in (None, "") and not (name == "price" and data.get("type_id") == "configurable"):
                raise required(name)
        pid = self.next_id
        self.next_id += 1
        stamp = self.now()
        ext = copy.deepcopy(data.get("extension_attributes") or {})
        product: dict[str, Any] = {
            "id": pid, "sku": sku, "name": data["name"], "attribute_set_id": int(data["attribute_set_id"]),
            "price": float(data.get("price") or 0), "status": int(data.get("status", 1)),
            "visibility": int(data.get("visibility", 4)), "type_id": data.get("type_id", "simple"),
            "created_at": stamp, "updated_at": stamp, "weight": data.get("weight"),
            "extension_attributes": {
                "website_ids": ext.get("website_ids", [1]), "category_links": ext.get("category_links", []),
                "stock_item": self._stock_item(pid, ext.get("stock_item") or {}),
            },
        }
        if product["weight"] is None:
            del product["weight"]
        if product["type_id"] == "configurable":
            product["extension_attributes"]["configurable_product_options"] = []
            product["extension_attributes"]["configurable_product_links"] = []
        for name in ARRAY_FIELDS:
            product[name] = copy.deepcopy(data.get(name) or [])
        self._check_attributes(product)
        self._sync_category_ids(product)
        self.products[pid] = product
        self.by_sku[sku] = pid
        return product

    @staticmethod
    def _stock_item(pid: int, given: dict[str, Any]) -> dict[str, Any]:
        return {"item_id": pid, "product_id": pid, "stock_id": 1, "qty": float(given.get("qty", 0)),
                "is_in_stock": bool(given.get("is_in_stock", False)), "is_qty_decimal": False,
                "manage_stock": bool(given.get("manage_stock", True)), "backorders": int(given.get("backorders", 0)),
                "min_qty": 0, "min_sale_qty": 1, "max_sale_qty": 10000, "use_config_manage_stock": True,
                "use_config_backorders": True, "low_stock_date": None, "is_decimal_divided": False,
                "stock_status_changed_auto": 0, "show_default_notification_message": False,
                "use_config_min_qty": True, "use_config_min_sale_qty": 1, "use_config_max_sale_qty": True,
                "use_config_notify_stock_qty": True, "notify_stock_qty": 1, "use_config_qty_increments": True,
                "qty_increments": 0, "use_config_enable_qty_inc": True, "enable_qty_increments": False}

    def _update(self, product: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        for name in ("name", "price", "status", "visibility", "weight", "attribute_set_id"):
            if name in data and data[name] is not None:
                product[name] = data[name]
        for name in ("media_gallery_entries", "tier_prices", "product_links", "options"):
            if name in data and data[name] is not None:
                product[name] = copy.deepcopy(data[name])
        if data.get("custom_attributes") is not None:
            merged = {a["attribute_code"]: a for a in product["custom_attributes"]}
            for attr in data["custom_attributes"]:
                if attr.get("value") is None:
                    merged.pop(attr["attribute_code"], None)
                else:
                    merged[attr["attribute_code"]] = copy.deepcopy(attr)
            product["custom_attributes"] = list(merged.values())
        ext = data.get("extension_attributes") or {}
        if "category_links" in ext:
            product["extension_attributes"]["category_links"] = copy.deepcopy(ext["category_links"])
        if "stock_item" in ext:
            product["extension_attributes"]["stock_item"].update(
                {k: v for k, v in ext["stock_item"].items() if k in ("manage_stock", "backorders", "qty")})
        self._check_attributes(product)
        self._sync_category_ids(product)
        product["updated_at"] = self.now()
        return product

    def _check_attributes(self, product: dict[str, Any]) -> None:
        for attr in product["custom_attributes"]:
            info = self.attributes.get(attr.get("attribute_code", ""))
            if info is None or info["frontend_input"] != "select" or attr.get("value") in (None, ""):
                continue
            if str(attr["value"]) not in {str(o["value"]) for o in info["options"]}:
                raise bad_request('Invalid option value "%1" for attribute "%2".', [attr["value"], info["attribute_code"]])

    def _sync_category_ids(self, product: dict[str, Any]) -> None:
        links = product["extension_attributes"].get("category_links") or []
        product["custom_attributes"] = [a for a in product["custom_attributes"]
                                        if a.get("attribute_code") != "category_ids"]
        if links:
            product["custom_attributes"].append(
                {"attribute_code": "category_ids", "value": [str(link["category_id"]) for link in links]})

    def delete(self, sku: str) -> None:
        product = self.get(sku)
        del self.products[product["id"]]
        del self.by_sku[sku]
        for other in self.products.values():
            links = other["extension_attributes"].get("configurable_product_links")
            if links and product["id"] in links:
                links.remove(product["id"])

    @staticmethod
    def field(product: Mapping[str, Any], name: str) -> Any:
        """A product field for searching: top level, else a custom attribute, else an extension attribute."""
        if name == "entity_id":
            return product["id"]
        if name in product:
            return product[name]
        for attr in product.get("custom_attributes") or []:
            if attr.get("attribute_code") == name:
                return attr.get("value")
        if name == "category_id":
            return [str(link["category_id"]) for link in product["extension_attributes"].get("category_links") or []]
        return None

    def add_media(self, sku: str, entry: dict[str, Any]) -> int:
        """Add a gallery entry with base64 content (POST /V1/products/{sku}/media); its id."""
        product = self.get(sku)
        for name in ("media_type", "types"):
            if entry.get(name) is None:
                raise required(name)
        stored = store_entry(self.files, entry)
        stored["id"] = self.next_media
        self.next_media += 1
        stored.setdefault("label", "")
        stored["position"] = int(stored.get("position") or len(product["media_gallery_entries"]) + 1)
        stored["disabled"] = bool(stored.get("disabled", False))
        product["media_gallery_entries"].append(stored)
        for kind in stored["types"]:
            product["custom_attributes"] = [a for a in product["custom_attributes"] if a["attribute_code"] != kind]
            product["custom_attributes"].append({"attribute_code": kind, "value": stored["file"]})
        product["updated_at"] = self.now()
        return int(stored["id"])

    # -- attributes --------------------------------------------------------------------------------
    def attribute(self, code: str) -> dict[str, Any]:
        info = self.attributes.get(code) or next(
            (a for a in self.attributes.values() if str(a["attribute_id"]) == code), None)
        if info is None:
            raise not_found('The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.',
                            [code])
        return info

    def add_option(self, code: str, option: dict[str, Any]) -> str:
        info = self.attribute(code)
        label = str(option.get("label") or "")
        if not label:
            raise required("label")
        for existing in info["options"]:
            if existing["label"] == label:
                raise bad_request('Admin store attribute option label "%1" is already exists.', [label])
        value = str(self.next_option)
        self.next_option += 1
        info["options"].append({"label": label, "value": value})
        return value

    # -- configurable products ---------------------------------------------------------------------
    def add_configurable_option(self, sku: str, option: dict[str, Any]) -> int:
        parent = self.get(sku)
        if parent["type_id"] != "configurable":
            raise bad_request("The product with SKU %1 is not configurable.", [sku])
        attribute_id = str(option.get("attribute_id") or "")
        info = self.attribute(attribute_id)
        options = parent["extension_attributes"]["configurable_product_options"]
        if any(str(o["attribute_id"]) == str(info["attribute_id"]) for o in options):
            raise bad_request("Something went wrong while saving option.")
        option_id = self.next_configurable_option
        self.next_configurable_option += 1
        options.append({"id": option_id, "attribute_id": str(info["attribute_id"]),
                        "label": option.get("label") or info["default_frontend_label"],
                        "position": int(option.get("position") or len(options)),
                        "values": [{"value_index": int(v["value_index"])} for v in option.get("values") or []],
                        "product_id": parent["id"]})
        parent["updated_at"] = self.now()
        return option_id

    def add_child(self, sku: str, child_sku: str) -> bool:
        parent = self.get(sku)
        child = self.get(child_sku)
        ext = parent["extension_attributes"]
        if parent["type_id"] != "configurable":
            raise bad_request("The product with SKU %1 is not configurable.", [sku])
        if child["id"] in ext["configurable_product_links"]:
            raise bad_request("The product is already attached.")
        combo = self._combination(parent, child)
        for other_id in ext["configurable_product_links"]:
            if self._combination(parent, self.products[other_id]) == combo:
                raise bad_request('Products "%1" and "%2" have the same set of attribute values.',
                                  [child_sku, self.products[other_id]["sku"]])
        ext["configurable_product_links"].append(child["id"])
        parent["updated_at"] = self.now()
        return True

    def _combination(self, parent: dict[str, Any], child: dict[str, Any]) -> tuple[str, ...]:
        codes = [self.attribute(str(o["attribute_id"]))["attribute_code"]
                 for o in parent["extension_attributes"]["configurable_product_options"]]
        values = []
        for code in codes:
            value = self.field(child, code)
            if value in (None, ""):
                raise bad_request('The child product doesn\'t have the "%1" attribute value.', [code])
            values.append(str(value))
        return tuple(values)

    def children(self, sku: str) -> list[dict[str, Any]]:
        parent = self.get(sku)
        return [self.products[i] for i in parent["extension_attributes"].get("configurable_product_links") or []
                if i in self.products]

    # -- categories --------------------------------------------------------------------------------
    def add_category(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("name"):
            raise required("name")
        parent_id = int(data.get("parent_id") or 2)
        parent = self.categories.get(parent_id)
        if parent is None:
            raise not_found('No such entity with %fieldName = %fieldValue', {"fieldName": "id", "fieldValue": parent_id})
        cid = max(self.categories) + 1
        siblings = [c for c in self.categories.values() if c["parent_id"] == parent_id]
        category = {"id": cid, "parent_id": parent_id, "name": data["name"],
                    "is_active": bool(data.get("is_active", True)), "position": len(siblings) + 1,
                    "level": parent["level"] + 1}
        self.categories[cid] = category
        return {**category, "include_in_menu": True, "path": self._path(cid), "children": "",
                "created_at": self.now(), "updated_at": self.now(), "available_sort_by": [],
                "custom_attributes": []}

    def _path(self, cid: int) -> str:
        ids = []
        node: int | None = cid
        while node:
            ids.append(str(node))
            node = self.categories[node]["parent_id"] or None
        return "/".join(reversed(ids))

    def tree(self, root_id: int = 2, depth: int | None = None) -> dict[str, Any]:
        root = self.categories.get(root_id)
        if root is None:
            raise not_found("No such entity with %fieldName = %fieldValue", {"fieldName": "id", "fieldValue": root_id})
        return self._node(root, depth)

    def _node(self, category: dict[str, Any], depth: int | None) -> dict[str, Any]:
        kids = sorted((c for c in self.categories.values() if c["parent_id"] == category["id"]),
                      key=lambda c: c["position"])
        count = sum(1 for p in self.products.values()
                    if any(str(link["category_id"]) == str(category["id"])
                           for link in p["extension_attributes"].get("category_links") or []))
        return {**category, "product_count": count,
                "children_data": [self._node(k, None if depth is None else depth - 1) for k in kids]
                if depth is None or depth > 0 else []}
