"""Plumbing shared by the WooCommerce sandbox's route groups: auth, rate limit, errors, pagination, filters."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender, WindowLimiter
from feedbridge_sandbox.woocommerce import orders as order_ops
from feedbridge_sandbox.woocommerce.auth import KeyChecker
from feedbridge_sandbox.woocommerce.hooks import HookDispatcher
from feedbridge_sandbox.woocommerce.store import (
    ApiError,
    WooStore,
)

API = "/wp-json/wc/v3"
TRACKING = "/wp-json/wc-shipment-tracking/v3"
Handler = Callable[[Request], Awaitable[Any]]


def error_body(status: int) -> dict[str, Any]:
    """WordPress's body for an injected server error."""
    return {"code": "internal_server_error", "message": "There has been a critical error on this website.",
            "data": {"status": status}}


def _error(exc: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message, "data": {"status": exc.status}},
                        status_code=exc.status, headers=headers)


def parse_time(text: str, field: str) -> datetime:
    """An ISO date query argument as an aware datetime."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {field}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def int_list(value: str) -> set[int]:
    """A comma-separated id list."""
    try:
        return {int(x) for x in value.replace(" ", "").split(",") if x}
    except ValueError as exc:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): include") from exc


class WooApiBase:
    """The store, credentials, limiter and webhook machinery every route group uses."""

    def __init__(self, store: WooStore, keys: KeyChecker, clock: Clock, faults: FaultInjector,
                 sender: WebhookSender, rate_limit: int = 0, tracking_extension: bool = True) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock
        self.faults = faults
        self.sender = sender
        self.hooks = HookDispatcher(store, sender)
        self.rate_limit = rate_limit
        self.tracking_extension = tracking_extension
        self.limiter = WindowLimiter(rate_limit or 1)

    # ---- plumbing ---------------------------------------------------------------------------------------

    def api(self, handler: Handler, *, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a handler: auth, rate limit, error envelope, webhook flush."""
        async def endpoint(request: Request) -> Response:
            """The wrapped handler."""
            self.store.home = f"{request.url.scheme}://{request.url.netloc}"
            try:
                key = None
                if auth:
                    url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
                    query = dict(request.query_params.items())  # PHP's $_GET: the last duplicate wins
                    key = self.keys.authenticate(request.method, url, query, request.headers.get("authorization"))
                if self.rate_limit and key is not None and not self.limiter.hit(key.consumer_key):
                    _, reset = self.limiter.remaining(key.consumer_key)
                    return _error(ApiError(429, "woocommerce_rest_too_many_requests", "Too many requests."),
                                  {"Retry-After": str(max(1, math.ceil(reset)))})
                result = await handler(request)
            except ApiError as exc:
                return _error(exc)
            finally:
                self.flush()
            if isinstance(result, Response):
                return result
            return JSONResponse(result)
        return endpoint

    def flush(self) -> None:
        """Deliver the webhooks queued by the request just handled."""
        pending, self.store.pending = self.store.pending, []
        for topic, kind, object_id in pending:
            payload: dict[str, Any] | None
            if kind == "deleted":
                payload = {"id": object_id}
            elif kind == "product" and object_id in self.store.products:
                payload = self.store.product_json(self.store.products[object_id])
            elif kind == "variation" and object_id in self.store.variations:
                payload = self.store.variation_as_product_json(self.store.variations[object_id])
            elif kind == "order" and object_id in self.store.orders:
                payload = order_ops.order_json(self.store, self.store.orders[object_id])
            else:
                payload = None
            if payload is not None:
                self.hooks.fire(topic, payload)

    @staticmethod
    async def body(request: Request) -> dict[str, Any]:
        """The JSON object a request carries."""
        raw = await request.body()
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return data

    def page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """One page of a collection with X-WP-Total, X-WP-TotalPages and a Link header."""
        q = request.query_params
        try:
            per_page = int(q.get("per_page", "10"))
            page = int(q.get("page", "1"))
        except ValueError as exc:
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): per_page, page") from exc
        if not 1 <= per_page <= 100:
            raise ApiError(400, "rest_invalid_param",
                           "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))")
        if page < 1:
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): page")
        offset = int(q.get("offset", (page - 1) * per_page))
        total = len(items)
        pages = math.ceil(total / per_page) if total else 0
        chunk = items[offset:offset + per_page]
        if q.get("_fields"):
            # WordPress's global _fields parameter: answer only the named top-level fields.
            wanted = {f.strip() for f in q["_fields"].split(",") if f.strip()}
            chunk = [{k: v for k, v in item.items() if k in wanted} for item in chunk]
        base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        keep = {k: v for k, v in q.items() if not k.startswith("oauth_") and k not in ("consumer_key", "consumer_secret")}
        links = []
        if page > 1:
            links.append(f'<{base}?{urlencode({**keep, "page": page - 1})}>; rel="prev"')
        if page < pages:
            links.append(f'<{base}?{urlencode({**keep, "page": page + 1})}>; rel="next"')
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        return JSONResponse(chunk, headers=headers)

    def filter_dates(self, request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply after/before/modified_after/modified_before."""
        q = request.query_params
        gmt = q.get("dates_are_gmt") in ("1", "true")
        for arg, field, after in (("after", "date_created", True), ("before", "date_created", False),
                                  ("modified_after", "date_modified", True), ("modified_before", "date_modified", False)):
            if arg not in q:
                continue
            bound = parse_time(q[arg], arg)
            key = field + "_gmt" if gmt or bound.utcoffset() is not None else field
            def keep(item: dict[str, Any], key: str = key, bound: datetime = bound, after: bool = after) -> bool:
                """Inside the bound."""
                moment = datetime.fromisoformat(item[key]).replace(tzinfo=UTC)
                return moment > bound if after else moment < bound
            items = [i for i in items if keep(i)]
        return items

    @staticmethod
    def order_by(request: Request, items: list[dict[str, Any]], allowed: tuple[str, ...]) -> list[dict[str, Any]]:
        """Sort by `orderby`/`order`, refusing values WooCommerce refuses."""
        q = request.query_params
        orderby = q.get("orderby", "date")
        if orderby not in allowed:
            raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): orderby (orderby is not one of {', '.join(allowed)}.)")
        order = q.get("order", "desc")
        if order not in ("asc", "desc"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): order")
        keyfn: Callable[[dict[str, Any]], Any] = {
            "id": lambda i: i["id"], "date": lambda i: (i["date_created_gmt"], i["id"]),
            "modified": lambda i: (i["date_modified_gmt"], i["id"]), "title": lambda i: (i.get("name", ""), i["id"]),
            "slug": lambda i: (i.get("slug", ""), i["id"]), "include": lambda i: i["id"],
        }.get(orderby, lambda i: i["id"])
        return sorted(items, key=keyfn, reverse=order == "desc")
