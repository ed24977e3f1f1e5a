"""Orders, order notes and Shipment Tracking entries in the WooCommerce sandbox (wc/v3 shapes)."""

from __future__ import annotations

import copy
import secrets
from decimal import Decimal
from typing import Any

from feedbridge_sandbox.woocommerce.store import (
    CURRENCY,
    TRACKING_PROVIDERS,
    ApiError,
    WooStore,
    wc_time,
)

STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")
ADDRESS_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                "country", "email", "phone")
# Read-only in wc/v3 (created_via, order_key, number, dates, cart_hash, version): a client's values are ignored.


def _d(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except Exception as exc:  # noqa: BLE001 - InvalidOperation and friends
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {value!r} is not a number.") from exc


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def create_order(store: WooStore, data: dict[str, Any]) -> dict[str, Any]:
    """POST /orders: line items priced from the catalog unless subtotal/total are given; set_paid pays it."""
    status = data.get("status", "pending")
    if status not in STATUSES:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
    oid = store.next_id()
    order: dict[str, Any] = {
        "id": oid, "parent_id": int(data.get("parent_id") or 0), "status": status,
        "currency": data.get("currency", CURRENCY), "version": "8.9.3", "prices_include_tax": False,
        "date_created": "", "date_modified": "", "discount_total": "0.00", "discount_tax": "0.00",
        "shipping_total": "0.00", "shipping_tax": "0.00", "cart_tax": "0.00", "total": "0.00", "total_tax": "0.00",
        "customer_id": int(data.get("customer_id") or 0), "order_key": f"wc_order_{secrets.token_hex(6)}",
        "billing": {k: "" for k in ADDRESS_KEYS}, "shipping": {k: "" for k in ADDRESS_KEYS if k != "email"},
        "payment_method": str(data.get("payment_method") or ""),
        "payment_method_title": str(data.get("payment_method_title") or ""),
        "transaction_id": str(data.get("transaction_id") or ""), "customer_ip_address": "", "customer_user_agent": "",
        "created_via": "rest-api", "customer_note": str(data.get("customer_note") or ""), "date_completed": None,
        "date_paid": None, "cart_hash": "", "number": str(oid), "meta_data": [], "line_items": [], "tax_lines": [],
        "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": [],
        "payment_url": f"{store.home}/checkout/order-pay/{oid}/", "is_editable": status in ("pending", "on-hold"),
        "needs_payment": False, "needs_processing": True, "date_created_gmt": "", "date_modified_gmt": "",
        "date_completed_gmt": None, "date_paid_gmt": None, "currency_symbol": "$",
    }
    if order["currency"] != CURRENCY:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): currency")
    for kind in ("billing", "shipping"):
        for key, value in (data.get(kind) or {}).items():
            if key in order[kind]:
                order[kind][key] = str(value or "")
    for item in data.get("line_items") or []:
        order["line_items"].append(_line_item(store, item))
    if not order["line_items"]:
        raise ApiError(400, "woocommerce_rest_required_product_reference", "An order needs at least one line item.")
    for item in data.get("shipping_lines") or []:
        order["shipping_lines"].append({
            "id": store.next_id(), "method_title": str(item.get("method_title") or ""),
            "method_id": str(item.get("method_id") or ""), "instance_id": str(item.get("instance_id") or ""),
            "total": _fmt(_d(item.get("total"))), "total_tax": "0.00", "taxes": [], "meta_data": []})
    for item in data.get("fee_lines") or []:
        order["fee_lines"].append({
            "id": store.next_id(), "name": str(item.get("name") or ""), "tax_class": "",
            "tax_status": str(item.get("tax_status") or "taxable"), "amount": _fmt(_d(item.get("total"))),
            "total": _fmt(_d(item.get("total"))), "total_tax": "0.00", "taxes": [], "meta_data": []})
    store._apply_meta(order, data.get("meta_data") or [])
    recalculate(order)
    store.stamp(order, created=True)
    store.orders[oid] = order
    store.notes[oid] = []
    store.emit("order.created", "order", oid)
    if data.get("set_paid"):
        # "set_paid: true will set the status to processing and reduce stock items" (REST docs).
        order["date_paid"] = order["date_paid_gmt"] = order["date_created"]
        order["status"] = "processing"
        order["needs_payment"] = False
        store.reduce_stock(order, +1)
        order["_stock_reduced"] = True
        add_note(store, oid, "Order status changed from Pending payment to Processing.", system=True)
    return order


def _line_item(store: WooStore, item: dict[str, Any]) -> dict[str, Any]:
    product_id = int(item.get("product_id") or 0)
    variation_id = int(item.get("variation_id") or 0)
    quantity = int(item.get("quantity") or 1)
    if quantity < 1:
        raise ApiError(400, "woocommerce_rest_invalid_quantity", "Quantity must be positive.")
    product, holder = store.find_sellable(product_id, variation_id)
    unit = _d(holder["price"])
    total = _d(item["total"]) if item.get("total") not in (None, "") else unit * quantity
    subtotal = _d(item["subtotal"]) if item.get("subtotal") not in (None, "") else total
    name = product["name"]
    if variation_id:
        name += " - " + ", ".join(a["option"] for a in holder["attributes"])
    return {
        "id": store.next_id(), "name": name, "product_id": product_id, "variation_id": variation_id,
        "quantity": quantity, "tax_class": "", "subtotal": _fmt(subtotal), "subtotal_tax": "0.00",
        "total": _fmt(total), "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": holder["sku"],
        "price": float(total / quantity), "image": {"id": "", "src": ""}, "parent_name": product["name"] if variation_id else None,
    }


def recalculate(order: dict[str, Any]) -> None:
    """Order totals from its lines."""
    items = sum((_d(i["total"]) for i in order["line_items"]), Decimal(0))
    subtotal = sum((_d(i["subtotal"]) for i in order["line_items"]), Decimal(0))
    shipping = sum((_d(i["total"]) for i in order["shipping_lines"]), Decimal(0))
    fees = sum((_d(i["total"]) for i in order["fee_lines"]), Decimal(0))
    order["discount_total"] = _fmt(subtotal - items)
    order["shipping_total"] = _fmt(shipping)
    order["total"] = _fmt(items + shipping + fees)


def update_order(store: WooStore, oid: int, data: dict[str, Any]) -> dict[str, Any]:
    """PUT /orders/{id}: status (stock back on cancel), addresses, meta."""
    order = get_order(store, oid)
    old = order["status"]
    if "status" in data:
        if data["status"] not in STATUSES:
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
        order["status"] = data["status"]
    for key in ("customer_note", "transaction_id", "payment_method", "payment_method_title"):
        if key in data:
            order[key] = str(data[key] or "")
    for kind in ("billing", "shipping"):
        for key, value in (data.get(kind) or {}).items():
            if key in order[kind]:
                order[kind][key] = str(value or "")
    if "meta_data" in data:
        store._apply_meta(order, data["meta_data"])
    if data.get("set_paid") and not order["date_paid"]:
        order["date_paid"] = order["date_paid_gmt"] = wc_time(store.now())
        if order["status"] in ("pending", "on-hold", "failed"):
            order["status"] = "processing"
    new = order["status"]
    if new != old:
        if new == "completed":
            order["date_completed"] = order["date_completed_gmt"] = wc_time(store.now())
        if new in ("cancelled", "refunded") and order.get("_stock_reduced"):
            store.reduce_stock(order, -1)  # WooCommerce restores stock when an order is cancelled
            order["_stock_reduced"] = False
        add_note(store, oid, f"Order status changed from {old} to {new}.", system=True)
    order["is_editable"] = order["status"] in ("pending", "on-hold")
    store.stamp(order)
    store.emit("order.updated", "order", oid)
    return order


def get_order(store: WooStore, oid: int) -> dict[str, Any]:
    """An order or a 404 ApiError."""
    if oid not in store.orders:
        raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    return store.orders[oid]


def order_json(store: WooStore, order: dict[str, Any]) -> dict[str, Any]:
    """An order as wc/v3 returns it (tracking items in meta)."""
    out = {k: copy.deepcopy(v) for k, v in order.items() if not k.startswith("_")}
    tracking = store.trackings.get(order["id"])
    if tracking:
        # The Shipment Tracking extension keeps its entries in this order meta key.
        out["meta_data"].append({"id": order["id"] * 10 + 1, "key": "_wc_shipment_tracking_items",
                                 "value": [_tracking_meta(t) for t in tracking]})
    out["_links"] = {"self": [{"href": store.link(f"orders/{order['id']}")}],
                     "collection": [{"href": store.link("orders")}]}
    return out


def add_note(store: WooStore, oid: int, text: str, *, customer_note: bool = False, system: bool = False) -> dict[str, Any]:
    """Add an order note."""
    get_order(store, oid)
    if not text.strip():
        raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): note")
    now = wc_time(store.now())
    note = {"id": store.next_id(), "author": "WooCommerce" if system else "system", "date_created": now,
            "date_created_gmt": now, "note": text, "customer_note": customer_note}
    store.notes.setdefault(oid, []).append(note)
    return note


def note_json(store: WooStore, oid: int, note: dict[str, Any]) -> dict[str, Any]:
    """A note as wc/v3 returns it."""
    out = dict(note)
    out["_links"] = {"self": [{"href": store.link(f"orders/{oid}/notes/{note['id']}")}],
                     "collection": [{"href": store.link(f"orders/{oid}/notes")}],
                     "up": [{"href": store.link(f"orders/{oid}")}]}
    return out


def _provider_url(name: str) -> str | None:
    for providers in TRACKING_PROVIDERS.values():
        for provider, url in providers.items():
            if provider.lower() == name.lower():
                return url
    return None


def add_tracking(store: WooStore, oid: int, data: dict[str, Any]) -> dict[str, Any]:
    """POST shipment-trackings: a known `tracking_provider`, or `custom_tracking_provider` (+ link)."""
    get_order(store, oid)
    number = str(data.get("tracking_number") or "").strip()
    if not number:
        raise ApiError(400, "woocommerce_shipment_tracking_missing_tracking_number", "Missing tracking number.")
    provider = str(data.get("tracking_provider") or "")
    custom = str(data.get("custom_tracking_provider") or "")
    url = _provider_url(provider) if provider else None
    if provider and url is None:
        # The extension only knows its own list; anything else must come as a custom provider.
        custom, provider = provider, ""
    if not provider and not custom:
        raise ApiError(400, "woocommerce_shipment_tracking_missing_provider", "Missing tracking provider.")
    entry = {
        "tracking_id": secrets.token_hex(16), "tracking_provider": provider, "custom_tracking_provider": custom,
        "custom_tracking_link": str(data.get("custom_tracking_link") or ""), "tracking_number": number,
        "date_shipped": str(data.get("date_shipped") or store.now().date().isoformat()),
    }
    store.trackings.setdefault(oid, []).append(entry)
    store.stamp(store.orders[oid])
    store.emit("order.updated", "order", oid)
    return entry


def _tracking_meta(entry: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_provider": entry["tracking_provider"].lower().replace(" ", "-"),
            "custom_tracking_provider": entry["custom_tracking_provider"],
            "custom_tracking_link": entry["custom_tracking_link"], "tracking_number": entry["tracking_number"],
            "date_shipped": entry["date_shipped"], "tracking_id": entry["tracking_id"]}


def tracking_json(store: WooStore, oid: int, entry: dict[str, Any]) -> dict[str, Any]:
    """The extension's REST shape (capture: specs/woocommerce/fixtures/wc-shipment-trackings-plugin...)."""
    provider = entry["tracking_provider"] or entry["custom_tracking_provider"]
    template = _provider_url(entry["tracking_provider"]) if entry["tracking_provider"] else None
    link = template.replace("%1$s", entry["tracking_number"]) if template else entry["custom_tracking_link"]
    base = f"{store.home}/wp-json/wc-shipment-tracking/v3/orders/{oid}/shipment-trackings"
    return {"tracking_id": entry["tracking_id"], "tracking_provider": provider, "tracking_link": link,
            "tracking_number": entry["tracking_number"], "date_shipped": entry["date_shipped"],
            "_links": {"self": [{"href": f"{base}/{entry['tracking_id']}"}], "collection": [{"href": base}],
                       "up": [{"href": store.link(f"orders/{oid}")}]}}
