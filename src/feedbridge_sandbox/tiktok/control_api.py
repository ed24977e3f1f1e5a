"""TikTok-specific control routes under /_sandbox: seller consent, shops, tokens, review rules, rate limit,
buyers (orders, payment, cancellations, returns), TikTok-side delivery, state inspection, uploaded images.

These simulate what happens outside the Open API (a seller clicking "authorize", a buyer checking out, a
carrier scanning a parcel). Errors answer HTTP 400 with {"error", "code"}.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.core import WindowLimiter
from feedbridge_sandbox.tiktok import aftersales, fulfillment, orders, review
from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.regions import REGIONS
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Shop

Json = dict[str, Any]


def _handler(runtime: Runtime, fn: Callable[[Request, Json], Awaitable[Any]]) -> Callable[[Request],
                                                                                          Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        runtime.tick()
        runtime.base_url = str(request.base_url).rstrip("/")
        try:
            raw = await request.body()
            body = await request.json() if raw.strip() else {}
            if not isinstance(body, dict):
                raise ApiError(400, "The body must be a JSON object.")
            result = await fn(request, body)
        except ApiError as error:
            return JSONResponse({"error": error.message, "code": error.code}, status_code=400)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return JSONResponse({"error": f"invalid request: {error!r}", "code": 400}, status_code=400)
        return result if isinstance(result, Response) else JSONResponse(result)

    return endpoint


def shop_summary(runtime: Runtime, shop: Shop) -> Json:
    """A shop with its currency, warehouses and latest tokens (control API only)."""
    grant = runtime.state.latest_grant(shop.id)
    return {**shop.as_api(), "currency": shop.market.currency, "warehouse_id": shop.warehouse_id,
            "return_warehouse_id": shop.return_warehouse_id,
            "access_token": grant.access_token if grant else "", "refresh_token": grant.refresh_token if grant else "",
            "access_token_expire_in": int(grant.access_expires) if grant else 0}


def control_routes(runtime: Runtime, create_shop: Callable[[str, str], Shop]) -> list[Route]:
    """Every TikTok control route (the shared ones come from feedbridge_sandbox.control)."""

    def shop_of(body: Json, request: Request | None = None) -> Shop:
        shop_id = str(body.get("shop_id") or (request.query_params.get("shop_id") if request else "") or "")
        shops = runtime.state.shops
        if not shop_id:
            return next(iter(shops.values()))
        if shop_id not in shops:
            raise ApiError(404, f"Unknown shop {shop_id}")
        return shops[shop_id]

    def order_of(request: Request) -> orders.Order:
        order = runtime.state.orders.get(request.path_params["order_id"])
        if order is None:
            raise ApiError(404, f"Unknown order {request.path_params['order_id']}")
        return order

    async def authorize(request: Request, body: Json) -> Json:
        ids = [str(i) for i in body.get("shop_ids") or [shop_of(body).id]]
        if any(i not in runtime.state.shops for i in ids):
            raise ApiError(404, f"Unknown shop in {ids}")
        code = runtime.state.new_auth_code(ids)
        return {"code": code.code, "shop_ids": ids, "expires_at": int(code.expires)}

    async def new_shop(request: Request, body: Json) -> Json:
        region = str(body.get("region") or "").upper()
        if region not in REGIONS:
            raise ApiError(400, f"region must be one of {', '.join(REGIONS)}")
        shop = create_shop(region, str(body.get("name") or f"Sandbox {region} Shop"))
        if body.get("issue_tokens", True):
            runtime.state.issue_grant([shop.id])
        return shop_summary(runtime, shop)

    async def list_shops(request: Request, body: Json) -> Json:
        return {"shops": [shop_summary(runtime, s) for s in runtime.state.shops.values()]}

    async def expire_tokens(request: Request, body: Json) -> Json:
        shop = shop_of(body)
        now = runtime.clock.now()
        for grant in runtime.state.grants:
            if shop.id in grant.shop_ids:
                grant.access_expires = min(grant.access_expires, now)
        return {"expired": shop.id}

    async def deauthorize(request: Request, body: Json) -> Json:
        shop = shop_of(body)
        for grant in runtime.state.grants:
            if shop.id in grant.shop_ids:
                grant.revoked = True
        runtime.notify(shop.id, "SELLER_DEAUTHORIZATION", {"message": f"The seller {shop.seller_name} has "
                                                                      "deauthorized the app."})
        return {"deauthorized": shop.id}

    async def rate_limit(request: Request, body: Json) -> Json:
        if request.method == "POST":
            limit = int(body.get("limit", runtime.settings.rate_limit))
            window = float(body.get("window", runtime.settings.rate_window))
            runtime.settings.rate_limit, runtime.settings.rate_window = limit, window
            runtime.limiter = WindowLimiter(limit, window)
        return {"limit": runtime.settings.rate_limit, "window": runtime.settings.rate_window}

    async def review_rules(request: Request, body: Json) -> Json:
        rules = runtime.settings.review
        if request.method == "POST":
            for key in ("fail_title_keywords", "reasons", "suggestions"):
                if key in body:
                    setattr(rules, key, [str(v) for v in body[key]])
            if "delay" in body:
                rules.delay = float(body["delay"])
        return rules.as_dict()

    async def force_review(request: Request, body: Json) -> Json:
        product = runtime.state.products.get(request.path_params["product_id"])
        if product is None or product.status != "PENDING":
            raise ApiError(400, "Only PENDING products can be reviewed")
        result = str(body.get("result") or "approve")
        review.decide(runtime, product, None if result == "rules" else result == "approve")
        return {"product_id": product.id, "status": product.status}

    async def tick(request: Request, body: Json) -> Json:
        runtime.tick()
        return {"now": runtime.clock.now()}

    async def app_webhook(request: Request, body: Json) -> Json:
        runtime.state.app.webhook_address = str(body.get("address") or "")
        return {"address": runtime.state.app.webhook_address}

    async def place(request: Request, body: Json) -> Json:
        order = orders.place_order(runtime, shop_of(body), body)
        return orders.order_view(runtime, order)

    async def pay(request: Request, body: Json) -> Json:
        order = order_of(request)
        orders.pay_order(runtime, order)
        return orders.order_view(runtime, order)

    async def cancel(request: Request, body: Json) -> Json:
        cancellation = aftersales.buyer_cancel(runtime, order_of(request), str(body.get("reason") or ""))
        return dataclasses.asdict(cancellation)

    async def request_return(request: Request, body: Json) -> Json:
        return dataclasses.asdict(aftersales.buyer_return(runtime, order_of(request), body))

    async def ship_return(request: Request, body: Json) -> Json:
        ret = runtime.state.returns.get(request.path_params["return_id"])
        if ret is None:
            raise ApiError(404, "Unknown return")
        aftersales.buyer_ships_return(runtime, ret, str(body.get("tracking_number") or "RT0000000001"),
                                      str(body.get("provider_name") or "Sandbox Returns"))
        return dataclasses.asdict(ret)

    async def advance(request: Request, body: Json) -> Json:
        order = order_of(request)
        fulfillment.advance_order(runtime, order, body.get("status"))
        return orders.order_view(runtime, order)

    async def update_address(request: Request, body: Json) -> Json:
        order = order_of(request)
        order.recipient_address = orders.recipient(runtime.state.shops[order.shop_id], body)
        order.update_time = runtime.state.now()
        runtime.notify(order.shop_id, "RECIPIENT_ADDRESS_UPDATE", {"order_id": order.id,
                                                                   "update_time": order.update_time})
        return orders.order_view(runtime, order)

    def dump(kind: str) -> Callable[[Request, Json], Awaitable[Json]]:
        async def handler(request: Request, body: Json) -> Json:
            items = getattr(runtime.state, kind).values()
            shop_id = request.query_params.get("shop_id")
            return {kind: [dataclasses.asdict(i) for i in items if not shop_id or i.shop_id == shop_id]}
        return handler

    async def image(request: Request) -> Response:
        stored = runtime.state.images.get(request.path_params["uri"])
        if stored is None:
            return Response(status_code=404)
        return Response(stored.data, media_type=stored.content_type)

    def r(path: str, fn: Callable[[Request, Json], Awaitable[Any]], methods: list[str]) -> Route:
        return Route(path, _handler(runtime, fn), methods=methods)

    return [
        r("/_sandbox/authorize", authorize, ["POST"]),
        r("/_sandbox/shops", new_shop, ["POST"]),
        r("/_sandbox/shops", list_shops, ["GET"]),
        r("/_sandbox/tokens/expire", expire_tokens, ["POST"]),
        r("/_sandbox/deauthorize", deauthorize, ["POST"]),
        r("/_sandbox/ratelimit", rate_limit, ["GET", "POST"]),
        r("/_sandbox/review_rules", review_rules, ["GET", "POST"]),
        r("/_sandbox/products/{product_id}/review", force_review, ["POST"]),
        r("/_sandbox/tick", tick, ["POST"]),
        r("/_sandbox/app_webhook", app_webhook, ["POST"]),
        r("/_sandbox/buyer/orders", place, ["POST"]),
        r("/_sandbox/buyer/orders/{order_id}/pay", pay, ["POST"]),
        r("/_sandbox/buyer/orders/{order_id}/cancel", cancel, ["POST"]),
        r("/_sandbox/buyer/orders/{order_id}/return", request_return, ["POST"]),
        r("/_sandbox/buyer/returns/{return_id}/ship", ship_return, ["POST"]),
        r("/_sandbox/buyer/orders/{order_id}/address", update_address, ["POST"]),
        r("/_sandbox/orders/{order_id}/advance", advance, ["POST"]),
        r("/_sandbox/products", dump("products"), ["GET"]),
        r("/_sandbox/orders", dump("orders"), ["GET"]),
        r("/_sandbox/packages", dump("packages"), ["GET"]),
        r("/_sandbox/cancellations", dump("cancellations"), ["GET"]),
        r("/_sandbox/returns", dump("returns"), ["GET"]),
        Route("/_sandbox/images/{uri:path}", image, methods=["GET"]),
    ]
