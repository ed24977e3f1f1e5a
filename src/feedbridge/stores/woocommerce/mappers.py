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
from feedbridge.domain.money import quantize
from feedbridge.domain.orders import Fulfilment, FulfilmentLine, OrderDraft, StoreOrderRef, StoreOrderStatus
from feedbridge.errors import DataError
from feedbridge.stores import payload

LOCATION_ID = "default"
TIKTOK_META_KEY = "_tiktok_order_id"
SOURCE_META_KEY = "_feedbridge_source"
PAYMENT_METHOD = "tiktok_shop"
# Order meta keys tracking plugins write, read when the Shipment Tracking REST route is not there.
# _wc_shipment_tracking_items: WooCommerce Shipment Tracking, also written by Advanced Shipment Tracking (zorem)
# for compatibility; ywot_*: YITH WooCommerce Order & Shipment Tracking; _aftership_*: AfterShip.
SHIPMENT_TRACKING_META = "_wc_shipment_tracking_items"
# Tracking plugins track whole orders. When feedbridge ships specific lines it records them here, keyed by
# tracking number: {"1Z...": [{"store_variant_id": "12", "sku": "MUG-1", "quantity": 2}]}.
SHIPMENTS_META = "_feedbridge_shipments"
# Where sequential-order-number plugins (e.g. SkyVerge's Sequential Order Numbers) keep an order's number.
ORDER_NUMBER_META = "_order_number"
ORDER_NUMBER_FORMATTED_META = "_order_number_formatted"

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


def parse_time(text: Any) -> datetime | None:
    """A wc/v3 `*_gmt` time ("2019-11-14T13:06:42", no zone) as an aware UTC datetime."""
    if not text:
        return None
    if not isinstance(text, str):
        raise DataError(f"{text!r} is not a date", field="date_modified_gmt")
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
    if value is None or value == "":
        return None
    return payload.number(value, field, what="WooCommerce product")


def _quantity(value: Any, field: str = "stock_quantity") -> int:
    """Stock as an int; WooCommerce can hold fractional stock (e.g. 16.5), which we round down."""
    if value is None or value == "":
        return 0
    return int(payload.number(value, field, what="WooCommerce product"))


def meta_value(record: Mapping[str, Any], key: str) -> Any:
    """The value of a meta_data key, or None."""
    for item in payload.objs(record.get("meta_data"), "meta_data", what="WooCommerce record"):
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
        id=variant_id, product_id=payload.required(product, "id", what="WooCommerce product"),
        sku=payload.text(record.get("sku"), "sku", what="WooCommerce product"), price=price, title=title,
        options=options, compare_at_price=compare_at, weight=weight, weight_unit=unit, image_url=image, stock=stock,
        inventory_tracked=tracked, continue_selling=continue_selling,
        updated_at=parse_time(record.get("date_modified_gmt")),
    )


def variant_from_variation(variation: Mapping[str, Any], product: Mapping[str, Any], unit: WeightUnit) -> Variant:
    """One variation of a variable product."""
    what = "WooCommerce variation"
    variation = payload.body(variation, what)
    options = {payload.text(a.get("name"), "attributes.name", what=what):
               payload.text(a.get("option"), "attributes.option", what=what)
               for a in payload.objs(variation.get("attributes"), "attributes", what=what)}
    image = payload.text(payload.obj(variation.get("image"), "image", what=what).get("src"), "image.src", what=what)
    variant_id = payload.required(variation, "id", what=what)
    return _variant(variation, product, variant_id=variant_id, title=" / ".join(options.values()),
                    options=options, unit=unit, image=image or None, parent_for_stock=product)


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
    if draft.order_name:
        # WooCommerce numbers orders by post id. Sequential-order-number plugins show their number from this meta
        # (`_order_number`, and `_order_number_formatted` in the Pro version) in the order list and emails.
        meta += [{"key": ORDER_NUMBER_META, "value": draft.order_name},
                 {"key": ORDER_NUMBER_FORMATTED_META, "value": draft.order_name}]
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
    text = label if not note else note if draft.tiktok_order_id in note else f"{label}. {note}"
    return f"Order number {draft.order_name}. {text}" if draft.order_name else text


def tiktok_order_id_of(order: Mapping[str, Any]) -> str | None:
    """The TikTok order id feedbridge stored on an order, if any."""
    value = payload.text(meta_value(order, TIKTOK_META_KEY), TIKTOK_META_KEY, what="WooCommerce order")
    return value or None


def order_ref(order: Mapping[str, Any]) -> StoreOrderRef:
    """A wc/v3 order as a StoreOrderRef."""
    what = "WooCommerce order"
    order = payload.body(order, what)
    order_id = payload.required(order, "id", what=what)
    return StoreOrderRef(id=order_id, number=payload.text(order.get("number"), "number", what=what) or order_id,
                         tiktok_order_id=tiktok_order_id_of(order) or "",
                         status=ORDER_STATUS_FROM_WC.get(payload.text(order.get("status"), "status", what=what),
                                                         StoreOrderStatus.PENDING))


def order_lines(order: Mapping[str, Any]) -> tuple[FulfilmentLine, ...]:
    """Every line of an order: what a tracking entry ships when nothing says which items it holds."""
    what = "WooCommerce order"
    return tuple(FulfilmentLine(store_variant_id=payload.text(item.get("variation_id") or item.get("product_id"),
                                                              "line_items.product_id", what=what),
                                sku=payload.text(item.get("sku"), "line_items.sku", what=what),
                                quantity=payload.whole(item.get("quantity"), "line_items.quantity", what=what))
                 for item in payload.objs(order.get("line_items"), "line_items", what=what))


def _shipped_at(value: Any) -> datetime | None:
    text = payload.text(value, "date_shipped", what="WooCommerce shipment").strip()
    if not text:
        return None
    try:
        if text.isascii() and text.isdigit():  # the meta stores a Unix timestamp
            return datetime.fromtimestamp(int(text), UTC)
        return datetime.combine(date.fromisoformat(text[:10]), datetime.min.time(), UTC)
    except (OverflowError, OSError, ValueError):
        return None  # an unreadable ship date leaves the time open; the tracking number still counts


def shipped_lines(order: Mapping[str, Any]) -> dict[str, tuple[FulfilmentLine, ...]]:
    """The lines feedbridge recorded per tracking number (SHIPMENTS_META); empty when it recorded none."""
    what = "WooCommerce order meta"
    recorded = payload.obj(meta_value(order, SHIPMENTS_META), SHIPMENTS_META, what=what)
    out: dict[str, tuple[FulfilmentLine, ...]] = {}
    for number, rows in recorded.items():
        field = f"{SHIPMENTS_META}.{number}"
        out[str(number)] = tuple(
            FulfilmentLine(store_variant_id=payload.required(row, "store_variant_id", what=what),
                           sku=payload.text(row.get("sku"), f"{field}.sku", what=what),
                           quantity=payload.whole(row.get("quantity"), f"{field}.quantity", what=what))
            for row in payload.objs(rows, field, what=what))
    return out


def shipments_meta(order: Mapping[str, Any], fulfilment: Fulfilment) -> dict[str, Any]:
    """SHIPMENTS_META's new value with this shipment's lines recorded under its tracking number."""
    recorded = {number: [{"store_variant_id": line.store_variant_id, "sku": line.sku, "quantity": line.quantity}
                         for line in lines] for number, lines in shipped_lines(order).items()}
    recorded[fulfilment.tracking_number.strip()] = [
        {"store_variant_id": line.store_variant_id, "sku": line.sku, "quantity": line.quantity}
        for line in fulfilment.lines]
    return recorded


def fully_shipped(order: Mapping[str, Any], recorded: Mapping[str, Any]) -> bool:
    """True when the recorded shipments (SHIPMENTS_META's value) cover every unit of every order line."""
    shipped: dict[str, int] = {}
    for rows in recorded.values():
        for row in rows:
            shipped[row["store_variant_id"]] = shipped.get(row["store_variant_id"], 0) + int(row["quantity"])
    return all(shipped.get(line.store_variant_id, 0) >= line.quantity for line in order_lines(order))


def _tracking_text(item: Mapping[str, Any], *keys: str) -> str:
    """The first non-empty of `keys` in a tracking entry, as text."""
    for key in keys:
        value = payload.text(item.get(key), key, what="WooCommerce shipment tracking").strip()
        if value:
            return value
    return ""


def fulfilments_from_trackings(items: Iterable[Mapping[str, Any]], order: Mapping[str, Any]) -> list[Fulfilment]:
    """Entries of GET /wc-shipment-tracking/v3/orders/{id}/shipment-trackings; each ships the lines feedbridge
    recorded for its tracking number, else the whole order."""
    lines = order_lines(order)
    recorded = shipped_lines(order)
    found: list[Fulfilment] = []
    for item in payload.objs(list(items), "shipment-trackings", what="WooCommerce shipment tracking"):
        number = _tracking_text(item, "tracking_number")
        if not number:
            continue
        found.append(Fulfilment(id=_tracking_text(item, "tracking_id") or number,
                                carrier=_tracking_text(item, "tracking_provider", "custom_tracking_provider"),
                                tracking_number=number, lines=recorded.get(number) or lines,
                                tracking_url=_tracking_text(item, "tracking_link"),
                                created_at=_shipped_at(item.get("date_shipped"))))
    return found


def fulfilments_from_meta(order: Mapping[str, Any]) -> list[Fulfilment]:
    """Tracking numbers other plugins leave in order meta (see the module's SHIPMENT_TRACKING_META note); each
    ships the lines feedbridge recorded for its tracking number, else the whole order."""
    order = payload.body(order, "WooCommerce order")
    lines = order_lines(order)
    recorded = shipped_lines(order)
    found: list[Fulfilment] = []
    items = meta_value(order, SHIPMENT_TRACKING_META)
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue  # another plugin's shape under the shared key; it names no tracking number we can read
        number = _tracking_text(item, "tracking_number")
        if not number:
            continue
        found.append(Fulfilment(
            id=_tracking_text(item, "tracking_id") or number,
            carrier=_tracking_text(item, "custom_tracking_provider", "formatted_tracking_provider",
                                   "tracking_provider"),
            tracking_number=number, lines=recorded.get(number) or lines,
            tracking_url=_tracking_text(item, "custom_tracking_link", "formatted_tracking_link"),
            created_at=_shipped_at(item.get("date_shipped"))))
    what = "WooCommerce order meta"
    yith = payload.text(meta_value(order, "ywot_tracking_code"), "ywot_tracking_code", what=what).strip()
    if yith:
        carrier = (payload.text(meta_value(order, "ywot_carrier_name"), "ywot_carrier_name", what=what)
                   or payload.text(meta_value(order, "ywot_carrier_id"), "ywot_carrier_id", what=what))
        found.append(Fulfilment(id=f"ywot-{yith}", carrier=carrier, tracking_number=yith,
                                lines=recorded.get(yith) or lines,
                                created_at=_shipped_at(meta_value(order, "ywot_pick_up_date"))))
    aftership = payload.text(meta_value(order, "_aftership_tracking_number"), "_aftership_tracking_number",
                             what=what).strip()
    if aftership:
        carrier = (payload.text(meta_value(order, "_aftership_tracking_provider_name"),
                                "_aftership_tracking_provider_name", what=what)
                   or payload.text(meta_value(order, "_aftership_tracking_provider"),
                                   "_aftership_tracking_provider", what=what))
        found.append(Fulfilment(id=f"aftership-{aftership}", carrier=carrier, tracking_number=aftership,
                                lines=recorded.get(aftership) or lines))
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
