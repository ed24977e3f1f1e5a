"""Pure functions from TikTok Shop payloads to typed values (no I/O); tested on the documented samples.

Orders flow TikTok → store: `order_from_payload` reads Get Order Detail / Search Orders objects; TikTok has one
line item per unit, so `TikTokOrder.lines` groups them by SKU; `draft_from_order` builds the store order.
Products are read back to learn SKU ids, prices, stock, status and why an audit failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from feedbridge.domain.money import quantize, to_decimal
from feedbridge.domain.orders import Address, OrderDraft, OrderLine
from feedbridge.errors import DataError

ZERO = Decimal(0)
FULFILLABLE_STATUSES = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
# Before shipment the buyer (or TikTok) may still cancel.
CANCELLABLE_STATUSES = frozenset({"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"})


# ---- small readers -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """Ids may arrive as JSON numbers; they are always handled as strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _money(value: Any, field: str) -> Decimal:
    if value is None or value == "":
        return ZERO
    if isinstance(value, bool | list | dict):
        raise DataError(f"{value!r} is not an amount.", field=field)
    amount = to_decimal(value, field=field)
    if not amount.is_finite():
        raise DataError(f"{value!r} is not an amount.", field=field)
    return amount


def _int(value: Any, field: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise DataError(f"{value!r} is not a whole number.", field=field)
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(value)
        return int(number)
    except (ArithmeticError, ValueError) as exc:
        raise DataError(f"{value!r} is not a whole number.", field=field) from exc


def _time(value: Any, field: str) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise DataError(f"{value!r} is not a Unix time.", field=field) from exc


def _require(payload: Mapping[str, Any], key: str, what: str) -> str:
    value = _text(payload.get(key)).strip()
    if not value:
        raise DataError(f"The TikTok {what} has no {key}.", field=key)
    return value


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DataError(f"TikTok sent {field} that is not an object.", field=field)
    return value


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(f"TikTok sent {field} that is not a list.", field=field)
    return value


# ---- shops ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shop:
    """An authorized shop; `cipher` goes into every shop-scoped call."""

    id: str
    name: str
    region: str
    cipher: str
    seller_type: str = ""
    code: str = ""


def shop_from_payload(payload: Mapping[str, Any]) -> Shop:
    """One entry of Get Authorized Shops `data.shops[]`."""
    return Shop(
        id=_require(payload, "id", "shop"),
        name=_text(payload.get("name")),
        region=_text(payload.get("region")),
        cipher=_require(payload, "cipher", "shop"),
        seller_type=_text(payload.get("seller_type")),
        code=_text(payload.get("code")),
    )


# ---- orders --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    """Order totals in the order currency."""

    currency: str
    sub_total: Decimal = ZERO
    shipping_fee: Decimal = ZERO
    seller_discount: Decimal = ZERO
    platform_discount: Decimal = ZERO
    tax: Decimal = ZERO
    total_amount: Decimal = ZERO
    original_total_product_price: Decimal = ZERO
    original_shipping_fee: Decimal = ZERO
    shipping_fee_seller_discount: Decimal = ZERO
    shipping_fee_platform_discount: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class LineItem:
    """One unit of one SKU (TikTok has no quantity field: two of a SKU are two line items)."""

    id: str
    sku_id: str
    product_id: str
    seller_sku: str
    product_name: str
    sku_name: str
    sale_price: Decimal
    original_price: Decimal
    seller_discount: Decimal
    platform_discount: Decimal
    currency: str
    tax: Decimal = ZERO
    package_id: str = ""
    package_status: str = ""
    display_status: str = ""
    is_gift: bool = False
    cancel_reason: str = ""


@dataclass(frozen=True, slots=True)
class GroupedLine:
    """All line items of one SKU in an order: how many, and their money summed."""

    sku_id: str
    seller_sku: str
    product_id: str
    title: str
    quantity: int
    sale_total: Decimal
    original_total: Decimal
    seller_discount: Decimal
    platform_discount: Decimal
    tax: Decimal
    line_item_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TikTokOrder:
    """A TikTok order as feedbridge needs it."""

    id: str
    status: str
    currency: str
    payment: Payment
    line_items: tuple[LineItem, ...]
    address: Address
    create_time: datetime | None = None
    update_time: datetime | None = None
    paid_time: datetime | None = None
    full_address: str = ""
    buyer_message: str = ""
    seller_note: str = ""
    buyer_email: str = ""
    user_id: str = ""
    is_on_hold_order: bool = False
    is_sample_order: bool = False
    is_replacement_order: bool = False
    is_cod: bool = False
    shipping_type: str = ""
    fulfillment_type: str = ""
    delivery_option_id: str = ""
    delivery_option_name: str = ""
    warehouse_id: str = ""
    shipping_provider: str = ""
    shipping_provider_id: str = ""
    tracking_number: str = ""
    package_ids: tuple[str, ...] = ()
    cancel_reason: str = ""
    cancellation_initiator: str = ""

    @property
    def lines(self) -> list[GroupedLine]:
        """Line items grouped by SKU, in first-seen order."""
        return group_line_items(self.line_items)

    @property
    def can_fulfil(self) -> bool:
        """Whether the seller may ship now; ON_HOLD orders must not be fulfilled (buyer-remorse window)."""
        return not self.is_on_hold_order and self.status in FULFILLABLE_STATUSES


def _district(info: Sequence[Any], names: tuple[str, ...], levels: tuple[str, ...]) -> str:
    entries = [e for e in info if isinstance(e, Mapping)]
    for entry in entries:
        if _text(entry.get("address_level_name")).strip().lower() in names:
            return _text(entry.get("address_name"))
    for level in levels:
        for entry in entries:
            if _text(entry.get("address_level")).upper() == level:
                return _text(entry.get("address_name"))
    return ""


def address_from_payload(payload: Mapping[str, Any]) -> Address:
    """Recipient address (TikTok withholds it for ON_HOLD orders and platform logistics; fields are then empty)."""
    info = _list(payload.get("district_info"), "recipient_address.district_info")
    name = _text(payload.get("name")) or " ".join(
        p for p in (_text(payload.get("first_name")), _text(payload.get("last_name"))) if p
    )
    line1 = _text(payload.get("address_line1")) or _text(payload.get("address_detail"))
    line2_parts = [_text(payload.get(k)) for k in ("address_line2", "address_line3", "address_line4")]
    if payload.get("address_line1") and payload.get("address_detail"):
        line2_parts.insert(0, _text(payload.get("address_detail")))
    city = _text(payload.get("post_town")) or _district(info, ("city", "town", "post town"), ("L3", "L2"))
    return Address(
        name=name,
        phone=_text(payload.get("phone_number")),
        line1=line1,
        line2=", ".join(p for p in line2_parts if p),
        city=city,
        state=_district(info, ("state", "province", "region"), ("L1",)),
        postal_code=_text(payload.get("postal_code")),
        country_code=_text(payload.get("region_code")),
    )


def line_item_from_payload(payload: Mapping[str, Any], currency: str) -> LineItem:
    """One `line_items[]` entry."""
    taxes = _list(payload.get("item_tax"), "line_items.item_tax")
    tax = sum((_money(_mapping(t, "item_tax").get("tax_amount"), "item_tax.tax_amount") for t in taxes), ZERO)
    return LineItem(
        id=_require(payload, "id", "order line item"),
        sku_id=_require(payload, "sku_id", "order line item"),
        product_id=_text(payload.get("product_id")),
        seller_sku=_text(payload.get("seller_sku")),
        product_name=_text(payload.get("product_name")),
        sku_name=_text(payload.get("sku_name")),
        sale_price=_money(payload.get("sale_price"), "line_items.sale_price"),
        original_price=_money(payload.get("original_price"), "line_items.original_price"),
        seller_discount=_money(payload.get("seller_discount"), "line_items.seller_discount"),
        platform_discount=_money(payload.get("platform_discount"), "line_items.platform_discount"),
        currency=_text(payload.get("currency")) or currency,
        tax=tax,
        package_id=_text(payload.get("package_id")),
        package_status=_text(payload.get("package_status")),
        display_status=_text(payload.get("display_status")),
        is_gift=bool(payload.get("is_gift")),
        cancel_reason=_text(payload.get("cancel_reason")),
    )


def payment_from_payload(payload: Mapping[str, Any]) -> Payment:
    """The order's `payment` object."""

    def m(key: str) -> Decimal:
        return _money(payload.get(key), f"payment.{key}")

    return Payment(
        currency=_text(payload.get("currency")),
        sub_total=m("sub_total"),
        shipping_fee=m("shipping_fee"),
        seller_discount=m("seller_discount"),
        platform_discount=m("platform_discount"),
        tax=m("tax"),
        total_amount=m("total_amount"),
        original_total_product_price=m("original_total_product_price"),
        original_shipping_fee=m("original_shipping_fee"),
        shipping_fee_seller_discount=m("shipping_fee_seller_discount"),
        shipping_fee_platform_discount=m("shipping_fee_platform_discount"),
    )


def order_from_payload(payload: Mapping[str, Any]) -> TikTokOrder:
    """One order object from Get Order Detail (`data.orders[]`) or Search Orders."""
    if not isinstance(payload, Mapping):
        raise DataError("TikTok sent an order that is not an object.", field="orders")
    order_id = _require(payload, "id", "order")
    payment = payment_from_payload(_mapping(payload.get("payment"), "payment"))
    items = _list(payload.get("line_items"), "line_items")
    currency = payment.currency or next((_text(i.get("currency")) for i in items if isinstance(i, Mapping)), "")
    if not currency:
        raise DataError(f"TikTok order {order_id} has no currency.", field="payment.currency")
    line_items = tuple(line_item_from_payload(_mapping(i, "line_items[]"), currency) for i in items)
    recipient = _mapping(payload.get("recipient_address"), "recipient_address")
    packages = _list(payload.get("packages"), "packages")
    return TikTokOrder(
        id=order_id,
        status=_require(payload, "status", "order"),
        currency=currency,
        payment=payment,
        line_items=line_items,
        address=address_from_payload(recipient),
        create_time=_time(payload.get("create_time"), "create_time"),
        update_time=_time(payload.get("update_time"), "update_time"),
        paid_time=_time(payload.get("paid_time"), "paid_time"),
        full_address=_text(recipient.get("full_address")),
        buyer_message=_text(payload.get("buyer_message")),
        seller_note=_text(payload.get("seller_note")),
        buyer_email=_text(payload.get("buyer_email")),
        user_id=_text(payload.get("user_id")),
        is_on_hold_order=bool(payload.get("is_on_hold_order")) or payload.get("status") == "ON_HOLD",
        is_sample_order=bool(payload.get("is_sample_order")),
        is_replacement_order=bool(payload.get("is_replacement_order")),
        is_cod=bool(payload.get("is_cod")),
        shipping_type=_text(payload.get("shipping_type")),
        fulfillment_type=_text(payload.get("fulfillment_type")),
        delivery_option_id=_text(payload.get("delivery_option_id")),
        delivery_option_name=_text(payload.get("delivery_option_name")),
        warehouse_id=_text(payload.get("warehouse_id")),
        shipping_provider=_text(payload.get("shipping_provider")),
        shipping_provider_id=_text(payload.get("shipping_provider_id")),
        tracking_number=_text(payload.get("tracking_number")),
        package_ids=tuple(_text(_mapping(p, "packages[]").get("id")) for p in packages),
        cancel_reason=_text(payload.get("cancel_reason")),
        cancellation_initiator=_text(payload.get("cancellation_initiator")),
    )


def orders_from_detail(data: Mapping[str, Any]) -> list[TikTokOrder]:
    """Every order in a Get Order Detail / Search Orders `data` object."""
    return [order_from_payload(o) for o in _list(data.get("orders"), "orders")]


def group_line_items(items: Sequence[LineItem]) -> list[GroupedLine]:
    """Group per-unit line items by SKU id, summing money; order of first appearance is kept."""
    groups: dict[str, list[LineItem]] = {}
    for item in items:
        groups.setdefault(item.sku_id, []).append(item)
    result = []
    for sku_id, group in groups.items():
        first = group[0]
        result.append(
            GroupedLine(
                sku_id=sku_id,
                seller_sku=first.seller_sku,
                product_id=first.product_id,
                title=" - ".join(p for p in (first.product_name, first.sku_name) if p),
                quantity=len(group),
                sale_total=sum((i.sale_price for i in group), ZERO),
                original_total=sum((i.original_price for i in group), ZERO),
                seller_discount=sum((i.seller_discount for i in group), ZERO),
                platform_discount=sum((i.platform_discount for i in group), ZERO),
                tax=sum((i.tax for i in group), ZERO),
                line_item_ids=tuple(i.id for i in group),
            )
        )
    return result


# Finds the store product and variant for a TikTok SKU (sku_id, seller_sku); None when not mapped.
VariantLookup = Callable[[str, str], tuple[str, str] | None]


def draft_from_order(order: TikTokOrder, lookup: VariantLookup) -> OrderDraft:
    """The store order for a TikTok order. Unit prices are after seller discounts (TikTok pays the seller
    its platform discounts), so the store total matches what the merchant is paid for the goods.

    Raises DataError naming the SKU when a line is not linked to a store variant.
    """
    lines: list[OrderLine] = []
    for group in order.lines:
        found = lookup(group.sku_id, group.seller_sku)
        if found is None:
            label = group.seller_sku or group.sku_id
            raise DataError(
                f"TikTok order {order.id} contains SKU {label}, which is not linked to a product in your store. "
                "Link the listing, then retry the order.",
                field="line_items.sku_id",
            )
        store_product_id, store_variant_id = found
        paid = group.original_total - group.seller_discount
        lines.append(
            OrderLine(
                store_product_id=store_product_id,
                store_variant_id=store_variant_id,
                sku=group.seller_sku,
                title=group.title,
                quantity=group.quantity,
                unit_price=quantize(paid / group.quantity, order.currency),
                original_price=quantize(group.original_total / group.quantity, order.currency),
                tiktok_sku_id=group.sku_id,
            )
        )
    payment = order.payment
    subtotal = sum((line.unit_price * line.quantity for line in lines), ZERO)
    return OrderDraft(
        tiktok_order_id=order.id,
        currency=order.currency,
        lines=lines,
        subtotal=subtotal,
        shipping=payment.shipping_fee,
        tax=payment.tax,
        seller_discount=payment.seller_discount,
        platform_discount=payment.platform_discount,
        total=payment.total_amount,
        email=order.buyer_email,
        shipping_address=order.address,
        buyer_message=order.buyer_message,
        still_cancellable=order.status in CANCELLABLE_STATUSES,
        created_at=order.create_time,
    )


# ---- products ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    warehouse_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class TikTokSku:
    """One SKU as TikTok holds it. `price` is the local display price (sale_price)."""

    id: str
    seller_sku: str
    price: Decimal | None
    currency: str
    inventory: tuple[WarehouseStock, ...]
    external_sku_id: str = ""
    tax_exclusive_price: Decimal | None = None
    status: str = ""

    @property
    def quantity(self) -> int:
        """Stock across all warehouses."""
        return sum(w.quantity for w in self.inventory)


@dataclass(frozen=True, slots=True)
class AuditFailure:
    """Why TikTok's review rejected a product, in TikTok's words."""

    position: str
    reasons: tuple[str, ...]
    suggestions: tuple[str, ...]
    listing_platform: str = ""

    @property
    def message(self) -> str:
        """One line for the dashboard: where, why, and what TikTok suggests."""
        text = "; ".join(self.reasons) or "rejected"
        if self.position:
            text = f"{self.position}: {text}"
        if self.suggestions:
            text += ". " + " ".join(self.suggestions)
        return text


@dataclass(frozen=True, slots=True)
class TikTokProduct:
    """A TikTok product: identity, status, SKUs and audit outcome."""

    id: str
    title: str
    status: str
    skus: tuple[TikTokSku, ...]
    audit_status: str = ""
    audit_failed_reasons: tuple[AuditFailure, ...] = ()
    category_id: str = ""
    external_product_id: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None
    has_draft: bool = False

    def sku_by_seller_sku(self, seller_sku: str) -> TikTokSku | None:
        """The SKU with this seller_sku, if any."""
        return next((s for s in self.skus if s.seller_sku == seller_sku), None)


def _price(payload: Mapping[str, Any], key: str) -> Decimal | None:
    value = payload.get(key)
    return None if value in (None, "") else _money(value, f"skus.price.{key}")


def sku_from_payload(payload: Mapping[str, Any]) -> TikTokSku:
    """One `skus[]` entry from Get Product or Search Products."""
    price = _mapping(payload.get("price"), "skus.price")
    inventory = tuple(
        WarehouseStock(
            warehouse_id=_text(_mapping(w, "skus.inventory[]").get("warehouse_id")),
            quantity=_int(_mapping(w, "skus.inventory[]").get("quantity"), "skus.inventory.quantity"),
        )
        for w in _list(payload.get("inventory"), "skus.inventory")
    )
    display = _price(price, "sale_price")
    if display is None:
        display = _price(price, "amount")
    tax_exclusive = _price(price, "tax_exclusive_price")
    return TikTokSku(
        id=_require(payload, "id", "SKU"),
        seller_sku=_text(payload.get("seller_sku")),
        price=display if display is not None else tax_exclusive,
        currency=_text(price.get("currency")),
        inventory=inventory,
        external_sku_id=_text(payload.get("external_sku_id")),
        tax_exclusive_price=tax_exclusive,
        status=_text(_mapping(payload.get("status_info"), "skus.status_info").get("status")),
    )


def audit_failure_from_payload(payload: Mapping[str, Any]) -> AuditFailure:
    """One `audit_failed_reasons[]` entry."""
    return AuditFailure(
        position=_text(payload.get("position")),
        reasons=tuple(_text(r) for r in _list(payload.get("reasons"), "audit_failed_reasons.reasons")),
        suggestions=tuple(_text(s) for s in _list(payload.get("suggestions"), "audit_failed_reasons.suggestions")),
        listing_platform=_text(payload.get("listing_platform")),
    )


def product_from_payload(payload: Mapping[str, Any]) -> TikTokProduct:
    """A Get Product `data` object or one Search Products `products[]` entry."""
    if not isinstance(payload, Mapping):
        raise DataError("TikTok sent a product that is not an object.", field="product")
    chains = [_mapping(c, "category_chains[]") for c in _list(payload.get("category_chains"), "category_chains")]
    leaf = next((c for c in chains if c.get("is_leaf")), chains[-1] if chains else {})
    return TikTokProduct(
        id=_require(payload, "id", "product"),
        title=_text(payload.get("title")),
        status=_text(payload.get("status")),
        skus=tuple(sku_from_payload(_mapping(s, "skus[]")) for s in _list(payload.get("skus"), "skus")),
        audit_status=_text(_mapping(payload.get("audit"), "audit").get("status")),
        audit_failed_reasons=tuple(
            audit_failure_from_payload(_mapping(r, "audit_failed_reasons[]"))
            for r in _list(payload.get("audit_failed_reasons"), "audit_failed_reasons")
        ),
        category_id=_text(leaf.get("id")),
        external_product_id=_text(payload.get("external_product_id")),
        create_time=_time(payload.get("create_time"), "create_time"),
        update_time=_time(payload.get("update_time"), "update_time"),
        has_draft=bool(payload.get("has_draft")),
    )


# ---- after-sales and packages --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AfterSaleLine:
    """One line of a cancellation or return: which order line item and SKU, and the refund for it."""

    order_line_item_id: str
    sku_id: str
    seller_sku: str
    refund_total: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class AfterSale:
    """A cancellation (`kind` "cancellation") or a return/refund (`kind` "return") on a TikTok order."""

    kind: str
    id: str
    order_id: str
    type: str
    status: str
    role: str
    reason: str
    refund_total: Decimal
    currency: str
    lines: tuple[AfterSaleLine, ...]
    create_time: datetime | None = None
    update_time: datetime | None = None
    tracking_number: str = ""
    carrier: str = ""


def _after_sale_lines(items: list[Any], id_key: str) -> tuple[AfterSaleLine, ...]:
    lines = []
    for raw in items:
        item = _mapping(raw, id_key)
        refund = _mapping(item.get("refund_amount"), "refund_amount")
        lines.append(
            AfterSaleLine(
                order_line_item_id=_text(item.get("order_line_item_id")),
                sku_id=_text(item.get("sku_id")),
                seller_sku=_text(item.get("seller_sku")),
                refund_total=_money(refund.get("refund_total"), "refund_amount.refund_total"),
            )
        )
    return tuple(lines)


def cancellation_from_payload(payload: Mapping[str, Any]) -> AfterSale:
    """One `cancellations[]` entry of Search Cancellations."""
    refund = _mapping(payload.get("refund_amount"), "refund_amount")
    return AfterSale(
        kind="cancellation",
        id=_require(payload, "cancel_id", "cancellation"),
        order_id=_require(payload, "order_id", "cancellation"),
        type=_text(payload.get("cancel_type")),
        status=_text(payload.get("cancel_status")),
        role=_text(payload.get("role")),
        reason=_text(payload.get("cancel_reason_text")) or _text(payload.get("cancel_reason")),
        refund_total=_money(refund.get("refund_total"), "refund_amount.refund_total"),
        currency=_text(refund.get("currency")),
        lines=_after_sale_lines(_list(payload.get("cancel_line_items"), "cancel_line_items"), "cancel_line_items[]"),
        create_time=_time(payload.get("create_time"), "create_time"),
        update_time=_time(payload.get("update_time"), "update_time"),
    )


def return_from_payload(payload: Mapping[str, Any]) -> AfterSale:
    """One `return_orders[]` entry of Search Returns."""
    refund = _mapping(payload.get("refund_amount"), "refund_amount")
    return AfterSale(
        kind="return",
        id=_require(payload, "return_id", "return"),
        order_id=_require(payload, "order_id", "return"),
        type=_text(payload.get("return_type")),
        status=_text(payload.get("return_status")),
        role=_text(payload.get("role")),
        reason=_text(payload.get("return_reason_text")) or _text(payload.get("return_reason")),
        refund_total=_money(refund.get("refund_total"), "refund_amount.refund_total"),
        currency=_text(refund.get("currency")),
        lines=_after_sale_lines(_list(payload.get("return_line_items"), "return_line_items"), "return_line_items[]"),
        create_time=_time(payload.get("create_time"), "create_time"),
        update_time=_time(payload.get("update_time"), "update_time"),
        tracking_number=_text(payload.get("return_tracking_number")),
        carrier=_text(payload.get("return_provider_name")),
    )


@dataclass(frozen=True, slots=True)
class Package:
    """A TikTok package: its status, carrier, tracking number and the order line items inside."""

    id: str
    status: str
    shipping_type: str
    shipping_provider_id: str
    shipping_provider_name: str
    tracking_number: str
    order_ids: tuple[str, ...]
    order_line_item_ids: tuple[str, ...]
    update_time: datetime | None = None


def package_from_payload(payload: Mapping[str, Any]) -> Package:
    """Get Package Detail `data` (uses `package_id`) or a Search Package entry (uses `id`)."""
    package_id = _text(payload.get("package_id")) or _text(payload.get("id"))
    if not package_id:
        raise DataError("The TikTok package has no id.", field="package_id")
    orders = [_mapping(o, "orders[]") for o in _list(payload.get("orders"), "orders")]
    return Package(
        id=package_id,
        status=_text(payload.get("package_status")),
        shipping_type=_text(payload.get("shipping_type")),
        shipping_provider_id=_text(payload.get("shipping_provider_id")),
        shipping_provider_name=_text(payload.get("shipping_provider_name")),
        tracking_number=_text(payload.get("tracking_number")),
        order_ids=tuple(_text(o.get("id")) for o in orders),
        order_line_item_ids=tuple(_text(i) for i in _list(payload.get("order_line_item_ids"), "order_line_item_ids")),
        update_time=_time(payload.get("update_time"), "update_time"),
    )
