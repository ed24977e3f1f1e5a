"""Pure mappers between wc/v3 payloads and feedbridge domain objects (tested on specs/woocommerce/fixtures).

WooCommerce has one stock figure per product or variation and no locations, so stock lives under the single
location id "default". A variation whose `manage_stock` is "parent" shares its parent's stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from feedbridge.domain.catalog import Product, ProductStatus, StoreCategory, Variant, WeightUnit
from feedbridge.domain.money import quantize, to_decimal
from feedbridge.domain.orders import Fulfilment, FulfilmentLine, OrderDraft, StoreOrderRef, StoreOrderStatus
from feedbridge.errors import DataError

LOCATION_ID = "default"
TIKTOK_META_KEY = "_tiktok_order_id"
SOURCE_META_KEY = "_feedbridge_source"
PAYMENT_METHOD = "tiktok_shop"
# Order meta keys tracking plugins write, read when the Shipment Tracking REST route is not there.
# _wc_shipment_tracking_items: WooCommerce Shipment Tracking, also written by Advanced Shipment Tracking (zorem)
# for compatibility; ywot_*: YITH WooCommerce Order & Shipment Tracking; _aftership_*: AfterShip.
SHIPMENT_TRACKING_META = "_wc_shipment_tracking_items"

WEIGHT_UNITS = {"kg": WeightUnit.KILOGRAM, "g": WeightUnit.GRAM, "lbs": WeightUnit.POUND, "lb": WeightUnit.POUND,
                "oz": WeightUnit.OUNCE}
PRODUCT_STATUS = {"publish": ProductStatus.ACTIVE, "draft": ProductStatus.DRAFT, "pending": ProductStatus.DRAFT,
                  "private": ProductStatus.DRAFT, "trash": ProductStatus.ARCHIVED}
ORDER_STATUS_FROM_WC = {
    "pending": StoreOrderStatus.PENDING, "on-hold": StoreOrderStatus.PENDING, "failed": StoreOrderStatus.PENDING,
    "checkout-draft": StoreOrderStatus.PENDING, "processing": StoreOrderStatus.PROCESSING,
    "completed": StoreOrderStatus.COMPLETED, "cancelled": StoreOrderStatus.CANCELLED,
    "refunded": StoreOrderStatus.CANCELLED, "trash": StoreOrderStatus.CANCELLED,
}
# WooCommerce has no "shipped" status: a shipped order is "completed".
ORDER_STATUS_TO_WC = {
    StoreOrderStatus.PENDING: "pending", StoreOrderStatus.PROCESSING: "processing",
    StoreOrderStatus.SHIPPED: "completed", StoreOrderStatus.COMPLETED: "completed",
    StoreOrderStatus.CANCELLED: "cancelled",
}


def parse_time(text: str | None) -> datetime | None:
    """A wc/v3 `*_gmt` time ("2019-11-14T13:06:42", no zone) as an aware UTC datetime."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataError(f"{text!r} is not a date", field="date_modified_gmt") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wc_time(moment: datetime) -> str:
    """A datetime as WooCommerce's GMT query format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def timezone_name(site: Mapping[str, Any]) -> str:
    """The site's IANA time zone from the WordPress index; sites set to a whole-hour UTC offset get Etc/GMT±N."""
    name = str(site.get("timezone_string") or "")
    if name:
        return name
    try:
        offset = Decimal(str(site.get("gmt_offset") or 0))
    except ArithmeticError:
        return "UTC"
    if offset == 0 or offset != offset.to_integral_value():
        return "UTC"
    return f"Etc/GMT{-int(offset):+d}"  # the Etc zones count the other way: UTC+2 is Etc/GMT-2


def weight_unit(value: str) -> WeightUnit:
    """WooCommerce's weight unit setting as a WeightUnit."""
    try:
        return WEIGHT_UNITS[value.strip().lower()]
    except KeyError as exc:
        raise DataError(f"Unknown weight unit {value!r}", field="woocommerce_weight_unit") from exc


def _price(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    return to_decimal(value, field=field)


def _quantity(value: Any) -> int:
    """Stock as an int; WooCommerce can hold fractional stock (e.g. 16.5), which we round down."""
    if value in (None, ""):
        return 0
    return int(Decimal(str(value)))


def meta_value(record: Mapping[str, Any], key: str) -> Any:
    """The value of a meta_data key, or None."""
    for item in record.get("meta_data") or []:
        if item.get("key") == key:
            return item.get("value")
    return None


def _stock(record: Mapping[str, Any], parent: Mapping[str, Any] | None) -> tuple[dict[str, int], bool, bool]:
    """(stock per location, tracked, continue selling when out of stock) for a product or variation."""
    manage = record.get("manage_stock")
    holder = record
    if manage == "parent" and parent is not None:
        holder, manage = parent, parent.get("manage_stock")
    backorders = holder.get("backorders", record.get("backorders", "no")) != "no"
    if manage is True:
        return {LOCATION_ID: _quantity(holder.get("stock_quantity"))}, True, backorders
    # Untracked stock: WooCommerce only says in stock / out of stock / on backorder.
    status = record.get("stock_status", "instock")
    return {LOCATION_ID: 0}, False, status in ("instock", "onbackorder")


def _variant(record: Mapping[str, Any], product: Mapping[str, Any], *, variant_id: str, title: str,
             options: dict[str, str], unit: WeightUnit, image: str | None,
             parent_for_stock: Mapping[str, Any] | None) -> Variant:
    price = _price(record.get("price"), "price")
    regular = _price(record.get("regular_price"), "regular_price")
    if price is None:
        price = regular if regular is not None else Decimal(0)
    compare_at = regular if regular is not None and regular > price else None
    stock, tracked, continue_selling = _stock(record, parent_for_stock)
    weight = _price(record.get("weight") or product.get("weight"), "weight")
    return Variant(
        id=variant_id, product_id=str(product["id"]), sku=str(record.get("sku") or ""), price=price, title=title,
        options=options, compare_at_price=compare_at, weight=weight, weight_unit=unit, image_url=image, stock=stock,
        inventory_tracked=tracked, continue_selling=continue_selling,
        updated_at=parse_time(record.get("date_modified_gmt")),
    )


def variant_from_variation(variation: Mapping[str, Any], product: Mapping[str, Any], unit: WeightUnit) -> Variant:
    """One variation of a variable product."""
    options = {str(a.get("name")): str(a.get("option")) for a in variation.get("attributes") or []}
    image = (variation.get("image") or {}).get("src") or None
    return _variant(variation, product, variant_id=str(variation["id"]), title=" / ".join(options.values()),
                    options=options, unit=unit, image=image, parent_for_stock=product)


def product_from_wc(product: Mapping[str, Any], variations: Sequence[Mapping[str, Any]], unit: WeightUnit) -> Product:
    """A wc/v3 product (+ its variations when variable) as a domain Product.

    Simple products become one variant whose id is the product id. Grouped and external products have no
    SKU of their own that can be sold here, so they come back without variants and the engine says why.
    """
    images = [str(i["src"]) for i in product.get("images") or [] if i.get("src")]
    kind = str(product.get("type") or "simple")
    variants: list[Variant] = []
    option_names: list[str] = []
    if kind == "variable":
        option_names = [str(a["name"]) for a in product.get("attributes") or [] if a.get("variation")]
        variants = [variant_from_variation(v, product, unit) for v in variations]
    elif kind not in ("grouped", "external"):
        variants = [_variant(product, product, variant_id=str(product["id"]), title="", options={}, unit=unit,
                             image=images[0] if images else None, parent_for_stock=None)]
    return Product(
        id=str(product["id"]), title=str(product.get("name") or ""),
        description_html=str(product.get("description") or product.get("short_description") or ""),
        product_type=kind, handle=str(product.get("slug") or ""),
        status=PRODUCT_STATUS.get(str(product.get("status")), ProductStatus.DRAFT),
        category_ids=[str(c["id"]) for c in product.get("categories") or []],
        tags=[str(t["name"]) for t in product.get("tags") or []], images=images, option_names=option_names,
        variants=variants, updated_at=parse_time(product.get("date_modified_gmt")),
    )


def categories_from_wc(categories: Iterable[Mapping[str, Any]]) -> list[StoreCategory]:
    """Categories with their path of names from the root (WooCommerce gives only `parent`)."""
    by_id = {int(c["id"]): c for c in categories}

    def path(cid: int) -> tuple[str, ...]:
        """Names from the root to this category."""
        names: list[str] = []
        seen: set[int] = set()
        while cid in by_id and cid not in seen:
            seen.add(cid)
            names.append(str(by_id[cid]["name"]))
            cid = int(by_id[cid].get("parent") or 0)
        return tuple(reversed(names))

    return [StoreCategory(id=str(cid), name=str(c["name"]),
                          parent_id=str(c["parent"]) if int(c.get("parent") or 0) else None, path=path(cid))
            for cid, c in by_id.items()]


def _store_id(value: str, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{value!r} is not a WooCommerce id.", field=field) from exc


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last


def order_body(draft: OrderDraft) -> dict[str, Any]:
    """POST /orders body for a TikTok order: paid, priced as TikTok charged, the TikTok id in meta.

    The TikTok order id also goes into the shipping line's title: WooCommerce's order search matches order item
    names, so `find_order` can search for it, and the merchant sees where the order came from.
    """
    if not draft.lines:
        raise DataError("The order has no lines.", field="lines")
    address = draft.shipping_address
    first, last = _split_name(address.name)
    place = {"first_name": first, "last_name": last, "address_1": address.line1, "address_2": address.line2,
             "city": address.city, "state": address.state, "postcode": address.postal_code,
             "country": address.country_code, "phone": address.phone}
    lines = []
    for line in draft.lines:
        if line.quantity < 1:
            raise DataError(f"Quantity {line.quantity} for {line.sku} is not positive.", field="quantity")
        product_id = _store_id(line.store_product_id, "store_product_id")
        variation_id = (0 if line.store_variant_id in ("", line.store_product_id)
                        else _store_id(line.store_variant_id, "store_variant_id"))
        total = quantize(line.unit_price * line.quantity, draft.currency)
        subtotal = quantize((line.original_price or line.unit_price) * line.quantity, draft.currency)
        lines.append({"product_id": product_id, "variation_id": variation_id,
                      "quantity": line.quantity, "subtotal": str(max(subtotal, total)), "total": str(total)})
    fees = []
    if draft.tax:
        # TikTok collects the tax; it is recorded as a fee so WooCommerce does not add its own on top.
        fees.append({"name": "Tax collected by TikTok Shop", "tax_status": "none",
                     "total": str(quantize(draft.tax, draft.currency))})
    meta = [{"key": TIKTOK_META_KEY, "value": draft.tiktok_order_id},
            {"key": SOURCE_META_KEY, "value": "tiktok_shop"}]
    if draft.platform_discount:
        meta.append({"key": "_tiktok_platform_discount", "value": str(draft.platform_discount)})
    return {
        "status": "processing", "currency": draft.currency, "set_paid": True,
        "payment_method": PAYMENT_METHOD, "payment_method_title": "TikTok Shop",
        "transaction_id": draft.tiktok_order_id, "customer_note": draft.buyer_message,
        "billing": {**place, "email": draft.email}, "shipping": place,
        "line_items": lines,
        "shipping_lines": [{"method_id": PAYMENT_METHOD, "method_title": f"TikTok Shop order {draft.tiktok_order_id}",
                            "total": str(quantize(draft.shipping, draft.currency))}],
        "fee_lines": fees, "meta_data": meta,
    }


def order_label(draft: OrderDraft) -> str:
    """The private note that labels a TikTok order; it always names the TikTok order id."""
    label = f"TikTok Shop order {draft.tiktok_order_id}"
    note = draft.note.strip()
    if not note:
        return label
    return note if draft.tiktok_order_id in note else f"{label}. {note}"


def tiktok_order_id_of(order: Mapping[str, Any]) -> str | None:
    """The TikTok order id feedbridge stored on an order, if any."""
    value = meta_value(order, TIKTOK_META_KEY)
    return str(value) if value not in (None, "") else None


def order_ref(order: Mapping[str, Any]) -> StoreOrderRef:
    """A wc/v3 order as a StoreOrderRef."""
    return StoreOrderRef(id=str(order["id"]), number=str(order.get("number") or order["id"]),
                         tiktok_order_id=tiktok_order_id_of(order) or "",
                         status=ORDER_STATUS_FROM_WC.get(str(order.get("status")), StoreOrderStatus.PENDING))


def _order_lines(order: Mapping[str, Any]) -> tuple[FulfilmentLine, ...]:
    """The Shipment Tracking extension tracks whole orders, so a shipment covers every line."""
    return tuple(FulfilmentLine(store_variant_id=str(item.get("variation_id") or item.get("product_id")),
                                sku=str(item.get("sku") or ""), quantity=int(item.get("quantity") or 0))
                 for item in order.get("line_items") or [])


def _shipped_at(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():  # the meta stores a Unix timestamp
        return datetime.fromtimestamp(int(text), UTC)
    try:
        return datetime.combine(date.fromisoformat(text[:10]), datetime.min.time(), UTC)
    except ValueError:
        return None


def fulfilments_from_trackings(items: Iterable[Mapping[str, Any]], order: Mapping[str, Any]) -> list[Fulfilment]:
    """Entries of GET /wc-shipment-tracking/v3/orders/{id}/shipment-trackings."""
    lines = _order_lines(order)
    return [Fulfilment(id=str(item.get("tracking_id") or item.get("tracking_number")),
                       carrier=str(item.get("tracking_provider") or item.get("custom_tracking_provider") or ""),
                       tracking_number=str(item["tracking_number"]), lines=lines,
                       tracking_url=str(item.get("tracking_link") or ""), created_at=_shipped_at(item.get("date_shipped")))
            for item in items if item.get("tracking_number")]


def fulfilments_from_meta(order: Mapping[str, Any]) -> list[Fulfilment]:
    """Tracking numbers other plugins leave in order meta (see the module's SHIPMENT_TRACKING_META note)."""
    lines = _order_lines(order)
    found: list[Fulfilment] = []
    items = meta_value(order, SHIPMENT_TRACKING_META)
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not item.get("tracking_number"):
            continue
        carrier = item.get("custom_tracking_provider") or item.get("formatted_tracking_provider") or \
            item.get("tracking_provider") or ""
        found.append(Fulfilment(id=str(item.get("tracking_id") or item["tracking_number"]), carrier=str(carrier),
                                tracking_number=str(item["tracking_number"]), lines=lines,
                                tracking_url=str(item.get("custom_tracking_link") or item.get("formatted_tracking_link") or ""),
                                created_at=_shipped_at(item.get("date_shipped"))))
    yith = meta_value(order, "ywot_tracking_code")
    if yith:
        found.append(Fulfilment(id=f"ywot-{yith}", carrier=str(meta_value(order, "ywot_carrier_name") or
                                                                  meta_value(order, "ywot_carrier_id") or ""),
                                tracking_number=str(yith), lines=lines,
                                created_at=_shipped_at(meta_value(order, "ywot_pick_up_date"))))
    aftership = meta_value(order, "_aftership_tracking_number")
    if aftership:
        found.append(Fulfilment(id=f"aftership-{aftership}",
                                carrier=str(meta_value(order, "_aftership_tracking_provider_name") or
                                            meta_value(order, "_aftership_tracking_provider") or ""),
                                tracking_number=str(aftership), lines=lines))
    return found


def merge_fulfilments(*groups: Iterable[Fulfilment]) -> list[Fulfilment]:
    """One fulfilment per tracking number, the first source winning."""
    seen: set[str] = set()
    out: list[Fulfilment] = []
    for group in groups:
        for item in group:
            if item.tracking_number not in seen:
                seen.add(item.tracking_number)
                out.append(item)
    return out


def tracking_body(fulfilment: Fulfilment, known_providers: Iterable[str]) -> dict[str, Any]:
    """POST shipment-trackings body: a provider the extension knows by name, else a custom provider."""
    if not fulfilment.tracking_number.strip():
        raise DataError("A shipment needs a tracking number.", field="tracking_number")
    known = {p.lower(): p for p in known_providers}
    body: dict[str, Any] = {"tracking_number": fulfilment.tracking_number.strip()}
    if fulfilment.carrier.lower() in known:
        body["tracking_provider"] = known[fulfilment.carrier.lower()]
    else:
        body["custom_tracking_provider"] = fulfilment.carrier
        if fulfilment.tracking_url:
            body["custom_tracking_link"] = fulfilment.tracking_url
    if fulfilment.created_at:
        body["date_shipped"] = fulfilment.created_at.date().isoformat()
    return body


def provider_names(payload: Any) -> list[str]:
    """Provider names from a providers route: Shipment Tracking answers {country: {name: url}}; other shapes
    (a list of provider objects) are read by their name fields."""
    names: list[str] = []
    if isinstance(payload, Mapping):
        for key, providers in payload.items():
            if isinstance(providers, Mapping):
                names.extend(str(n) for n in providers)
            elif isinstance(providers, str):
                names.append(str(key))
    elif isinstance(payload, list):
        for item in payload:
            if isinstance(item, Mapping):
                name = item.get("provider_name") or item.get("name")
                if name:
                    names.append(str(name))
    return names
