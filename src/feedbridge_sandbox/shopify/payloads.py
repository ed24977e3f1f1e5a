"""REST-shaped (snake_case) webhook bodies, as Shopify sends for products, inventory, orders and fulfillments.

The order shape follows specs/shopify/fixtures/rest-order-webhook-shape.json.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from feedbridge_sandbox.shopify.state import Fulfillment, Order, Product, ShopState, Variant, gid


def _ts(moment: datetime | None) -> str | None:
    # REST webhooks carry the shop's offset; the sandbox shop runs in UTC.
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00") if moment else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


WEIGHT_UNITS = {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}
GRAMS_PER = {"KILOGRAMS": 1000.0, "GRAMS": 1.0, "POUNDS": 453.59237, "OUNCES": 28.349523125}


def variant_payload(v: Variant) -> dict[str, Any]:
    options = [value for _, value in v.options] or ["Default Title"]
    return {
        "id": v.number, "product_id": v.product_number, "title": v.title, "price": _money(v.price),
        "sku": v.sku or "", "position": v.position, "inventory_policy": v.inventoryPolicy.lower(),
        "compare_at_price": _money(v.compareAtPrice), "fulfillment_service": "manual",
        "inventory_management": "shopify" if v.tracked else None,
        "option1": options[0] if len(options) > 0 else None,
        "option2": options[1] if len(options) > 1 else None,
        "option3": options[2] if len(options) > 2 else None,
        "created_at": _ts(v.createdAt), "updated_at": _ts(v.updatedAt), "taxable": v.taxable,
        "barcode": v.barcode, "grams": round(v.weight * GRAMS_PER.get(v.weight_unit, 1.0)),
        "weight": v.weight, "weight_unit": WEIGHT_UNITS.get(v.weight_unit, "kg"),
        "inventory_item_id": v.inventory_item_number, "inventory_quantity": sum(v.levels.values()),
        "old_inventory_quantity": sum(v.levels.values()), "requires_shipping": v.requires_shipping,
        "admin_graphql_api_id": v.id, "image_id": None,
    }


def product_payload(p: Product) -> dict[str, Any]:
    images: list[dict[str, Any]] = [{"id": p.number * 100 + i, "product_id": p.number, "position": i + 1, "src": url,
               "alt": None, "width": 925, "height": 617, "variant_ids": [],
               "admin_graphql_api_id": gid("ProductImage", p.number * 100 + i),
               "created_at": _ts(p.createdAt), "updated_at": _ts(p.updatedAt)}
              for i, url in enumerate(p.images)]
    names = p.option_names or ["Title"]
    return {
        "admin_graphql_api_id": p.id, "body_html": p.descriptionHtml, "created_at": _ts(p.createdAt),
        "handle": p.handle, "id": p.number, "product_type": p.productType, "published_at": _ts(p.createdAt),
        "template_suffix": None, "title": p.title, "updated_at": _ts(p.updatedAt), "vendor": p.vendor,
        "status": p.status.lower(), "published_scope": "global", "tags": ", ".join(p.tags),
        "variants": [variant_payload(v) for v in p.variants],
        "options": [{"name": name, "id": p.number * 10 + i, "product_id": p.number, "position": i + 1,
                     "values": p.option_values.get(name) or ["Default Title"]} for i, name in enumerate(names)],
        "images": images, "image": images[0] if images else None, "media": [],
        "variant_gids": [{"admin_graphql_api_id": v.id, "updated_at": _ts(v.updatedAt)} for v in p.variants],
        "has_variants_that_requires_components": False, "category": None,
    }


def inventory_level_payload(v: Variant, location_number: int) -> dict[str, Any]:
    return {
        "inventory_item_id": v.inventory_item_number, "location_id": location_number,
        "available": v.levels.get(location_number, 0),
        "updated_at": _ts(v.level_updated.get(location_number)),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_number}?inventory_item_id="
                                f"{v.inventory_item_number}",
    }


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    first, last = address.get("firstName") or "", address.get("lastName") or ""
    return {"first_name": first, "last_name": last, "name": f"{first} {last}".strip(),
            "address1": address.get("address1"), "address2": address.get("address2"),
            "city": address.get("city"), "province": address.get("provinceCode"), "zip": address.get("zip"),
            "country": address.get("countryCode"), "country_code": address.get("countryCode"),
            "province_code": address.get("provinceCode"), "phone": address.get("phone"),
            "company": address.get("company"), "latitude": None, "longitude": None}


def fulfillment_payload(f: Fulfillment, order: Order) -> dict[str, Any]:
    return {
        "id": f.number, "order_id": f.order_number, "status": f.status.lower(), "created_at": _ts(f.createdAt),
        "service": "manual", "updated_at": _ts(f.createdAt), "tracking_company": f.company,
        "shipment_status": None, "location_id": f.location_number,
        "tracking_number": f.numbers[0] if f.numbers else None, "tracking_numbers": list(f.numbers),
        "tracking_url": f.urls[0] if f.urls else None, "tracking_urls": list(f.urls),
        "receipt": {}, "name": f"{order.name}.{order.fulfillments.index(f) + 1 if f in order.fulfillments else 1}",
        "admin_graphql_api_id": f.id,
        "line_items": [dict(_line(li, order), quantity=quantity) for li, quantity in f.lines],
    }


def _line(li: Any, order: Order) -> dict[str, Any]:
    status = None if li.fulfilled == 0 else "fulfilled" if li.fulfilled >= li.quantity else "partial"
    return {
        "id": li.number, "admin_graphql_api_id": li.id, "fulfillment_service": "manual",
        "fulfillment_status": status, "fulfillable_quantity": li.quantity - li.fulfilled, "grams": 0,
        "price": _money(li.price), "product_id": li.product_number, "quantity": li.quantity,
        "requires_shipping": True, "sku": li.sku or "", "title": li.title, "variant_id": li.variant_number,
        "variant_title": li.variant_title, "vendor": None,
        "name": li.title + (f" - {li.variant_title}" if li.variant_title else ""),
        "variant_inventory_management": "shopify", "properties": [], "product_exists": li.product_number is not None,
        "total_discount": "0.00", "tax_lines": [],
    }


def order_payload(o: Order, state: ShopState) -> dict[str, Any]:
    status = {"UNFULFILLED": None, "PARTIALLY_FULFILLED": "partial", "FULFILLED": "fulfilled"}
    return {
        "id": o.number, "admin_graphql_api_id": o.id, "name": o.name, "number": o.order_number - 1000,
        "order_number": o.order_number, "email": o.email, "phone": o.phone, "note": o.note,
        "note_attributes": [{"name": k, "value": v} for k, v in o.custom_attributes],
        "tags": ", ".join(o.tags), "source_identifier": o.sourceIdentifier, "source_name": o.sourceName or "",
        "currency": o.currency, "presentment_currency": o.currency,
        "created_at": _ts(o.createdAt), "updated_at": _ts(o.updatedAt), "processed_at": _ts(o.processedAt),
        "closed_at": _ts(o.closedAt), "cancelled_at": _ts(o.cancelledAt),
        "cancel_reason": o.cancelReason.lower() if o.cancelReason else None,
        "financial_status": o.financial_status.lower(),
        "fulfillment_status": status.get(o.fulfillment_status), "confirmed": True, "test": o.test,
        "subtotal_price": _money(o.subtotal), "total_line_items_price": _money(o.subtotal),
        "total_tax": _money(o.tax_total), "total_discounts": _money(o.discount), "total_price": _money(o.total),
        "total_weight": 0, "taxes_included": False, "buyer_accepts_marketing": False,
        "discount_codes": [{"code": c, "amount": _money(o.discount), "type": "fixed_amount"}
                           for c in o.discount_codes],
        "tax_lines": [{"price": _money(Decimal(str(t["amount"]))), "rate": float(t.get("rate") or 0),
                       "title": t["title"]} for t in o.tax_lines],
        "shipping_lines": [{"id": i + 1, "title": s["title"], "price": _money(Decimal(str(s["amount"]))),
                            "code": s.get("code"), "source": s.get("source") or "shopify"}
                           for i, s in enumerate(o.shipping_lines)],
        "line_items": [_line(li, o) for li in o.line_items],
        "shipping_address": _address(o.shipping_address), "billing_address": _address(o.billing_address),
        "fulfillments": [fulfillment_payload(f, o) for f in o.fulfillments],
        "refunds": [], "customer": None, "gateway": (o.transactions[0].get("gateway") if o.transactions else None),
        "payment_gateway_names": sorted({t.get("gateway") or "manual" for t in o.transactions}),
        "location_id": None, "user_id": None, "browser_ip": None, "token": f"{o.number:x}",
    }
