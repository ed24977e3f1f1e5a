"""Orders: what buyers do (place, pay), the on-hold window, status changes with webhooks, and the seller's
Get Order List / Get Order Detail endpoints.

Flow: UNPAID → (pay) ON_HOLD for `on_hold_seconds` → AWAITING_SHIPMENT → (seller ships) AWAITING_COLLECTION →
IN_TRANSIT → DELIVERED → COMPLETED; CANCELLED from any state before shipping. One line item per unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feedbridge_sandbox.tiktok import catalog
from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog_api import check_time_filters, page, page_window
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Order, Package, Shop

ORDER_STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
                  "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")
NOT_YOURS = 21008111

BUYERS: dict[str, dict[str, str]] = {
    "US": {"name": "David Kong", "first_name": "David", "last_name": "Kong", "phone_number": "(+1)213-***-1234",
           "address_line1": "5800 Bristol Pkwy", "address_line2": "Suite 100", "postal_code": "90230",
           "city": "Culver City", "state": "California", "country": "United States"},
    "GB": {"name": "Amelia Hughes", "first_name": "Amelia", "last_name": "Hughes",
           "phone_number": "(+44)7700-***-123", "address_line1": "221B Baker Street", "address_line2": "",
           "postal_code": "NW1 6XE", "city": "London", "state": "England", "country": "United Kingdom"},
}
DEFAULT_BUYER = {"name": "Nguyen Minh Anh", "first_name": "Minh Anh", "last_name": "Nguyen",
                 "phone_number": "(+65)9***-1234", "address_line1": "1 Main Road", "address_line2": "",
                 "postal_code": "100000", "city": "Capital City", "state": "Central"}


def money(value: Decimal, shop: Shop) -> str:
    """An amount as TikTok writes it: a string with the currency's decimals."""
    places = shop.market.currency_decimals
    return str(value.quantize(Decimal(1) if places == 0 else Decimal(1).scaleb(-places)))


def recipient(shop: Shop, given: dict[str, Any] | None) -> dict[str, Any]:
    """A buyer address in the shop's market (defaults per market, overridable)."""
    base = dict(BUYERS.get(shop.region, DEFAULT_BUYER | {"country": shop.market.country}))
    base.update(given or {})
    full = ", ".join(p for p in (base["address_line1"], base.get("address_line2", ""), base["city"],
                                 base.get("state", ""), base["postal_code"]) if p)
    return {"full_address": full, "phone_number": base["phone_number"], "name": base["name"],
            "first_name": base["first_name"], "last_name": base["last_name"], "region_code": shop.region,
            "postal_code": base["postal_code"], "address_line1": base["address_line1"],
            "address_line2": base.get("address_line2", ""), "address_line3": "", "address_line4": "",
            "address_detail": base.get("address_line2", ""),
            "district_info": [{"address_level_name": "Country", "address_name": base.get("country", ""),
                               "address_level": "L0"},
                              {"address_level_name": "State", "address_name": base.get("state", ""),
                               "address_level": "L1"},
                              {"address_level_name": "City", "address_name": base["city"],
                               "address_level": "L2"}]}


def sku_image(runtime: Runtime, product: Any, sku: dict[str, Any]) -> str:
    """The URL of the SKU's own image, else the product's first main image."""
    uri = next((a["sku_img"]["uri"] for a in sku["sales_attributes"] if a.get("sku_img")),
               product.fields["main_images"][0]["uri"])
    return f"{runtime.base_url}/_sandbox/images/{uri}"


def set_status(runtime: Runtime, order: Order, status: str) -> None:
    """Move an order to `status` and send ORDER_STATUS_CHANGE (type 1; TikTok says CANCEL there)."""
    order.status = status
    order.update_time = runtime.state.now()
    for item in order.line_items:
        if item["display_status"] != "CANCELLED":
            item["display_status"] = status
    runtime.notify(order.shop_id, "ORDER_STATUS_CHANGE", {
        "order_id": order.id, "order_status": "CANCEL" if status == "CANCELLED" else status,
        "is_on_hold_order": status == "ON_HOLD", "update_time": order.update_time})


def place_order(runtime: Runtime, shop: Shop, body: dict[str, Any]) -> Order:
    """A buyer checks out: reserve stock, create the order UNPAID, then pay unless `pay` is false."""
    state = runtime.state
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise ApiError(21001001, "items: a non-empty list of {sku_id | seller_sku, quantity} is required")
    picked = []
    for row in items:
        found = state.find_sku(shop.id, str(row.get("sku_id") or ""), str(row.get("seller_sku") or ""))
        if found is None:
            raise ApiError(12052556, f"No listed SKU matches {row}")
        product, sku = found
        quantity = int(row.get("quantity", 1))
        if product.status != "ACTIVATE" or sku["status"] != "NORMAL":
            raise ApiError(12052901, f"SKU {sku['id']} is not for sale (product status {product.status})")
        if quantity < 1 or sku["inventory"][0]["quantity"] < quantity:
            raise ApiError(12052055, f"Not enough stock for SKU {sku['id']}: {sku['inventory'][0]['quantity']} left")
        picked.append((product, sku, quantity, row))
    now = state.now()
    option = catalog.seller_delivery_option(shop.market) if body.get("shipping_type", "SELLER") == "SELLER" else \
        next(o for o in catalog.delivery_options(shop.market) if o["type"] == "STANDARD")
    order = Order(state.new_id("5764"), shop.id, "UNPAID", [], {}, recipient(shop, body.get("recipient")),
                  user_id=str(body.get("user_id") or "7021436810468230477"),
                  buyer_email=str(body.get("buyer_email") or "v2b2V5@scs.tiktokw.us"),
                  buyer_message=str(body.get("buyer_message") or ""), create_time=now, update_time=now,
                  delivery_option=option, shipping_type=str(body.get("shipping_type") or "SELLER"))
    subtotal = original = seller_off = platform_off = Decimal(0)
    for product, sku, quantity, row in picked:
        sku["inventory"][0]["quantity"] -= quantity
        price = Decimal(sku["price"].get("sale_price") or sku["price"]["amount"])
        seller_discount = Decimal(str(row.get("seller_discount") or 0))
        platform_discount = Decimal(str(row.get("platform_discount") or 0))
        for _ in range(quantity):
            sale = price - seller_discount - platform_discount
            order.line_items.append({
                "id": state.new_id("5770"), "sku_id": sku["id"], "product_id": product.id,
                "product_name": product.fields["title"], "seller_sku": sku["seller_sku"],
                "sku_name": ", ".join(a["value_name"] for a in sku["sales_attributes"]) or "Default",
                "sku_image": sku_image(runtime, product, sku), "original_price": money(price, shop), "sale_price": money(sale, shop),
                "seller_discount": money(seller_discount, shop), "platform_discount": money(platform_discount, shop),
                "currency": shop.market.currency, "display_status": "UNPAID", "package_id": "",
                "package_status": "TO_FULFILL", "tracking_number": "", "shipping_provider_id": "",
                "shipping_provider_name": "", "is_gift": False, "cancel_reason": "", "cancel_user": "",
                "rts_time": 0, "sku_type": "NORMAL", "is_dangerous_good": False, "needs_prescription": False,
                "item_tax": [{"tax_type": "SALES_TAX", "tax_amount": money(Decimal(0), shop), "tax_rate": "0"}]})
            subtotal += sale + platform_discount
            original += price
            seller_off += seller_discount
            platform_off += platform_discount
    shipping = Decimal(str(body.get("shipping_fee") or "0"))
    total = subtotal - platform_off + shipping
    order.payment = {"currency": shop.market.currency, "sub_total": money(subtotal, shop),
                     "shipping_fee": money(shipping, shop), "seller_discount": money(seller_off, shop),
                     "platform_discount": money(platform_off, shop), "total_amount": money(total, shop),
                     "original_total_product_price": money(original, shop),
                     "original_shipping_fee": money(shipping, shop),
                     "shipping_fee_seller_discount": money(Decimal(0), shop),
                     "shipping_fee_platform_discount": money(Decimal(0), shop), "tax": money(Decimal(0), shop),
                     "product_tax": money(Decimal(0), shop), "shipping_fee_tax": money(Decimal(0), shop)}
    state.orders[order.id] = order
    runtime.notify(shop.id, "ORDER_STATUS_CHANGE", {"order_id": order.id, "order_status": "UNPAID",
                                                    "is_on_hold_order": False, "update_time": now})
    if body.get("pay", True):
        pay_order(runtime, order)
    return order


def pay_order(runtime: Runtime, order: Order) -> None:
    """The buyer pays: ON_HOLD for the cancellation window; one package covers every line item."""
    if order.status != "UNPAID":
        raise ApiError(21011003, f"Order {order.id} is {order.status}, not UNPAID")
    state = runtime.state
    order.paid_time = state.now()
    order.on_hold_until = runtime.clock.now() + runtime.settings.on_hold_seconds
    state.on_hold_orders.add(order.id)
    package = Package(state.new_id("1152"), order.shop_id, order.id, [i["id"] for i in order.line_items],
                      "PROCESSING", state.now(), state.now())
    state.packages[package.id] = package
    order.package_ids.append(package.id)
    for item in order.line_items:
        item["package_id"] = package.id
    set_status(runtime, order, "ON_HOLD")


def on_hold_ticker(runtime: Runtime) -> None:
    """Release paid orders whose buyer-remorse window ended."""
    now = runtime.clock.now()
    for order_id in sorted(runtime.state.on_hold_orders):
        order = runtime.state.orders[order_id]
        if order.status != "ON_HOLD":
            runtime.state.on_hold_orders.discard(order_id)
        elif order.on_hold_until is not None and order.on_hold_until <= now:
            order.on_hold_until = None
            runtime.state.on_hold_orders.discard(order_id)
            set_status(runtime, order, "AWAITING_SHIPMENT")


def release_stock(runtime: Runtime, order: Order, line_item_ids: list[str] | None = None) -> None:
    """Put the units of cancelled line items back in stock."""
    for item in order.line_items:
        if line_item_ids is not None and item["id"] not in line_item_ids:
            continue
        found = runtime.state.find_sku(order.shop_id, item["sku_id"])
        if found:
            found[1]["inventory"][0]["quantity"] += 1


def order_view(runtime: Runtime, order: Order) -> dict[str, Any]:
    """One order as Get Order Detail / Get Order List return it."""
    shop = runtime.state.shops[order.shop_id]
    packages = [runtime.state.packages[p] for p in order.package_ids if p in runtime.state.packages]
    shipped = [p for p in packages if p.tracking_number]
    first = shipped[0] if shipped else None
    option = order.delivery_option
    out: dict[str, Any] = {
        "id": order.id, "status": order.status, "user_id": order.user_id, "buyer_email": order.buyer_email,
        "buyer_message": order.buyer_message, "seller_note": order.seller_note,
        "create_time": order.create_time, "update_time": order.update_time,
        "payment": dict(order.payment), "line_items": [dict(i) for i in order.line_items],
        "packages": [{"id": p.id} for p in packages],
        "fulfillment_type": "FULFILLMENT_BY_SELLER", "shipping_type": order.shipping_type,
        "delivery_option_id": option["id"], "delivery_option_name": option["name"],
        "delivery_type": "HOME_DELIVERY", "warehouse_id": shop.warehouse_id,
        "is_on_hold_order": order.status == "ON_HOLD", "is_sample_order": False, "is_replacement_order": False,
        "is_exchange_order": False, "is_cod": False, "is_buyer_request_cancel": order.is_buyer_request_cancel,
        "has_updated_recipient_address": False, "order_type": "NORMAL", "commerce_platform": "TIKTOK_SHOP",
        "split_or_combine_tag": "SPLIT" if len(packages) > 1 else "",
        "payment_method_name": "Credit/Debit card",
        "rts_sla_time": order.create_time + 2 * 86400, "tts_sla_time": order.create_time + 3 * 86400,
        "shipping_due_time": order.create_time + 3 * 86400, "delivery_option_required_delivery_time":
            order.create_time + 7 * 86400, "cancel_order_sla_time": order.create_time + 3 * 86400,
    }
    if order.status != "ON_HOLD":
        # TikTok withholds the address while the buyer can still cancel (on hold).
        out["recipient_address"] = order.recipient_address
    if order.paid_time:
        out["paid_time"] = order.paid_time
    if first:
        out.update({"tracking_number": first.tracking_number, "shipping_provider": first.shipping_provider_name,
                    "shipping_provider_id": first.shipping_provider_id})
    for key, value in (("rts_time", order.rts_time), ("collection_time", order.collection_time),
                       ("delivery_time", order.delivery_time), ("cancel_time", order.cancel_time)):
        if value:
            out[key] = value
    if order.cancel_reason:
        out["cancel_reason"] = order.cancel_reason
        out["cancellation_initiator"] = order.cancellation_initiator
    return out


def shop_order(runtime: Runtime, shop: Shop, order_id: str) -> Order:
    """An order of the shop, or 21008111 when it is unknown or another shop's."""
    order = runtime.state.orders.get(order_id)
    if order is None or order.shop_id != shop.id:
        raise ApiError(NOT_YOURS, "The order or package does not belong to the current seller.")
    return order


async def get_order_detail(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /order/202309|202507/orders?ids=a,b (≤50)."""
    shop = ctx.need_shop()
    ids = [i for i in ctx.query.get("ids", "").split(",") if i]
    if not ids or len(ids) > 50:
        raise ApiError(21001001, "Invalid parameters: ids must list 1 to 50 order ids, comma-separated.")
    return {"orders": [order_view(runtime, shop_order(runtime, shop, i)) for i in ids]}


def _window(value: int, body: dict[str, Any], name: str) -> bool:
    low, high = body.get(f"{name}_ge"), body.get(f"{name}_lt")
    return (low is None or value >= int(low)) and (high is None or value < int(high))


async def search_orders(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /order/202309/orders/search."""
    shop, body = ctx.need_shop(), ctx.body()
    offset, size = page_window(ctx, default=20, low=1, high=100)
    check_time_filters(body, 21001001)
    status = body.get("order_status")
    if status and status not in ORDER_STATUSES:
        raise ApiError(21001001, f"Invalid parameters: order_status {status!r}")
    sort_field = ctx.query.get("sort_field", "create_time")
    if sort_field not in ("create_time", "update_time"):
        raise ApiError(21001001, "Invalid parameters: sort_field is create_time or update_time")
    descending = ctx.query.get("sort_order", "DESC").upper() != "ASC"
    found = [o for o in runtime.state.orders.values() if o.shop_id == shop.id
             and (not status or o.status == status)
             and _window(o.create_time, body, "create_time") and _window(o.update_time, body, "update_time")
             and (not body.get("shipping_type") or o.shipping_type == body["shipping_type"])
             and (not body.get("buyer_user_id") or o.user_id == str(body["buyer_user_id"]))
             and (body.get("is_buyer_request_cancel") is None
                  or o.is_buyer_request_cancel == bool(body["is_buyer_request_cancel"]))]
    found.sort(key=lambda o: (getattr(o, sort_field), o.id), reverse=descending)
    chunk, token = page(found, offset, size)
    return {"orders": [order_view(runtime, o) for o in chunk], "next_page_token": token,
            "total_count": len(found)}
