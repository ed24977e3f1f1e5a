"""Pure functions turning Magento REST payloads into domain objects and drafts into Magento payloads.

Flow direction: catalog and fulfilments store → feedbridge; orders feedbridge (from TikTok) → store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from feedbridge.domain.catalog import Product, ProductStatus, StoreCategory, Variant, WeightUnit
from feedbridge.domain.orders import (
    Address,
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    StoreOrderRef,
    StoreOrderStatus,
)
from feedbridge.errors import DataError
from feedbridge.stores import payload as edge

MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"
BARCODE_CODES = ("barcode", "gtin", "upc", "ean")
WEIGHT_UNITS = {"lbs": WeightUnit.POUND, "lb": WeightUnit.POUND, "kgs": WeightUnit.KILOGRAM,
                "kg": WeightUnit.KILOGRAM}
ORDER_STATES = {
    "new": StoreOrderStatus.PENDING, "pending_payment": StoreOrderStatus.PENDING,
    "payment_review": StoreOrderStatus.PENDING, "holded": StoreOrderStatus.PENDING,
    "processing": StoreOrderStatus.PROCESSING, "complete": StoreOrderStatus.COMPLETED,
    "closed": StoreOrderStatus.COMPLETED, "canceled": StoreOrderStatus.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """A product attribute used by configurable options: its code, label and option labels by value."""

    code: str
    label: str
    options: Mapping[str, str] = field(default_factory=dict)


WHAT = "Magento product"


def parse_time(value: Any) -> datetime | None:
    """Magento's 'YYYY-MM-DD HH:MM:SS' (UTC) as an aware datetime; None when absent."""
    if not value:
        return None
    try:
        return datetime.strptime(str(value)[:19], MAGENTO_TIME).replace(tzinfo=UTC)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise DataError(f"{value!r} is not a Magento date", field="updated_at") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """An aware datetime as Magento's UTC 'YYYY-MM-DD HH:MM:SS'."""
    return value.astimezone(UTC).strftime(MAGENTO_TIME)


def custom_attributes(payload: Mapping[str, Any]) -> dict[str, Any]:
    """`custom_attributes[]` as a dict attribute_code → value."""
    return {edge.text(a["attribute_code"], "custom_attributes.attribute_code", what=WHAT): a.get("value")
            for a in edge.objs(payload.get("custom_attributes"), "custom_attributes", what=WHAT)
            if "attribute_code" in a}


def weight_unit(value: str | None) -> WeightUnit:
    """Magento's store weight unit ('lbs' / 'kgs') as a WeightUnit."""
    return WEIGHT_UNITS.get((value or "lbs").lower(), WeightUnit.POUND)


def media_url(base_media_url: str, file: str) -> str:
    """Full URL of a product image from its media gallery `file` (e.g. '/m/b/mb01.jpg')."""
    return f"{base_media_url.rstrip('/')}/catalog/product/{file.lstrip('/')}"


def _price_pair(payload: Mapping[str, Any], attrs: Mapping[str, Any]) -> tuple[Decimal, Decimal | None]:
    """(selling price, compare-at): a special price below the regular price sells, the regular price compares."""
    price = edge.number(payload.get("price") or 0, "price", what=WHAT)
    special = attrs.get("special_price")
    if special is not None and special != "":
        special_price = edge.number(special, "special_price", what=WHAT)
        if special_price < price:
            return special_price, price
    return price, None


def _images(payload: Mapping[str, Any], base_media_url: str) -> list[str]:
    field = "media_gallery_entries"
    entries = sorted((e for e in edge.objs(payload.get(field), field, what=WHAT) if not e.get("disabled")),
                     key=lambda e: edge.whole(e.get("position"), f"{field}.position", what=WHAT))
    files = (edge.text(e.get("file"), f"{field}.file", what=WHAT) for e in entries)
    return [media_url(base_media_url, file) for file in files if file]


def category_ids(payload: Mapping[str, Any]) -> list[str]:
    """Category ids from `extension_attributes.category_links`, else the `category_ids` custom attribute."""
    extension = edge.obj(payload.get("extension_attributes"), "extension_attributes", what=WHAT)
    links = edge.objs(extension.get("category_links"), "extension_attributes.category_links", what=WHAT)
    if links:
        return [edge.required(link, "category_id", what="Magento category link") for link in links]
    value = custom_attributes(payload).get("category_ids") or []
    return [str(v) for v in edge.items(value, "category_ids", what=WHAT)] if isinstance(value, list) else []


def stock_by_source(sku: str, source_items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Quantity per source code for one SKU; a source marked out of stock (status 0) counts as 0."""
    stock: dict[str, int] = {}
    for item in source_items:
        if item.get("sku") != sku:
            continue
        what = "Magento source item"
        quantity = int(edge.number(item.get("quantity") or 0, "quantity", what=what))
        in_stock = edge.whole(item.get("status"), "status", what=what, default=1) == 1
        stock[edge.required(item, "source_code", what=what)] = max(0, quantity) if in_stock else 0
    return stock


def variant_from_payload(
    payload: Mapping[str, Any], product_id: str, *, options: Mapping[str, str] | None = None,
    source_items: Iterable[Mapping[str, Any]] = (), salable: Mapping[str, int] | None = None,
    unit: WeightUnit = WeightUnit.POUND, base_media_url: str = "",
) -> Variant:
    """One sellable SKU (a simple product or a configurable's child)."""
    attrs = custom_attributes(payload)
    price, compare_at = _price_pair(payload, attrs)
    extension = edge.obj(payload.get("extension_attributes"), "extension_attributes", what=WHAT)
    stock_item = edge.obj(extension.get("stock_item"), "extension_attributes.stock_item", what=WHAT)
    sku = edge.required(payload, "sku", what=WHAT)
    images = _images(payload, base_media_url)
    weight = payload.get("weight")
    return Variant(
        id=edge.required(payload, "id", what=WHAT), product_id=product_id, sku=sku, price=price,
        compare_at_price=compare_at, title=edge.text(payload.get("name"), "name", what=WHAT),
        barcode=next((edge.text(attrs[c], c, what=WHAT) for c in BARCODE_CODES if attrs.get(c)), None),
        options=dict(options or {}),
        weight=edge.number(weight, "weight", what=WHAT) if weight is not None and weight != "" else None,
        weight_unit=unit,
        image_url=images[0] if images else None,
        stock=stock_by_source(sku, source_items),
        salable=(salable or {}).get(sku),
        inventory_tracked=bool(stock_item.get("manage_stock", True)),
        continue_selling=edge.whole(stock_item.get("backorders"), "stock_item.backorders", what=WHAT) > 0,
        updated_at=parse_time(payload.get("updated_at")),
    )


def option_values(child: Mapping[str, Any], parent: Mapping[str, Any],
                  attributes: Mapping[str, AttributeInfo]) -> dict[str, str]:
    """A child's configurable option labels, e.g. {"Size": "M", "Color": "Blue"}."""
    attrs = custom_attributes(child)
    out: dict[str, str] = {}
    for option in sorted(configurable_options(parent), key=_position):
        info = attributes.get(str(option.get("attribute_id")))
        if info is None:
            raise DataError(f"attribute {option.get('attribute_id')} of {parent.get('sku')} is unknown",
                            field="configurable_product_options")
        raw = attrs.get(info.code)
        if raw in (None, ""):
            raise DataError(f"child {child.get('sku')} has no {info.code} value", field=info.code)
        out[str(option.get("label") or info.label)] = info.options.get(str(raw), str(raw))
    return out


def configurable_options(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A configurable's options (which attributes its children differ by)."""
    extension = edge.obj(payload.get("extension_attributes"), "extension_attributes", what=WHAT)
    return edge.objs(extension.get("configurable_product_options"),
                     "extension_attributes.configurable_product_options", what=WHAT)


def _position(option: Mapping[str, Any]) -> int:
    return edge.whole(option.get("position"), "configurable_product_options.position", what=WHAT)


def child_ids(payload: Mapping[str, Any]) -> list[int]:
    """Entity ids of a configurable's children."""
    extension = edge.obj(payload.get("extension_attributes"), "extension_attributes", what=WHAT)
    links = edge.items(extension.get("configurable_product_links"), "configurable_product_links", what=WHAT)
    return [edge.whole(i, "configurable_product_links", what=WHAT) for i in links]


def product_from_payload(
    payload: Mapping[str, Any], children: Sequence[Mapping[str, Any]] = (), *,
    attributes: Mapping[str, AttributeInfo] | None = None, source_items: Sequence[Mapping[str, Any]] = (),
    salable: Mapping[str, int] | None = None, unit: WeightUnit = WeightUnit.POUND, base_media_url: str = "",
) -> Product:
    """A product: a configurable with one variant per child, or a simple product as its own single variant."""
    payload = edge.body(payload, WHAT)
    attrs = custom_attributes(payload)
    product_id = edge.required(payload, "id", what=WHAT)
    options = sorted(configurable_options(payload), key=_position)
    def variant(item: Mapping[str, Any], values: Mapping[str, str] | None) -> Variant:
        return variant_from_payload(item, product_id, options=values, source_items=source_items, salable=salable,
                                    unit=unit, base_media_url=base_media_url)

    if payload.get("type_id") == "configurable":
        variants = [variant(child, option_values(child, payload, attributes or {})) for child in children]
        names = [edge.text(o.get("label"), "configurable_product_options.label", what=WHAT) for o in options]
    else:
        variants = [variant(payload, None)]
        names = []
    return Product(
        id=product_id, title=edge.text(payload.get("name"), "name", what=WHAT),
        description_html=edge.text(attrs.get("description"), "description", what=WHAT),
        vendor=edge.text(attrs.get("manufacturer") or attrs.get("brand"), "manufacturer", what=WHAT),
        product_type=edge.text(payload.get("type_id"), "type_id", what=WHAT),
        handle=edge.text(attrs.get("url_key"), "url_key", what=WHAT),
        status=(ProductStatus.ACTIVE if (edge.whole(payload.get("status"), "status", what=WHAT) or 1) == 1
                else ProductStatus.DRAFT),
        category_ids=category_ids(payload),
        images=_images(payload, base_media_url),
        option_names=names, variants=variants,
        updated_at=parse_time(payload.get("updated_at")),
    )


def categories_from_tree(node: Mapping[str, Any], path: tuple[str, ...] = (),
                         parent_id: str | None = None, *, skip_root: bool = True) -> list[StoreCategory]:
    """Flatten `GET /V1/categories` (children_data tree); the invisible root (level 0/1) is not a category."""
    out: list[StoreCategory] = []
    level = int(node.get("level") or 0)
    is_root = skip_root and level <= 1
    here = path if is_root else (*path, str(node.get("name") or ""))
    if not is_root:
        out.append(StoreCategory(id=str(node["id"]), name=str(node.get("name") or ""), parent_id=parent_id,
                                 path=here))
    for child in node.get("children_data") or []:
        out += categories_from_tree(child, here, None if is_root else str(node["id"]), skip_root=skip_root)
    return out


def order_status(order: Mapping[str, Any]) -> StoreOrderStatus:
    """Our status from the Magento order `state`."""
    return ORDER_STATES.get(str(order.get("state") or "new"), StoreOrderStatus.PENDING)


def ref_from_order(order: Mapping[str, Any]) -> StoreOrderRef:
    """A reference to a Magento order; the TikTok order id is its `ext_order_id`."""
    return StoreOrderRef(id=str(order["entity_id"]), number=str(order.get("increment_id") or ""),
                         tiktok_order_id=str(order.get("ext_order_id") or ""), status=order_status(order))


def _split_name(name: str) -> tuple[str, str]:
    parts = name.strip().split(None, 1)
    if not parts:
        return "TikTok", "Buyer"
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "-")


def address_payload(address: Address, email: str, kind: str) -> dict[str, Any]:
    """An order address; Magento requires names, city, postcode and phone, so blanks get visible stand-ins."""
    first, last = _split_name(address.name)
    if not address.country_code:
        raise DataError("The TikTok order has no destination country", field="shipping_address.country_code")
    body: dict[str, Any] = {
        "address_type": kind, "firstname": first, "lastname": last, "email": email,
        "street": [line for line in (address.line1, address.line2) if line] or ["-"],
        "city": address.city or "-", "postcode": address.postal_code or "-",
        "country_id": address.country_code.upper(), "telephone": address.phone or "-",
    }
    if address.state:
        body["region"] = address.state
        body["region_code"] = address.state
    return body


def _money(value: Decimal) -> float:
    # Magento's schema types amounts as JSON numbers.
    return float(value)


def order_payload(draft: OrderDraft, *, store_id: int = 1, email_fallback: str) -> dict[str, Any]:
    """The `POST /V1/orders` entity for a TikTok order, carrying TikTok's own totals and its order id."""
    if not draft.lines:
        raise DataError("The TikTok order has no lines", field="lines")
    email = draft.email or email_fallback
    items = []
    for line in draft.lines:
        if line.quantity <= 0:
            raise DataError(f"line {line.sku} has quantity {line.quantity}", field="lines.quantity")
        row = line.unit_price * line.quantity
        original = line.original_price if line.original_price is not None else line.unit_price
        items.append({
            "sku": line.sku, "name": line.title, "product_id": int(line.store_variant_id),
            "product_type": "simple", "qty_ordered": line.quantity, "store_id": store_id,
            "price": _money(line.unit_price), "base_price": _money(line.unit_price),
            "original_price": _money(original), "base_original_price": _money(original),
            "price_incl_tax": _money(line.unit_price), "row_total": _money(row), "base_row_total": _money(row),
            "row_total_incl_tax": _money(row), "tax_amount": 0, "discount_amount": 0,
        })
    shipping = address_payload(draft.shipping_address, email, "shipping")
    billing = {**address_payload(draft.shipping_address, email, "billing")}
    first, last = shipping["firstname"], shipping["lastname"]
    total = draft.total or (draft.subtotal + draft.shipping + draft.tax - draft.seller_discount)
    amounts = {
        "subtotal": draft.subtotal, "shipping_amount": draft.shipping, "tax_amount": draft.tax,
        "discount_amount": -draft.seller_discount, "grand_total": total,
    }
    entity: dict[str, Any] = {
        "ext_order_id": draft.tiktok_order_id, "store_id": store_id,
        "state": "new", "status": "pending",
        "customer_email": email, "customer_firstname": first, "customer_lastname": last,
        "customer_is_guest": 1, "customer_group_id": 0, "customer_note": draft.buyer_message,
        "customer_note_notify": 0, "email_sent": 0,
        "order_currency_code": draft.currency, "base_currency_code": draft.currency,
        "global_currency_code": draft.currency, "store_currency_code": draft.currency,
        "base_to_global_rate": 1, "base_to_order_rate": 1,
        "shipping_description": "TikTok Shop shipping",
        "total_qty_ordered": sum(line.quantity for line in draft.lines), "total_item_count": len(items),
        "total_due": _money(total), "base_total_due": _money(total),
        "items": items, "billing_address": billing,
        "payment": {"method": "checkmo", "account_status": None, "cc_last4": None,
                    "additional_information": ["TikTok Shop", draft.tiktok_order_id],
                    "amount_ordered": _money(total), "base_amount_ordered": _money(total),
                    "shipping_amount": _money(draft.shipping), "base_shipping_amount": _money(draft.shipping)},
        "extension_attributes": {"shipping_assignments": [{
            "shipping": {"address": shipping, "method": "flatrate_flatrate",
                         "total": {"shipping_amount": _money(draft.shipping),
                                   "base_shipping_amount": _money(draft.shipping)}},
            "items": [],
        }]},
    }
    for key, value in amounts.items():
        entity[key] = _money(value)
        entity[f"base_{key}"] = _money(value)
    if draft.order_name:
        entity["increment_id"] = draft.order_name
    return entity


def order_comment(draft: OrderDraft) -> str:
    """The first order comment: the TikTok order id, label and what the buyer paid, for the merchant to see."""
    parts = [f"[{', '.join(draft.tags)}]" if draft.tags else "", draft.note or f"TikTok Shop order {draft.tiktok_order_id}"]
    if draft.platform_discount:
        parts.append(f"TikTok paid a platform discount of {draft.platform_discount} {draft.currency}.")
    if draft.buyer_message:
        parts.append(f"Buyer message: {draft.buyer_message}")
    return " ".join(p for p in parts if p)


def fulfilment_from_shipment(shipment: Mapping[str, Any],
                             order_items: Mapping[int, Mapping[str, Any]] | None = None) -> Fulfilment:
    """A shipment with its (first) tracking number; the carrier is the track's title, else its carrier code."""
    tracks = shipment.get("tracks") or []
    track = tracks[0] if tracks else {}
    lines = []
    for item in shipment.get("items") or []:
        order_item = (order_items or {}).get(int(item.get("order_item_id") or 0), {})
        product_id = item.get("product_id") or order_item.get("product_id") or ""
        lines.append(FulfilmentLine(store_variant_id=str(product_id), sku=str(item.get("sku") or ""),
                                    quantity=int(Decimal(str(item.get("qty") or 0)))))
    return Fulfilment(
        id=str(shipment["entity_id"]),
        carrier=str(track.get("title") or track.get("carrier_code") or ""),
        tracking_number=str(track.get("track_number") or ""),
        lines=tuple(lines), created_at=parse_time(shipment.get("created_at")),
    )


def carrier_code(carrier: str) -> str:
    """Magento's built-in carrier code for a carrier name, else 'custom' (the title keeps the name)."""
    lowered = carrier.lower()
    for code, words in {"ups": ("ups", "united parcel"), "usps": ("usps", "postal service"),
                        "fedex": ("fedex", "federal express"), "dhl": ("dhl",)}.items():
        if any(w in lowered for w in words):
            return code
    return "custom"
