"""Pure functions between Shopify Admin GraphQL payloads and feedbridge domain objects.

Domain ids are Shopify's numeric ids as strings ("8971842846953"), the same numbers REST-shaped webhooks carry;
GraphQL calls use global ids (gid://shopify/Product/8971842846953).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
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
from feedbridge.domain.money import quantize, to_decimal
from feedbridge.domain.orders import (
    Fulfilment,
    FulfilmentLine,
    OrderDraft,
    StoreOrderRef,
    StoreOrderStatus,
)
from feedbridge.errors import DataError

TIKTOK_TAG = "TikTok Shop"
TIKTOK_ATTRIBUTE = "TikTok Shop order ID"
DEFAULT_OPTION = ("Title", "Default Title")

WEIGHT_UNITS = {"KILOGRAMS": WeightUnit.KILOGRAM, "GRAMS": WeightUnit.GRAM, "POUNDS": WeightUnit.POUND,
                "OUNCES": WeightUnit.OUNCE}
STATUSES = {"ACTIVE": ProductStatus.ACTIVE, "DRAFT": ProductStatus.DRAFT, "ARCHIVED": ProductStatus.ARCHIVED,
            # UNLISTED products sell through direct links and channels but are hidden in the online store.
            "UNLISTED": ProductStatus.ACTIVE}


def legacy_id(global_id: str | None) -> str:
    """The numeric id inside a Shopify global id ("gid://shopify/Product/123" -> "123")."""
    if not global_id:
        raise DataError("Shopify sent an object without an id", field="id")
    return str(global_id).split("?")[0].rsplit("/", 1)[-1]


def to_gid(kind: str, object_id: str) -> str:
    """A global id from a numeric id (a global id is returned as it is)."""
    text = str(object_id).strip()
    if text.startswith("gid://"):
        return text
    if not text.isdigit():
        raise DataError(f"{object_id!r} is not a Shopify {kind} id", field="id")
    return f"gid://shopify/{kind}/{text}"


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def nodes(connection: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The nodes of a connection, whether it was queried as `nodes` or as `edges { node }`."""
    if not connection:
        return []
    if connection.get("nodes") is not None:
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges") or []]


def store_info_from_shop(shop: Mapping[str, Any]) -> StoreInfo:
    return StoreInfo(name=shop["name"], currency=shop["currencyCode"],
                     weight_unit=WEIGHT_UNITS.get(shop.get("weightUnit") or "", WeightUnit.KILOGRAM),
                     timezone=shop.get("ianaTimezone") or "UTC", domain=shop.get("myshopifyDomain") or "")


def location_from_node(node: Mapping[str, Any]) -> Location:
    return Location(id=legacy_id(node["id"]), name=node.get("name") or "", active=node.get("isActive", True))


def category_from_node(node: Mapping[str, Any]) -> StoreCategory:
    title = node.get("title") or ""
    return StoreCategory(id=legacy_id(node["id"]), name=title, path=(title,))


def stock_from_levels(inventory_item: Mapping[str, Any] | None) -> dict[str, int]:
    """location id -> available quantity, from inventoryItem.inventoryLevels."""
    stock: dict[str, int] = {}
    for level in nodes((inventory_item or {}).get("inventoryLevels")):
        quantities = {q["name"]: q["quantity"] for q in level.get("quantities") or []}
        if "available" in quantities:
            stock[legacy_id(level["location"]["id"])] = int(quantities["available"])
    return stock


def _variant_image(node: Mapping[str, Any]) -> str | None:
    for media in nodes(node.get("media")):
        url = ((media.get("preview") or {}).get("image") or {}).get("url")
        if url:
            return str(url)
    return (node.get("image") or {}).get("url")


def variant_from_node(node: Mapping[str, Any], product_id: str) -> Variant:
    item = node.get("inventoryItem") or {}
    weight = ((item.get("measurement") or {}).get("weight")) or {}
    options = {o["name"]: o["value"] for o in node.get("selectedOptions") or []
               if (o["name"], o["value"]) != DEFAULT_OPTION}
    price = node.get("price")
    if price is None:
        raise DataError(f"Shopify variant {node.get('id')} has no price", field="price")
    compare_at = node.get("compareAtPrice")
    return Variant(
        id=legacy_id(node["id"]),
        product_id=product_id,
        sku=node.get("sku") or "",
        price=to_decimal(price, field="price"),
        title="" if node.get("title") == DEFAULT_OPTION[1] else node.get("title") or "",
        barcode=node.get("barcode") or None,
        options=options,
        compare_at_price=to_decimal(compare_at, field="compareAtPrice") if compare_at not in (None, "") else None,
        weight=to_decimal(weight["value"], field="weight") if weight.get("value") is not None else None,
        weight_unit=WEIGHT_UNITS.get(weight.get("unit") or "", WeightUnit.KILOGRAM),
        image_url=_variant_image(node),
        stock=stock_from_levels(item),
        inventory_tracked=bool(item.get("tracked", True)),
        continue_selling=node.get("inventoryPolicy") == "CONTINUE",
        updated_at=parse_time(node.get("updatedAt")),
    )


def product_from_node(node: Mapping[str, Any], extra_variants: Sequence[Mapping[str, Any]] = ()) -> Product:
    """A product with its variants; `extra_variants` are variants read from later pages of the same product."""
    product_id = legacy_id(node["id"])
    option_names = [o["name"] for o in node.get("options") or []]
    if option_names == [DEFAULT_OPTION[0]]:
        option_names = []
    featured = ((node.get("featuredMedia") or {}).get("preview") or {}).get("image") or {}
    variant_nodes = nodes(node.get("variants")) + list(extra_variants)
    return Product(
        id=product_id,
        title=node.get("title") or "",
        description_html=node.get("descriptionHtml") or "",
        vendor=node.get("vendor") or "",
        product_type=node.get("productType") or "",
        handle=node.get("handle") or "",
        status=STATUSES.get(node.get("status") or "ACTIVE", ProductStatus.DRAFT),
        tags=list(node.get("tags") or []),
        images=[featured["url"]] if featured.get("url") else [],
        option_names=option_names,
        variants=[variant_from_node(v, product_id) for v in variant_nodes],
        updated_at=parse_time(node.get("updatedAt")),
    )


def order_status(node: Mapping[str, Any]) -> StoreOrderStatus:
    """Shopify has no single order status: cancelled, closed and fulfilment state together say it."""
    if node.get("cancelledAt"):
        return StoreOrderStatus.CANCELLED
    if node.get("closed"):
        return StoreOrderStatus.COMPLETED
    fulfilment = node.get("displayFulfillmentStatus")
    if fulfilment == "FULFILLED":
        return StoreOrderStatus.SHIPPED
    if fulfilment in ("PARTIALLY_FULFILLED", "IN_PROGRESS"):
        return StoreOrderStatus.PROCESSING
    return StoreOrderStatus.PENDING


def order_ref_from_node(node: Mapping[str, Any]) -> StoreOrderRef:
    return StoreOrderRef(id=legacy_id(node["id"]), number=node.get("name") or "",
                         tiktok_order_id=node.get("sourceIdentifier") or "", status=order_status(node))


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": str(quantize(amount, currency)), "currencyCode": currency}}


def _name_parts(full_name: str) -> tuple[str, str]:
    first, _, last = full_name.strip().partition(" ")
    return (first, last) if last else ("", first)


def order_note(draft: OrderDraft) -> str:
    """The order note: always names the TikTok order, then the buyer's message."""
    label = f"TikTok Shop order {draft.tiktok_order_id}"
    parts = [draft.note if draft.tiktok_order_id in draft.note else "\n".join(p for p in (label, draft.note) if p)]
    if draft.buyer_message:
        parts.append(f"Buyer message: {draft.buyer_message}")
    return "\n".join(parts)


def order_input_from_draft(draft: OrderDraft) -> dict[str, Any]:
    """The orderCreate input for a TikTok order: paid, labelled, carrying the TikTok order id."""
    if not draft.lines:
        raise DataError(f"TikTok order {draft.tiktok_order_id} has no items", field="lines")
    currency = draft.currency.upper()
    address = draft.shipping_address
    first, last = _name_parts(address.name)
    mailing = {key: value for key, value in {
        "firstName": first, "lastName": last, "address1": address.line1, "address2": address.line2,
        "city": address.city, "provinceCode": address.state, "zip": address.postal_code,
        "countryCode": address.country_code.upper() or None, "phone": address.phone,
    }.items() if value}
    total = draft.total or (draft.subtotal + draft.shipping + draft.tax - draft.seller_discount)
    tags = list(dict.fromkeys([*draft.tags, TIKTOK_TAG]))
    attributes = [{"key": TIKTOK_ATTRIBUTE, "value": draft.tiktok_order_id}]
    if draft.platform_discount:
        attributes.append({"key": "TikTok Shop platform discount (paid by TikTok)",
                           "value": str(quantize(draft.platform_discount, currency))})
    order: dict[str, Any] = {
        "sourceIdentifier": draft.tiktok_order_id,
        "currency": currency,
        "tags": tags,
        "note": order_note(draft),
        "customAttributes": attributes,
        "financialStatus": "PAID",
        "lineItems": [{
            "variantId": to_gid("ProductVariant", line.store_variant_id),
            "quantity": line.quantity,
            "priceSet": _money(line.unit_price, currency),
            "requiresShipping": True,
        } for line in draft.lines],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": TIKTOK_TAG,
                          "amountSet": _money(total, currency)}],
    }
    if draft.email:
        order["email"] = draft.email
    if mailing:
        order["shippingAddress"] = mailing
        order["billingAddress"] = mailing
    if draft.shipping:
        order["shippingLines"] = [{"title": "TikTok Shop shipping", "code": "TIKTOK_SHOP", "source": "TikTok Shop",
                                   "priceSet": _money(draft.shipping, currency)}]
    if draft.tax:
        base = draft.subtotal or Decimal(1)
        order["taxLines"] = [{"title": "Tax collected by TikTok Shop", "rate": str((draft.tax / base).quantize(
            Decimal("0.0001"))), "priceSet": _money(draft.tax, currency)}]
    if draft.seller_discount:
        order["discountCode"] = {"itemFixedDiscountCode": {
            "code": "TIKTOK-SELLER-DISCOUNT", "amountSet": _money(draft.seller_discount, currency)}}
    if draft.order_name:
        order["name"] = draft.order_name
    if draft.created_at:
        order["processedAt"] = draft.created_at.isoformat()
    return order


def fulfilment_from_node(node: Mapping[str, Any]) -> Fulfilment:
    tracking = list(node.get("trackingInfo") or [])
    first = tracking[0] if tracking else {}
    lines = []
    for line in nodes(node.get("fulfillmentLineItems")):
        item = line.get("lineItem") or {}
        variant = item.get("variant") or {}
        lines.append(FulfilmentLine(store_variant_id=legacy_id(variant["id"]) if variant.get("id") else "",
                                    sku=item.get("sku") or "", quantity=int(line.get("quantity") or 0)))
    return Fulfilment(id=legacy_id(node["id"]), carrier=first.get("company") or "",
                      tracking_number=first.get("number") or "", lines=tuple(lines),
                      tracking_url=first.get("url") or "", created_at=parse_time(node.get("createdAt")))
