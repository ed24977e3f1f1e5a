"""Cancellations and returns: buyer requests (control API), the seller's cancel / approve / reject endpoints,
and Search Cancellations / Search Returns.

A buyer cancelling while the order is UNPAID or ON_HOLD is cancelled at once; later it becomes a request the
seller approves or rejects. Every change sends CANCELLATION_STATUS_CHANGE (11) or RETURN_STATUS_CHANGE (12),
and a completed cancellation also ORDER_STATUS_CHANGE (1) with CANCEL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog_api import check_time_filters, page, page_window
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.orders import money, release_stock, set_status, shop_order
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Cancellation, Order, Return, Shop

INVALID = 25001001
NO_PERMISSION = 25020005
CANCEL_REASONS = {"ecom_order_to_ship_canceled_reason_created_by_mistakes": "Order created by mistake",
                  "seller_cancel_reason_out_of_stock": "Out of stock",
                  "buyer_cancel_reason_change_mind": "No longer needed"}
RETURN_REASONS = {"ecom_order_delivered_refund_and_return_reason_wrong_size": "Wrong size",
                  "ecom_order_delivered_refund_reason_damaged": "Item damaged",
                  "ecom_order_delivered_refund_and_return_reason_not_as_described": "Not as described"}


def _refund(order: Order, shop: Shop, line_ids: list[str]) -> dict[str, str]:
    total = sum((Decimal(i["sale_price"]) for i in order.line_items if i["id"] in line_ids), Decimal(0))
    return {"currency": order.payment["currency"], "refund_total": money(total, shop),
            "refund_subtotal": money(total, shop), "refund_shipping_fee": money(Decimal(0), shop),
            "refund_tax": money(Decimal(0), shop)}


def cancel_now(runtime: Runtime, order: Order, cancellation: Cancellation) -> None:
    """Complete a cancellation: order CANCELLED, stock back, webhooks 11 and 1."""
    cancellation.status = "CANCELLATION_REQUEST_COMPLETE"
    cancellation.update_time = runtime.state.now()
    order.cancel_reason = cancellation.reason_text
    order.cancellation_initiator = cancellation.role
    order.cancel_time = runtime.state.now()
    order.is_buyer_request_cancel = False
    release_stock(runtime, order)
    for item in order.line_items:
        item.update({"display_status": "CANCELLED", "package_status": "CANCELLED",
                     "cancel_reason": cancellation.reason_text, "cancel_user": cancellation.role})
    for pid in order.package_ids:
        runtime.state.packages[pid].status = "CANCELLED"
    _notify_cancel(runtime, cancellation)
    set_status(runtime, order, "CANCELLED")


def _notify_cancel(runtime: Runtime, c: Cancellation) -> None:
    runtime.notify(c.shop_id, "CANCELLATION_STATUS_CHANGE", {
        "order_id": c.order_id, "cancellations_role": c.role, "cancel_status": c.status, "cancel_id": c.id,
        "create_time": c.create_time})


def _notify_return(runtime: Runtime, r: Return) -> None:
    runtime.notify(r.shop_id, "RETURN_STATUS_CHANGE", {
        "order_id": r.order_id, "return_role": r.role, "return_type": r.return_type, "return_status": r.status,
        "return_id": r.id, "create_time": r.create_time, "update_time": r.update_time})


def buyer_cancel(runtime: Runtime, order: Order, reason: str) -> Cancellation:
    """The buyer cancels: at once while UNPAID/ON_HOLD, as a pending request while awaiting shipment."""
    if order.status not in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"):
        raise ApiError(INVALID, f"Order {order.id} is {order.status}; buyers cancel only before it ships.")
    state = runtime.state
    now = state.now()
    reason = reason if reason in CANCEL_REASONS else "buyer_cancel_reason_change_mind"
    cancellation = Cancellation(state.new_id("4035"), order.shop_id, order.id, "BUYER_CANCEL",
                                "CANCELLATION_REQUEST_PENDING", "BUYER", reason, CANCEL_REASONS[reason],
                                [i["id"] for i in order.line_items], now, now)
    state.cancellations[cancellation.id] = cancellation
    if order.status in ("UNPAID", "ON_HOLD"):
        cancel_now(runtime, order, cancellation)
    else:
        order.is_buyer_request_cancel = True
        order.update_time = now
        _notify_cancel(runtime, cancellation)
    return cancellation


def buyer_return(runtime: Runtime, order: Order, body: dict[str, Any]) -> Return:
    """The buyer asks for a refund (REFUND) or a return (RETURN_AND_REFUND) after shipping."""
    if order.status not in ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"):
        raise ApiError(INVALID, f"Order {order.id} is {order.status}; returns open once it has shipped and "
                                "close when it is COMPLETED.")
    kind = str(body.get("type") or "RETURN_AND_REFUND")
    if kind not in ("REFUND", "RETURN_AND_REFUND"):
        raise ApiError(INVALID, "type is REFUND or RETURN_AND_REFUND")
    lines = [str(i) for i in body.get("line_item_ids") or [i["id"] for i in order.line_items]]
    if any(i not in {x["id"] for x in order.line_items} for i in lines):
        raise ApiError(INVALID, "line_item_ids must belong to the order")
    reason = str(body.get("reason") or "ecom_order_delivered_refund_and_return_reason_wrong_size")
    reason = reason if reason in RETURN_REASONS else "ecom_order_delivered_refund_and_return_reason_wrong_size"
    now = runtime.state.now()
    ret = Return(runtime.state.new_id("4036"), order.shop_id, order.id, kind, "RETURN_OR_REFUND_REQUEST_PENDING",
                 "BUYER", reason, RETURN_REASONS[reason], lines, now, now)
    runtime.state.returns[ret.id] = ret
    _notify_return(runtime, ret)
    return ret


def buyer_ships_return(runtime: Runtime, ret: Return, tracking: str, provider: str) -> None:
    """The buyer sends a returned item back (AWAITING_BUYER_SHIP → BUYER_SHIPPED_ITEM)."""
    if ret.status != "AWAITING_BUYER_SHIP":
        raise ApiError(INVALID, f"Return {ret.id} is {ret.status}, not AWAITING_BUYER_SHIP")
    ret.status, ret.tracking_number, ret.provider_name = "BUYER_SHIPPED_ITEM", tracking, provider
    ret.update_time = runtime.state.now()
    _notify_return(runtime, ret)


async def seller_cancel(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations: the seller cancels an order that has not shipped."""
    shop, body = ctx.need_shop(), ctx.body()
    order = shop_order(runtime, shop, str(body.get("order_id") or ""))
    reason = str(body.get("cancel_reason") or "")
    if not reason:
        raise ApiError(INVALID, "cancel_reason is required")
    if order.status not in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"):
        raise ApiError(INVALID, f"Order {order.id} is {order.status}; only orders that have not shipped can be "
                                "cancelled.")
    now = runtime.state.now()
    cancellation = Cancellation(runtime.state.new_id("4035"), shop.id, order.id, "CANCEL",
                                "CANCELLATION_REQUEST_PENDING", "SELLER", reason,
                                CANCEL_REASONS.get(reason, reason), [i["id"] for i in order.line_items], now, now)
    runtime.state.cancellations[cancellation.id] = cancellation
    cancel_now(runtime, order, cancellation)
    return {"cancel_id": cancellation.id, "cancel_status": cancellation.status}


def _cancellation(runtime: Runtime, ctx: Ctx) -> tuple[Cancellation, Order]:
    shop = ctx.need_shop()
    c = runtime.state.cancellations.get(ctx.path_params["cancel_id"])
    if c is None or c.shop_id != shop.id:
        raise ApiError(NO_PERMISSION, "No permission to process this order")
    if c.status != "CANCELLATION_REQUEST_PENDING":
        raise ApiError(INVALID, f"Cancellation {c.id} is {c.status}, not pending")
    return c, runtime.state.orders[c.order_id]


async def approve_cancellation(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/{cancel_id}/approve."""
    c, order = _cancellation(runtime, ctx)
    cancel_now(runtime, order, c)
    return {}


async def reject_cancellation(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/{cancel_id}/reject."""
    c, order = _cancellation(runtime, ctx)
    c.status, c.update_time = "CANCELLATION_REQUEST_CANCEL", runtime.state.now()
    order.is_buyer_request_cancel = False
    _notify_cancel(runtime, c)
    return {}


def _return(runtime: Runtime, ctx: Ctx) -> Return:
    shop = ctx.need_shop()
    r = runtime.state.returns.get(ctx.path_params["return_id"])
    if r is None or r.shop_id != shop.id:
        raise ApiError(NO_PERMISSION, "No permission to process this order")
    return r


async def approve_return(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/returns/{return_id}/approve: approve the request, or (after the buyer
    shipped the item back) confirm receipt; refunds complete the return."""
    r = _return(runtime, ctx)
    if r.status == "RETURN_OR_REFUND_REQUEST_PENDING":
        r.status = "RETURN_OR_REFUND_REQUEST_COMPLETE" if r.return_type == "REFUND" else "AWAITING_BUYER_SHIP"
    elif r.status == "BUYER_SHIPPED_ITEM":
        r.status = "RETURN_OR_REFUND_REQUEST_COMPLETE"
    else:
        raise ApiError(INVALID, f"Return {r.id} is {r.status}; nothing to approve")
    r.update_time = runtime.state.now()
    _notify_return(runtime, r)
    return {}


async def reject_return(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/returns/{return_id}/reject."""
    r = _return(runtime, ctx)
    if r.status not in ("RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM"):
        raise ApiError(INVALID, f"Return {r.id} is {r.status}; nothing to reject")
    r.status = "REFUND_OR_RETURN_REQUEST_REJECT" if r.status == "RETURN_OR_REFUND_REQUEST_PENDING" else \
        "REJECT_RECEIVE_PACKAGE"
    r.update_time = runtime.state.now()
    _notify_return(runtime, r)
    return {}


def _times(item: Any, body: dict[str, Any]) -> bool:
    for name in ("create_time", "update_time"):
        low, high = body.get(f"{name}_ge"), body.get(f"{name}_lt")
        value = getattr(item, name)
        if (low is not None and value < int(low)) or (high is not None and value >= int(high)):
            return False
    return True


def _line(order: Order, shop: Shop, line_id: str, prefix: str) -> dict[str, Any]:
    item = next(i for i in order.line_items if i["id"] == line_id)
    return {f"{prefix}_line_item_id": f"{line_id}9", "order_line_item_id": line_id, "sku_id": item["sku_id"],
            "sku_name": item["sku_name"], "product_name": item["product_name"], "seller_sku": item["seller_sku"],
            "product_image": {"url": item["sku_image"], "width": 200, "height": 200},
            "refund_amount": _refund(order, shop, [line_id])}


async def search_cancellations(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/search (page_size 1-50)."""
    shop, body = ctx.need_shop(), ctx.body()
    offset, size = page_window(ctx, default=10, low=1, high=50, required=False)
    check_time_filters(body, INVALID)
    found = [c for c in runtime.state.cancellations.values() if c.shop_id == shop.id
             and (not body.get("cancel_ids") or c.id in body["cancel_ids"])
             and (not body.get("order_ids") or c.order_id in body["order_ids"])
             and (not body.get("cancel_types") or c.cancel_type in body["cancel_types"])
             and (not body.get("cancel_status") or c.status in body["cancel_status"]) and _times(c, body)]
    found.sort(key=lambda c: (c.create_time, c.id), reverse=ctx.query.get("sort_order", "DESC") != "ASC")
    chunk, token = page(found, offset, size)
    rows = []
    for c in chunk:
        order = runtime.state.orders[c.order_id]
        rows.append({"cancel_id": c.id, "order_id": c.order_id, "cancel_type": c.cancel_type,
                     "cancel_status": c.status, "role": c.role, "cancel_reason": c.reason,
                     "cancel_reason_text": c.reason_text, "create_time": c.create_time, "update_time": c.update_time,
                     "refund_amount": _refund(order, shop, c.line_item_ids),
                     "cancel_line_items": [_line(order, shop, i, "cancel") for i in c.line_item_ids],
                     "seller_next_action_response": [{"action": "SELLER_RESPOND_CANCEL",
                                                      "deadline": c.create_time + 2 * 86400}]
                     if c.status == "CANCELLATION_REQUEST_PENDING" else []})
    return {"cancellations": rows, "total_count": len(found), "next_page_token": token}


async def search_returns(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/returns/search (page_size 10-50)."""
    shop, body = ctx.need_shop(), ctx.body()
    offset, size = page_window(ctx, default=10, low=10, high=50, required=False)
    check_time_filters(body, INVALID)
    found = [r for r in runtime.state.returns.values() if r.shop_id == shop.id
             and (not body.get("return_ids") or r.id in body["return_ids"])
             and (not body.get("order_ids") or r.order_id in body["order_ids"])
             and (not body.get("return_types") or r.return_type in body["return_types"])
             and (not body.get("return_status") or r.status in body["return_status"]) and _times(r, body)]
    found.sort(key=lambda r: (r.create_time, r.id), reverse=ctx.query.get("sort_order", "DESC") != "ASC")
    chunk, token = page(found, offset, size)
    rows = []
    for r in chunk:
        order = runtime.state.orders[r.order_id]
        rows.append({"return_id": r.id, "order_id": r.order_id, "return_type": r.return_type,
                     "return_status": r.status, "role": r.role, "return_reason": r.reason,
                     "return_reason_text": r.reason_text, "create_time": r.create_time,
                     "update_time": r.update_time, "return_tracking_number": r.tracking_number,
                     "return_provider_name": r.provider_name, "refund_amount": _refund(order, shop, r.line_item_ids),
                     "return_line_items": [_line(order, shop, i, "return") for i in r.line_item_ids],
                     "shipment_type": "PLATFORM", "return_method": "BUYER_SHIP",
                     "seller_next_action_response": [{"action": "SELLER_RESPOND_REFUND",
                                                      "deadline": r.create_time + 2 * 86400}]
                     if r.status == "RETURN_OR_REFUND_REQUEST_PENDING" else []})
    return {"return_orders": rows, "total_count": len(found), "next_page_token": token}
