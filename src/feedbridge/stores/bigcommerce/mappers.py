"""Pure functions turning BigCommerce payloads into domain objects, and domain orders into v2 order bodies.

Flow direction: catalog payloads (store → feedbridge); order bodies (feedbridge → store); shipments (store →
feedbridge). No I/O here: tests run these on the payloads in `shared/specs/bigcommerce/fixtures/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

from feedbridge.domain.catalog import (
    Location,
    Product,
    ProductStatus,
    StoreCategory,
    StoreInfo,
    Variant,
    WeightUnit,
)
from feedbridge.domain.money import quantize
from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    StoreOrderRef,
    StoreOrderStatus,
)
from feedbridge.errors import DataError
from feedbridge.stores import payload
from feedbridge.stores.bigcommerce.carriers import carrier_name

# v2 order status ids (orders.v2.oas2.yml, /order_statuses).
STATUS_PENDING = 1
STATUS_SHIPPED = 2
STATUS_PARTIALLY_SHIPPED = 3
STATUS_REFUNDED = 4
STATUS_CANCELLED = 5
STATUS_DECLINED = 6
STATUS_COMPLETED = 10
STATUS_AWAITING_FULFILLMENT = 11

STATUS_IDS: dict[StoreOrderStatus, int] = {
    StoreOrderStatus.PENDING: STATUS_PENDING,
    StoreOrderStatus.PROCESSING: STATUS_AWAITING_FULFILLMENT,
    StoreOrderStatus.SHIPPED: STATUS_SHIPPED,
    StoreOrderStatus.COMPLETED: STATUS_COMPLETED,
    StoreOrderStatus.CANCELLED: STATUS_CANCELLED,
}

_STATUS_FROM_ID: dict[int, StoreOrderStatus] = {
    0: StoreOrderStatus.PENDING, 1: StoreOrderStatus.PENDING, 7: StoreOrderStatus.PENDING,
    8: StoreOrderStatus.PROCESSING, 9: StoreOrderStatus.PROCESSING, 11: StoreOrderStatus.PROCESSING,
    12: StoreOrderStatus.PROCESSING, 13: StoreOrderStatus.PROCESSING,
    2: StoreOrderStatus.SHIPPED, 3: StoreOrderStatus.SHIPPED,
    10: StoreOrderStatus.COMPLETED, 14: StoreOrderStatus.COMPLETED,
    4: StoreOrderStatus.CANCELLED, 5: StoreOrderStatus.CANCELLED, 6: StoreOrderStatus.CANCELLED,
}

WEIGHT_UNITS: dict[str, WeightUnit] = {
    "lbs": WeightUnit.POUND, "pounds": WeightUnit.POUND, "kgs": WeightUnit.KILOGRAM, "kg": WeightUnit.KILOGRAM,
    "kilograms": WeightUnit.KILOGRAM, "ounces": WeightUnit.OUNCE, "oz": WeightUnit.OUNCE,
    "grams": WeightUnit.GRAM, "g": WeightUnit.GRAM,
}

# Country names BigCommerce expects next to country_iso2 on addresses (TikTok Shop's markets first).
COUNTRY_NAMES: dict[str, str] = {
    "US": "United States", "GB": "United Kingdom", "CA": "Canada", "MX": "Mexico", "DE": "Germany",
    "FR": "France", "ES": "Spain", "IT": "Italy", "IE": "Ireland", "ID": "Indonesia", "MY": "Malaysia",
    "PH": "Philippines", "SG": "Singapore", "TH": "Thailand", "VN": "Vietnam", "JP": "Japan", "BR": "Brazil",
    "AU": "Australia",
}


def parse_time(value: object) -> datetime | None:
    """Read a BigCommerce time: ISO 8601 (v3), RFC 2822 (v2), or Unix seconds (webhooks)."""
    if value in (None, ""):
        return None
    if isinstance(value, Mapping | list | bool):
        raise DataError(f"{value!r} is not a date BigCommerce sends", field="date")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise DataError(f"{value!r} is not a date BigCommerce sends", field="date") from exc
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise DataError(f"{text!r} is not a date BigCommerce sends", field="date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def store_info(body: Mapping[str, Any]) -> StoreInfo:
    """GET /v2/store → StoreInfo."""
    timezone = body.get("timezone") or {}
    unit = WEIGHT_UNITS.get(str(body.get("weight_units", "")).casefold(), WeightUnit.POUND)
    return StoreInfo(
        name=str(body.get("name") or ""),
        currency=str(body.get("currency") or "USD"),
        weight_unit=unit,
        timezone=str(timezone.get("name") or "UTC") if isinstance(timezone, Mapping) else str(timezone),
        domain=str(body.get("domain") or body.get("secure_url") or ""),
    )


def location(body: Mapping[str, Any]) -> Location:
    """A v3 inventory location → Location."""
    return Location(id=str(body["id"]), name=str(body.get("label") or body.get("code") or body["id"]),
                    active=bool(body.get("enabled", True)))


def categories(rows: Iterable[Mapping[str, Any]]) -> list[StoreCategory]:
    """Flat rows of GET /v3/catalog/trees/categories → categories with their name path from the root."""
    by_id = {int(r["category_id"]): r for r in rows}

    def path_of(cid: int) -> tuple[str, ...]:
        names: list[str] = []
        seen: set[int] = set()
        current: int | None = cid
        while current and current in by_id and current not in seen:
            seen.add(current)
            names.append(str(by_id[current]["name"]))
            current = int(by_id[current].get("parent_id") or 0)
        return tuple(reversed(names))

    return [
        StoreCategory(id=str(cid), name=str(row["name"]),
                      parent_id=str(row["parent_id"]) if row.get("parent_id") else None, path=path_of(cid))
        for cid, row in by_id.items()
    ]


def _price_pair(price: Decimal, sale: Decimal, retail: Decimal) -> tuple[Decimal, Decimal | None]:
    """(what the buyer pays, the struck-through price) from BigCommerce's price / sale / retail (MSRP)."""
    if Decimal(0) < sale < price:
        return sale, price
    if retail > price:
        return price, retail
    return price, None


def _decimal_or(value: object, fallback: object, field: str) -> Decimal:
    chosen = fallback if value is None else value
    return payload.number(0 if chosen is None else chosen, field, what="BigCommerce product")


def variant(body: Mapping[str, Any], product: Mapping[str, Any]) -> Variant:
    """A v3 variant (with its product for the inherited values) → Variant. `stock` is filled in later."""
    what = "BigCommerce variant"
    body = payload.body(body, what)
    weight_unit = WeightUnit(product.get("_weight_unit", WeightUnit.POUND))
    price = _decimal_or(body.get("price"), product.get("price", 0), "variants.price")
    sale = _decimal_or(body.get("sale_price"), product.get("sale_price", 0), "variants.sale_price")
    retail = _decimal_or(body.get("retail_price"), product.get("retail_price", 0), "variants.retail_price")
    selling, compare_at = _price_pair(price, sale, retail)
    options = {payload.text(v.get("option_display_name"), "variants.option_values.option_display_name", what=what):
               payload.text(v.get("label"), "variants.option_values.label", what=what)
               for v in payload.objs(body.get("option_values"), "variants.option_values", what=what)}
    weight = body.get("weight") if body.get("weight") is not None else product.get("weight")
    barcode = payload.text(body.get("gtin") or body.get("upc"), "variants.gtin", what=what)
    image_url = payload.text(body.get("image_url"), "variants.image_url", what=what)
    return Variant(
        id=payload.required(body, "id", what=what),
        product_id=payload.text(body.get("product_id") or product["id"], "variants.product_id", what=what),
        sku=payload.text(body.get("sku"), "variants.sku", what=what),
        price=selling,
        title=" / ".join(options.values()) if options else str(product.get("name", "")),
        barcode=barcode or None,
        options=options,
        compare_at_price=compare_at,
        weight=payload.number(weight, "variants.weight", what=what) if weight is not None else None,
        weight_unit=weight_unit,
        image_url=image_url or None,
        inventory_tracked=str(product.get("inventory_tracking", "none")) != "none",
        continue_selling=False,
        updated_at=parse_time(product.get("date_modified")),
    )


def _image_url(image: Mapping[str, Any]) -> str:
    return payload.text(image.get("url_zoom") or image.get("url_standard") or image.get("image_url"),
                        "images.url_zoom", what="BigCommerce product")


def product(body: Mapping[str, Any], weight_unit: WeightUnit = WeightUnit.POUND) -> Product:
    """A v3 product fetched with `include=variants,images` → Product (stock per location filled in later)."""
    what = "BigCommerce product"
    body = payload.body(body, what)
    if "id" not in body or "name" not in body:
        raise DataError("a BigCommerce product must have an id and a name", field="product")
    product_id = payload.required(body, "id", what=what)
    title = payload.text(body.get("name"), "name", what=what)
    inherited = {**body, "_weight_unit": weight_unit}
    variants = [variant(v, inherited) for v in payload.objs(body.get("variants"), "variants", what=what)]
    option_names: list[str] = []
    for v in variants:
        for name in v.options:
            if name not in option_names:
                option_names.append(name)
    raw_images = payload.objs(body.get("images"), "images", what=what)
    images = sorted(raw_images, key=lambda i: (not i.get("is_thumbnail"),
                                               payload.whole(i.get("sort_order"), "images.sort_order", what=what)))
    status = ProductStatus.ACTIVE if body.get("is_visible", True) else ProductStatus.DRAFT
    if body.get("availability") == "disabled":
        status = ProductStatus.ARCHIVED
    custom_url = payload.obj(body.get("custom_url"), "custom_url", what=what)
    return Product(
        id=product_id,
        title=title,
        description_html=payload.text(body.get("description"), "description", what=what),
        vendor=payload.text(body.get("brand_name"), "brand_name", what=what),
        product_type=payload.text(body.get("type"), "type", what=what),
        handle=payload.text(custom_url.get("url"), "custom_url.url", what=what).strip("/"),
        status=status,
        category_ids=[str(c) for c in payload.items(body.get("categories"), "categories", what=what)],
        tags=[t.strip() for t in payload.text(body.get("search_keywords"), "search_keywords", what=what).split(",")
              if t.strip()],
        images=[url for url in (_image_url(i) for i in images) if url],
        option_names=option_names,
        variants=variants,
        updated_at=parse_time(body.get("date_modified")),
    )


def stock_by_variant(items: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """GET /v3/inventory/items rows → variant id → location id → available to sell."""
    stock: dict[str, dict[str, int]] = {}
    for item in items:
        identity = item.get("identity") or {}
        if identity.get("variant_id") is None:
            continue
        per_location = stock.setdefault(str(identity["variant_id"]), {})
        for loc in item.get("locations") or []:
            per_location[str(loc["location_id"])] = int(loc.get("available_to_sell") or 0)
    return stock


def apply_stock(products: Sequence[Product], stock: Mapping[str, Mapping[str, int]]) -> None:
    """Fill each variant's stock per location from `stock_by_variant`."""
    for p in products:
        for v in p.variants:
            v.stock = dict(stock.get(v.id, {}))


def order_status(status_id: int) -> StoreOrderStatus:
    """A v2 `status_id` → the domain status."""
    return _STATUS_FROM_ID.get(int(status_id), StoreOrderStatus.PROCESSING)


def order_ref(body: Mapping[str, Any]) -> StoreOrderRef:
    """A v2 order → StoreOrderRef (BigCommerce's order number is its id)."""
    return StoreOrderRef(id=str(body["id"]), number=str(body["id"]),
                         tiktok_order_id=str(body.get("external_order_id") or ""),
                         status=order_status(int(body.get("status_id", 0))))


def _money(amount: Decimal, currency: str) -> str:
    return str(quantize(amount, currency))


def _address(address: Address, email: str) -> dict[str, Any]:
    first, _, last = address.name.strip().partition(" ")
    iso2 = address.country_code.upper()
    return {
        "first_name": first or "TikTok", "last_name": last or "Buyer", "company": "",
        "street_1": address.line1, "street_2": address.line2, "city": address.city, "state": address.state,
        "zip": address.postal_code, "country": COUNTRY_NAMES.get(iso2, iso2), "country_iso2": iso2,
        "phone": address.phone, "email": email,
    }


def order_body(draft: OrderDraft, *, channel_id: int, external_source: str, status_id: int) -> dict[str, Any]:
    """The POST /v2/orders body for a TikTok order on our channel, keyed by `external_order_id`."""
    if not draft.lines:
        raise DataError("the order has no lines", field="lines")
    cur = draft.currency
    lines = []
    for line in draft.lines:
        if not line.store_product_id.isdigit():
            raise DataError(f"SKU {line.sku} is not linked to a BigCommerce product", field="lines")
        row: dict[str, Any] = {"product_id": int(line.store_product_id), "quantity": line.quantity,
                               "price_inc_tax": float(quantize(line.unit_price, cur)),
                               "price_ex_tax": float(quantize(line.unit_price, cur))}
        if line.store_variant_id.isdigit():
            row["variant_id"] = int(line.store_variant_id)
        lines.append(row)
    shipping = _address(draft.shipping_address, draft.email)
    discount = draft.seller_discount + draft.platform_discount
    notes = draft.note or f"TikTok Shop order {draft.tiktok_order_id}"
    billing = dict(shipping)
    if draft.order_name:
        # BigCommerce numbers orders itself: the merchant's order number goes where the order page shows it first
        # (staff notes' first line) and into the billing company, which the order list's customer details, the
        # invoice and the order search show. The shipping address stays as the buyer gave it (it prints on labels).
        notes = f"Order number {draft.order_name}\n{notes}"
        billing["company"] = draft.order_name
    total = draft.total or draft.subtotal + draft.shipping + draft.tax - discount
    return {
        "status_id": status_id,
        "customer_id": 0,
        "channel_id": channel_id,
        "external_order_id": draft.tiktok_order_id,
        "external_source": external_source,
        "billing_address": billing,
        "shipping_addresses": [{**shipping, "shipping_method": "TikTok Shop"}],
        "products": lines,
        "default_currency_code": cur,
        "subtotal_ex_tax": _money(draft.subtotal, cur),
        "subtotal_inc_tax": _money(draft.subtotal + draft.tax, cur),
        "shipping_cost_ex_tax": _money(draft.shipping, cur),
        "shipping_cost_inc_tax": _money(draft.shipping, cur),
        "discount_amount": _money(discount, cur),
        "total_ex_tax": _money(total - draft.tax, cur),
        "total_inc_tax": _money(total, cur),
        "payment_method": "TikTok Shop",
        "staff_notes": notes,
        "customer_message": draft.buyer_message,
    }


def note_text(existing: str, note: str, tags: Sequence[str]) -> str:
    """Staff notes with one more line; BigCommerce orders have no tags, so tags go in the line."""
    line = note if not tags else f"{note} [tags: {', '.join(tags)}]"
    return f"{existing}\n{line}" if existing else line


def fulfilment(shipment: Mapping[str, Any], variant_of: Mapping[int, str] | None = None,
               sku_of: Mapping[int, str] | None = None) -> Fulfilment:
    """A v2 shipment → Fulfilment; `variant_of` / `sku_of` map order_product_id to the catalog variant and SKU."""
    tracking_carrier = str(shipment.get("tracking_carrier") or "")
    method = str(shipment.get("shipping_method") or "")
    if tracking_carrier:
        carrier = carrier_name(tracking_carrier)
    else:
        # a carrier BigCommerce does not list travels in shipping_method ("None" means unset)
        carrier = str(shipment.get("shipping_provider_display_name") or shipment.get("shipping_provider")
                      or (method if method != "None" else ""))
    lines = tuple(
        FulfilmentLine(store_variant_id=(variant_of or {}).get(int(i["order_product_id"]), ""),
                       sku=(sku_of or {}).get(int(i["order_product_id"]), ""), quantity=int(i["quantity"]))
        for i in shipment.get("items") or []
    )
    return Fulfilment(
        id=str(shipment["id"]), carrier=carrier, tracking_number=str(shipment.get("tracking_number") or ""),
        lines=lines,
        tracking_url=str(shipment.get("tracking_link") or shipment.get("generated_tracking_link") or ""),
        created_at=parse_time(shipment.get("date_created")),
    )
