"""Fulfillment: packages (get, search), ship with tracking, mark package as shipped (split), update tracking,
tracking events, and the TikTok-side delivery steps the control API advances.

Shipping is refused while an order is UNPAID or ON_HOLD (TikTok's buyer-remorse window) and after it was
cancelled; the carrier must be one of the shop's shipping providers.
"""

from __future__ import annotations

import re
from typing import Any

from feedbridge_sandbox.tiktok import catalog
from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog_api import check_time_filters, page, page_window
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.orders import set_status, shop_order
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Order, Package, Shop

NOT_ALLOWED = 21011003
INVALID_PARAMS = 21001001
BAD_PROVIDER = 21011022
ALREADY_SHIPPED = 21011040
CANCELLED = 21011041
NOT_YOURS = 21011028
TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")
SPLIT_REGIONS = frozenset({"US", "GB"})
NEXT_STATUS = {"AWAITING_COLLECTION": "IN_TRANSIT", "IN_TRANSIT": "DELIVERED", "DELIVERED": "COMPLETED"}


def shop_package(runtime: Runtime, ctx: Ctx, package_id: str) -> tuple[Shop, Package]:
    """The package and its shop; shop_cipher is optional here, so fall back to the token's shops."""
    package = runtime.state.packages.get(package_id)
    allowed = [ctx.shop.id] if ctx.shop else ctx.grant.shop_ids
    if package is None or package.shop_id not in allowed:
        raise ApiError(NOT_YOURS, "The package does not belong to the current shop.")
    return runtime.state.shops[package.shop_id], package


def package_view(runtime: Runtime, package: Package) -> dict[str, Any]:
    """Get Package Detail's `data`."""
    order = runtime.state.orders[package.order_id]
    items = [i for i in order.line_items if i["id"] in package.line_item_ids]
    skus: dict[str, dict[str, Any]] = {}
    for item in items:
        sku = skus.setdefault(item["sku_id"], {"id": item["sku_id"], "name": item["sku_name"],
                                               "image_url": item["sku_image"], "quantity": 0})
        sku["quantity"] += 1
    return {
        "package_id": package.id, "orders": [{"id": order.id, "skus": list(skus.values())}],
        "package_status": package.status, "split_and_combine_tag": "SPLIT" if len(order.package_ids) > 1 else "",
        "has_multi_skus": len(skus) > 1, "note_tag": "BUYER_NOTED" if order.buyer_message else "BUYER_UNNOTED",
        "shipping_provider_name": package.shipping_provider_name, "shipping_provider_id":
            package.shipping_provider_id, "shipping_type": order.shipping_type,
        "delivery_option_name": order.delivery_option["name"], "delivery_option_id": order.delivery_option["id"],
        "tracking_number": package.tracking_number, "last_mile_tracking_number": package.tracking_number,
        "create_time": package.create_time, "update_time": package.update_time,
        "handover_method": package.handover_method or "DROP_OFF", "order_line_item_ids": list(package.line_item_ids),
        "recipient_address": {k: order.recipient_address[k] for k in (
            "full_address", "phone_number", "name", "postal_code", "address_detail", "region_code",
            "address_line1", "address_line2", "address_line3", "address_line4")}
        if order.status != "ON_HOLD" else {},
    }


async def get_package(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /fulfillment/202309/packages/{package_id}."""
    _, package = shop_package(runtime, ctx, ctx.path_params["package_id"])
    return package_view(runtime, package)


async def search_packages(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/search (page_size 1-50)."""
    body = ctx.body()
    offset, size = page_window(ctx, default=20, low=1, high=50)
    check_time_filters(body, INVALID_PARAMS)
    shops = [ctx.shop.id] if ctx.shop else ctx.grant.shop_ids
    status = body.get("package_status")
    found = [p for p in runtime.state.packages.values() if p.shop_id in shops
             and (not status or p.status == status)
             and all(_cmp(p, body, k) for k in ("create_time_ge", "create_time_lt", "update_time_ge",
                                               "update_time_lt"))]
    descending = ctx.query.get("sort_order", "DESC").upper() != "ASC"
    found.sort(key=lambda p: (p.create_time, p.id), reverse=descending)
    chunk, token = page(found, offset, size)
    rows = []
    for p in chunk:
        view = package_view(runtime, p)
        rows.append({"id": p.id, "orders": view["orders"], "create_time": p.create_time,
                     "update_time": p.update_time, "status": p.status, "tracking_number": p.tracking_number,
                     "shipping_provider_name": p.shipping_provider_name,
                     "shipping_provider_id": p.shipping_provider_id, "order_line_item_ids": p.line_item_ids})
    return {"next_page_token": token, "total_count": len(found), "packages": rows}


def _cmp(package: Package, body: dict[str, Any], key: str) -> bool:
    if body.get(key) is None:
        return True
    field, op = key.rsplit("_", 1)
    value = getattr(package, field)
    return value >= int(body[key]) if op == "ge" else value < int(body[key])


def check_shippable(order: Order, package: Package | None = None) -> None:
    """Refuse shipping an order that is unpaid, on hold, cancelled or already shipped."""
    if order.status == "CANCELLED":
        raise ApiError(CANCELLED, "Cannot complete the operation when order is cancelled.")
    if order.status in ("UNPAID", "ON_HOLD"):
        raise ApiError(NOT_ALLOWED, f"fulfill_unit action not allowed: order {order.id} is {order.status}; orders "
                                    "on hold must not be shipped until the buyer's cancellation window ends.")
    if package is not None and package.tracking_number:
        raise ApiError(ALREADY_SHIPPED, "Package has already been shipped.")
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        raise ApiError(NOT_ALLOWED, f"fulfill_unit action not allowed: order {order.id} is {order.status}.")


def provider_name(shop: Shop, provider_id: str, tracking: str) -> str:
    """Validate tracking number and carrier against the shop's providers; the carrier's name."""
    if not tracking or not provider_id:
        raise ApiError(INVALID_PARAMS, "Invalid parameters: tracking_number and shipping_provider_id are required.")
    if not TRACKING_RE.match(tracking):
        raise ApiError(21004012, "Tracking number has special characters, verify failed.")
    for provider in catalog.shipping_providers(shop.region):
        if provider["id"] == provider_id:
            return provider["name"]
    raise ApiError(BAD_PROVIDER, "Invalid tracking number or provider ID. Please double check and try again: "
                                 f"{provider_id} is not a shipping provider of this shop's delivery option.")


def mark_shipped(runtime: Runtime, order: Order, package: Package, tracking: str, provider_id: str,
                 provider: str, handover: str) -> None:
    """Record a shipment on a package and its line items; move the order on."""
    now = runtime.state.now()
    package.tracking_number, package.shipping_provider_id = tracking, provider_id
    package.shipping_provider_name, package.handover_method = provider, handover
    package.status, package.shipped_time, package.update_time = "FULFILLING", now, now
    for item in order.line_items:
        if item["id"] in package.line_item_ids:
            item.update({"package_id": package.id, "package_status": "FULFILLING", "tracking_number": tracking,
                         "shipping_provider_id": provider_id, "shipping_provider_name": provider, "rts_time": now})
    order.rts_time = now
    live = [runtime.state.packages[p] for p in order.package_ids]
    done = all(p.tracking_number for p in live) and all(
        i["package_id"] for i in order.line_items if i["display_status"] != "CANCELLED")
    set_status(runtime, order, "AWAITING_COLLECTION" if done else "PARTIALLY_SHIPPING")


async def ship_package(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/{package_id}/ship."""
    shop, package = shop_package(runtime, ctx, ctx.path_params["package_id"])
    order = runtime.state.orders[package.order_id]
    check_shippable(order, package)
    body = ctx.body()
    if order.shipping_type == "SELLER":
        shipment = body.get("self_shipment") or {}
        tracking = str(shipment.get("tracking_number") or "")
        provider_id = str(shipment.get("shipping_provider_id") or "")
        name = provider_name(shop, provider_id, tracking)
        mark_shipped(runtime, order, package, tracking, provider_id, name, "DROP_OFF")
    else:
        handover = str(body.get("handover_method") or "PICKUP")
        if handover not in ("PICKUP", "DROP_OFF"):
            raise ApiError(INVALID_PARAMS, "Invalid parameters: handover_method is PICKUP or DROP_OFF.")
        mark_shipped(runtime, order, package, f"TT{package.id[-12:]}", "6617675021119438849",
                     "TT Virtual express", handover)
    return {}


async def mark_package_shipped(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/orders/{order_id}/packages: ship some (or all remaining) line items with the
    seller's own carrier; a new package is split off when only part of the order ships."""
    shop = ctx.need_shop()
    if shop.region not in SPLIT_REGIONS:
        raise ApiError(21008106, "This interface cannot be used in this region.")
    order = shop_order(runtime, shop, ctx.path_params["order_id"])
    check_shippable(order)
    body = ctx.body()
    name = provider_name(shop, str(body.get("shipping_provider_id") or ""), str(body.get("tracking_number") or ""))
    unshipped = {i["id"] for i in order.line_items if i["display_status"] != "CANCELLED"
                 and not runtime.state.packages[i["package_id"]].tracking_number}
    wanted = [str(i) for i in body.get("order_line_item_ids") or sorted(unshipped)]
    if not wanted or any(i not in unshipped for i in wanted):
        raise ApiError(21011029, "order does not belong to fulfill unit: some line items are unknown or already "
                                 "shipped.")
    state = runtime.state
    source = state.packages[next(i for i in order.line_items if i["id"] == wanted[0])["package_id"]]
    if set(wanted) == set(source.line_item_ids):
        package = source
    else:
        package = Package(state.new_id("1152"), shop.id, order.id, wanted, "PROCESSING", state.now(), state.now())
        state.packages[package.id] = package
        order.package_ids.append(package.id)
        for p in [state.packages[pid] for pid in order.package_ids if pid != package.id]:
            p.line_item_ids = [i for i in p.line_item_ids if i not in wanted]
            if not p.line_item_ids:
                order.package_ids.remove(p.id)
                del state.packages[p.id]
    mark_shipped(runtime, order, package, str(body["tracking_number"]), str(body["shipping_provider_id"]), name,
                 "DROP_OFF")
    if package is not source:
        runtime.notify(shop.id, "PACKAGE_UPDATE", {
            "sc_type": "SPLIT", "role_type": "ROLE_SELLER",
            "package_list": [{"package_id": p, "order_id_list": [order.id]} for p in order.package_ids],
            "update_time": runtime.state.now()})
    return {"order_id": order.id, "order_line_item_ids": wanted, "package_id": package.id}


TRACKING_UPDATE_WINDOW = 72 * 3600


async def update_order_shipping_info(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/orders/{order_id}/shipping_info/update: seller-shipped orders with one
    package, within 72 hours of shipping."""
    shop = ctx.need_shop()
    order = shop_order(runtime, shop, ctx.path_params["order_id"])
    if len(order.package_ids) > 1:
        raise ApiError(21011048, "There are multiple packages in this order; update each package's shipping "
                                 "information instead.")
    package = runtime.state.packages[order.package_ids[0]] if order.package_ids else None
    return await _update_tracking(runtime, ctx, shop, package)


async def update_shipping_info(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/{package_id}/shipping_info/update."""
    shop, package = shop_package(runtime, ctx, ctx.path_params["package_id"])
    return await _update_tracking(runtime, ctx, shop, package)


async def _update_tracking(runtime: Runtime, ctx: Ctx, shop: Shop, package: Package | None) -> dict[str, Any]:
    if package is None:
        raise ApiError(21011043, "The package has not been shipped yet.")
    order = runtime.state.orders[package.order_id]
    if order.status == "CANCELLED":
        raise ApiError(21011042, "Cannot complete the operation when order is cancelled.")
    if not package.tracking_number:
        raise ApiError(21011043, "The package has not been shipped yet.")
    if package.status == "COMPLETED":
        raise ApiError(21011030, "Package has already been delivered.")
    if package.shipped_time and runtime.state.now() - package.shipped_time > TRACKING_UPDATE_WINDOW:
        raise ApiError(21011050, "The tracking number can only be updated within a certain number of hours "
                                 "(72 after shipping).")
    body = ctx.body()
    tracking, provider_id = str(body.get("tracking_number") or ""), str(body.get("shipping_provider_id") or "")
    name = provider_name(shop, provider_id, tracking)
    package.tracking_number, package.shipping_provider_id, package.shipping_provider_name = tracking, provider_id, name
    package.update_time = runtime.state.now()
    for item in order.line_items:
        if item["id"] in package.line_item_ids:
            item.update({"tracking_number": tracking, "shipping_provider_id": provider_id,
                         "shipping_provider_name": name})
    return {}


async def get_tracking(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /fulfillment/202309/orders/{order_id}/tracking."""
    order = shop_order(runtime, ctx.need_shop(), ctx.path_params["order_id"])
    events = []
    for stamp, text in ((order.rts_time, "Shipping label created; the seller handed the parcel over"),
                        (order.collection_time, "Parcel collected by the carrier"),
                        (order.delivery_time, "Delivered")):
        if stamp:
            events.append({"description": text, "update_time_millis": stamp * 1000})
    return {"tracking": list(reversed(events))}


def advance_order(runtime: Runtime, order: Order, target: str | None) -> None:
    """Move a shipped order along TikTok's side: IN_TRANSIT → DELIVERED → COMPLETED (one step, or to target)."""
    order_steps = ["AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"]
    if order.status not in NEXT_STATUS:
        raise ApiError(NOT_ALLOWED, f"Order {order.id} is {order.status}; only shipped orders can advance.")
    target = target or NEXT_STATUS[order.status]
    if target not in order_steps or order_steps.index(target) <= order_steps.index(order.status):
        raise ApiError(NOT_ALLOWED, f"Order {order.id} cannot go from {order.status} to {target}.")
    while order.status != target:
        step = NEXT_STATUS[order.status]
        now = runtime.state.now()
        if step == "IN_TRANSIT":
            order.collection_time = now
        if step == "DELIVERED":
            order.delivery_time = now
            for pid in order.package_ids:
                package = runtime.state.packages[pid]
                package.status, package.update_time = "COMPLETED", now
            for item in order.line_items:
                if item["display_status"] != "CANCELLED":
                    item["package_status"] = "COMPLETED"
        set_status(runtime, order, step)
