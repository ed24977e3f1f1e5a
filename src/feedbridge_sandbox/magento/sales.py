"""Orders, comments, invoices, cancellations and shipments in the sandbox store.

`POST /V1/orders` saves an order entity as the repository does (no quote, no totals recalculation). Like a
store running a reservation plugin for imported orders (what AfterShip's module does), each new order places
MSI reservations for its items unless the sandbox was created with `reserve_imported_orders=False`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from feedbridge_sandbox.magento.errors import MagentoError, bad_request, not_found, required
from feedbridge_sandbox.magento.inventory import Inventory

NO_ORDER = "The entity that was requested doesn't exist. Verify the entity and try again."
ORDER_ZEROES = (  # amount columns Magento stores as 0 when an order is saved without them
    "base_discount_amount", "base_discount_tax_compensation_amount", "base_shipping_discount_amount",
    "base_shipping_tax_amount", "base_tax_amount", "discount_amount", "discount_tax_compensation_amount",
    "shipping_discount_amount", "shipping_discount_tax_compensation_amount", "shipping_tax_amount", "tax_amount",
    "weight", "is_virtual", "store_to_base_rate", "store_to_order_rate", "customer_note_notify", "email_sent",
)
ITEM_ZEROES = (
    "amount_refunded", "base_amount_refunded", "base_discount_amount", "base_discount_invoiced",
    "base_discount_tax_compensation_amount", "base_row_invoiced", "base_tax_amount", "base_tax_invoiced",
    "discount_amount", "discount_invoiced", "discount_percent", "discount_tax_compensation_amount", "free_shipping",
    "is_qty_decimal", "is_virtual", "no_discount", "row_invoiced", "row_weight", "tax_amount", "tax_invoiced",
    "tax_percent", "weight",
)
SHIPPING_TOTALS = (
    "base_shipping_amount", "base_shipping_discount_amount", "base_shipping_incl_tax", "base_shipping_tax_amount",
    "shipping_amount", "shipping_discount_amount", "shipping_discount_tax_compensation_amount", "shipping_incl_tax",
    "shipping_tax_amount",
)
STATE_STATUSES = {"new": ["pending"], "processing": ["processing"], "complete": ["complete"],
                  "canceled": ["canceled"], "closed": ["closed"], "holded": ["holded"]}


class Sales:
    """Orders by entity id, shipments by entity id, invoice counter."""

    def __init__(self, inventory: Inventory, now: Callable[[], str], *, reserve_imported_orders: bool = True) -> None:
        self.inventory = inventory
        self.now = now
        self.reserve_imported_orders = reserve_imported_orders
        self.orders: dict[int, dict[str, Any]] = {}
        self.shipments: dict[int, dict[str, Any]] = {}
        self.next = {"order": 1, "item": 1, "address": 1, "history": 1, "shipment": 1, "track": 1,
                     "shipment_item": 1, "invoice": 1, "payment": 1}

    def _id(self, kind: str) -> int:
        value = self.next[kind]
        self.next[kind] += 1
        return value

    def get(self, order_id: int) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise not_found(NO_ORDER)
        return order

    # -- create / update ---------------------------------------------------------------------------
    def save(self, entity: dict[str, Any]) -> dict[str, Any]:
        if entity.get("entity_id") and int(entity["entity_id"]) in self.orders:
            order = self.orders[int(entity["entity_id"])]
            for name in ("status", "state", "ext_order_id", "customer_note", "customer_email"):
                if entity.get(name) is not None:
                    order[name] = entity[name]
            order["updated_at"] = self.now()
            return order
        for name in ("customer_email", "grand_total", "base_grand_total"):
            if entity.get(name) in (None, ""):
                raise required(name)
        if not entity.get("items"):
            raise required("items")
        increment = str(entity.get("increment_id") or "")
        if increment and any(o["increment_id"] == increment for o in self.orders.values()):
            raise bad_request('Unique constraint violation found')
        oid = self._id("order")
        stamp = self.now()
        order = copy.deepcopy(entity)
        order.update({"entity_id": oid, "increment_id": increment or f"{oid:09d}", "created_at": stamp,
                      "updated_at": stamp, "state": entity.get("state") or "new",
                      "status": entity.get("status") or "pending", "status_histories": [],
                      "protect_code": f"{oid:06x}", "total_invoiced": None, "total_paid": None,
                      "store_name": "Main Website\nMain Website Store\nDefault Store View"})
        self._fill(order)
        for item in order["items"]:
            if not item.get("sku"):
                raise required("sku")
            item.update({"item_id": self._id("item"), "order_id": oid, "created_at": stamp, "updated_at": stamp,
                         "qty_shipped": 0, "qty_invoiced": 0, "qty_canceled": 0, "qty_refunded": 0,
                         "product_type": item.get("product_type") or "simple"})
        for address in self._addresses(order):
            address.update({"entity_id": self._id("address"), "parent_id": oid})
        if isinstance(order.get("payment"), dict):
            order["payment"].update({"entity_id": self._id("payment"), "parent_id": oid})
        for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
            assignment["items"] = copy.deepcopy(order["items"])
        order["billing_address_id"] = (order.get("billing_address") or {}).get("entity_id")
        self.orders[oid] = order
        if self.reserve_imported_orders:
            for item in order["items"]:
                self.inventory.reserve(item["sku"], -float(item.get("qty_ordered") or 0), "order_placed", oid)
        return order

    @staticmethod
    def _fill(order: dict[str, Any]) -> None:
        """Derived and defaulted columns, as the order tables hold them after a save."""
        for name in ORDER_ZEROES:
            order.setdefault(name, 0)
        order.setdefault("base_subtotal", order.get("subtotal", 0))
        order.setdefault("base_shipping_amount", order.get("shipping_amount", 0))
        order.setdefault("subtotal_incl_tax", (order.get("subtotal") or 0) + (order.get("tax_amount") or 0))
        order.setdefault("base_subtotal_incl_tax", order["subtotal_incl_tax"])
        order.setdefault("shipping_incl_tax", order.get("shipping_amount") or 0)
        order.setdefault("base_shipping_incl_tax", order["shipping_incl_tax"])
        order.setdefault("total_due", order.get("grand_total"))
        order.setdefault("base_total_due", order.get("base_grand_total"))
        order.setdefault("total_item_count", len(order.get("items") or []))
        order.setdefault("total_qty_ordered", sum(float(i.get("qty_ordered") or 0) for i in order.get("items") or []))
        for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
            # Magento builds the assignment's totals from the order's shipping columns.
            shipping = assignment.setdefault("shipping", {})
            shipping["total"] = {name: order.get(name, 0) for name in SHIPPING_TOTALS}
        for item in order.get("items") or []:
            for name in ITEM_ZEROES:
                item.setdefault(name, 0)
            price = item.get("price") or 0
            item.setdefault("base_price", price)
            item.setdefault("original_price", price)
            item.setdefault("base_original_price", item["original_price"])
            item.setdefault("price_incl_tax", price)
            item.setdefault("base_price_incl_tax", item["price_incl_tax"])
            item.setdefault("row_total", price * float(item.get("qty_ordered") or 0))
            item.setdefault("base_row_total", item["row_total"])
            item.setdefault("row_total_incl_tax", item["row_total"])
            item.setdefault("base_row_total_incl_tax", item["row_total_incl_tax"])
            item.setdefault("store_id", order.get("store_id", 1))

    @staticmethod
    def _addresses(order: dict[str, Any]) -> list[dict[str, Any]]:
        found = [order["billing_address"]] if isinstance(order.get("billing_address"), dict) else []
        for assignment in (order.get("extension_attributes") or {}).get("shipping_assignments") or []:
            address = (assignment.get("shipping") or {}).get("address")
            if isinstance(address, dict):
                found.append(address)
        for address in found:
            for name in ("firstname", "lastname", "city", "postcode", "telephone", "country_id"):
                if not address.get(name):
                    raise required(name)
        return found

    # -- comments / status -------------------------------------------------------------------------
    def comment(self, order_id: int, history: dict[str, Any]) -> bool:
        order = self.get(order_id)
        if history.get("comment") is None:
            raise required("comment")
        status = history.get("status")
        if status and status in STATE_STATUSES.get(order["state"], []):
            order["status"] = status
        order["status_histories"].insert(0, {
            "entity_id": self._id("history"), "parent_id": order_id, "comment": history["comment"],
            "created_at": self.now(), "entity_name": "order", "status": order["status"],
            "is_customer_notified": int(history.get("is_customer_notified") or 0),
            "is_visible_on_front": int(history.get("is_visible_on_front") or 0)})
        order["updated_at"] = self.now()
        return True

    def cancel(self, order_id: int) -> bool:
        order = self.get(order_id)
        if order["state"] in ("canceled", "complete", "closed", "holded"):
            return False
        if any(i["qty_invoiced"] or i["qty_shipped"] for i in order["items"]):
            return False
        for item in order["items"]:
            item["qty_canceled"] = item.get("qty_ordered") or 0
            if self.reserve_imported_orders:
                self.inventory.reserve(item["sku"], float(item["qty_canceled"]), "order_canceled", order_id)
        order.update({"state": "canceled", "status": "canceled", "updated_at": self.now(),
                      "total_canceled": order.get("grand_total"), "base_total_canceled": order.get("base_grand_total")})
        return True

    def invoice(self, order_id: int) -> int:
        order = self.get(order_id)
        if order["state"] in ("canceled", "closed", "holded") or order.get("total_invoiced"):
            raise bad_request("The order does not allow an invoice to be created.")
        for item in order["items"]:
            item["qty_invoiced"] = item.get("qty_ordered") or 0
        order.update({"total_invoiced": order["grand_total"], "base_total_invoiced": order["base_grand_total"],
                      "total_paid": order["grand_total"], "base_total_paid": order["base_grand_total"],
                      "total_due": 0, "base_total_due": 0})
        self._advance(order)
        return self._id("invoice")

    def _advance(self, order: dict[str, Any]) -> None:
        shipped = all(float(i["qty_shipped"]) >= float(i.get("qty_ordered") or 0) for i in order["items"])
        state = "complete" if shipped and order.get("total_invoiced") else "processing"
        order.update({"state": state, "status": STATE_STATUSES[state][0], "updated_at": self.now()})

    # -- shipments ---------------------------------------------------------------------------------
    def ship(self, order_id: int, body: dict[str, Any]) -> int:
        order = self.get(order_id)
        errors = []
        if order["state"] in ("canceled", "closed", "holded"):
            errors.append("A shipment cannot be created when an order has a status of %1")
        by_id = {i["item_id"]: i for i in order["items"]}
        wanted = body.get("items") or [
            {"order_item_id": i["item_id"], "qty": float(i.get("qty_ordered") or 0) - float(i["qty_shipped"])}
            for i in order["items"]]
        lines = []
        for line in wanted:
            item = by_id.get(int(line.get("order_item_id") or 0))
            qty = float(line.get("qty") or 0)
            if item is None:
                errors.append("You can't create a shipment without products.")
                continue
            remaining = float(item.get("qty_ordered") or 0) - float(item["qty_shipped"]) - float(item["qty_canceled"])
            if qty <= 0 or qty > remaining:
                errors.append("The quantity to ship must not be greater than the unshipped quantity.")
                continue
            lines.append((item, qty))
        if not lines and not errors:
            errors.append("You can't create a shipment without products.")
        if errors:
            raise MagentoError(400, "Shipment Document Validation Error(s):\n" + "\n".join(errors),
                               [order["status"]] if "%1" in errors[0] else [])
        for track in body.get("tracks") or []:
            for name in ("track_number", "title", "carrier_code"):
                if not track.get(name):
                    raise required(name)
        source_code = (((body.get("arguments") or {}).get("extension_attributes") or {}).get("source_code"))
        sid = self._id("shipment")
        stamp = self.now()
        items = []
        for item, qty in lines:
            item["qty_shipped"] = float(item["qty_shipped"]) + qty
            self.inventory.deduct(item["sku"], qty, source_code)
            if self.reserve_imported_orders:
                self.inventory.reserve(item["sku"], qty, "shipment_created", order_id)
            items.append({"entity_id": self._id("shipment_item"), "parent_id": sid, "order_item_id": item["item_id"],
                          "product_id": item.get("product_id"), "sku": item["sku"], "name": item.get("name"),
                          "price": item.get("price"), "qty": qty, "weight": item.get("weight"), "row_total": None,
                          "additional_data": None, "description": None})
        tracks = [{"entity_id": self._id("track"), "parent_id": sid, "order_id": order_id,
                   "track_number": t["track_number"], "title": t["title"], "carrier_code": t["carrier_code"],
                   "created_at": stamp, "updated_at": stamp, "weight": None, "qty": None, "description": None}
                  for t in body.get("tracks") or []]
        comment = body.get("comment") or {}
        self.shipments[sid] = {
            "entity_id": sid, "increment_id": f"{sid:09d}", "order_id": order_id, "store_id": order.get("store_id", 1),
            "billing_address_id": order.get("billing_address_id"), "shipping_address_id": None,
            "total_qty": sum(q for _, q in lines), "email_sent": 1 if body.get("notify") else None,
            "created_at": stamp, "updated_at": stamp, "items": items, "tracks": tracks, "packages": [],
            "comments": [{"comment": comment["comment"], "is_customer_notified": 0, "is_visible_on_front": 0,
                          "parent_id": sid, "entity_id": self._id("history"), "created_at": stamp}]
            if comment.get("comment") else [],
            "extension_attributes": {"source_code": source_code or "default"},
        }
        self._advance(order)
        return sid

    def shipment(self, shipment_id: int) -> dict[str, Any]:
        shipment = self.shipments.get(shipment_id)
        if shipment is None:
            raise not_found(NO_ORDER)
        return shipment
