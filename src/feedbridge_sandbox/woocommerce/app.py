"""The WooCommerce sandbox's ASGI app: wc/v3 REST routes, the Shipment Tracking extension, and /_sandbox."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender, WindowLimiter
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.woocommerce import orders as order_ops
from feedbridge_sandbox.woocommerce.auth import KeyChecker
from feedbridge_sandbox.woocommerce.hooks import HookDispatcher, valid_topic
from feedbridge_sandbox.woocommerce.store import (
    CURRENCY,
    STORE_NAME,
    TRACKING_PROVIDERS,
    ApiError,
    Webhook,
    WooStore,
    wc_time,
)

API = "/wp-json/wc/v3"
TRACKING = "/wp-json/wc-shipment-tracking/v3"
Handler = Callable[[Request], Awaitable[Any]]


def error_body(status: int) -> dict[str, Any]:
    return {"code": "internal_server_error", "message": "There has been a critical error on this website.",
            "data": {"status": status}}


def _error(exc: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message, "data": {"status": exc.status}},
                        status_code=exc.status, headers=headers)


def _parse_time(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {field}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int_list(value: str) -> set[int]:
    try:
        return {int(x) for x in value.replace(" ", "").split(",") if x}
    except ValueError as exc:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): include") from exc


class WooApp:
    """Holds the store, credentials, limiter and webhook machinery behind one ASGI app."""

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
        async def endpoint(request: Request) -> Response:
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
        q = request.query_params
        gmt = q.get("dates_are_gmt") in ("1", "true")
        for arg, field, after in (("after", "date_created", True), ("before", "date_created", False),
                                  ("modified_after", "date_modified", True), ("modified_before", "date_modified", False)):
            if arg not in q:
                continue
            bound = _parse_time(q[arg], arg)
            key = field + "_gmt" if gmt or bound.utcoffset() is not None else field
            def keep(item: dict[str, Any], key: str = key, bound: datetime = bound, after: bool = after) -> bool:
                moment = datetime.fromisoformat(item[key]).replace(tzinfo=UTC)
                return moment > bound if after else moment < bound
            items = [i for i in items if keep(i)]
        return items

    @staticmethod
    def order_by(request: Request, items: list[dict[str, Any]], allowed: tuple[str, ...]) -> list[dict[str, Any]]:
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

    # ---- WordPress and settings --------------------------------------------------------------------------

    async def wp_index(self, request: Request) -> dict[str, Any]:
        return {"name": STORE_NAME, "description": "A WooCommerce store simulated by feedbridge",
                "url": self.store.home, "home": self.store.home, "gmt_offset": "0", "timezone_string": "UTC",
                "namespaces": ["wp/v2", "wc/v3", "wc-shipment-tracking/v3"], "authentication": {},
                "site_logo": 0, "site_icon": 0, "site_icon_url": "", "_links": {}}

    async def settings(self, request: Request) -> list[dict[str, Any]]:
        group = request.path_params["group"]
        values = {
            "general": {"woocommerce_currency": CURRENCY, "woocommerce_default_country": "US:TX",
                        "woocommerce_price_num_decimals": "2", "woocommerce_store_city": "Austin"},
            "products": {"woocommerce_weight_unit": "lbs", "woocommerce_dimension_unit": "in",
                         "woocommerce_manage_stock": "yes"},
        }.get(group)
        if values is None:
            raise ApiError(404, "rest_setting_setting_group_invalid", "Invalid setting group.")
        return [{"id": k, "label": k, "description": "", "type": "text", "default": "", "value": v,
                 "_links": {"self": [{"href": self.store.link(f"settings/{group}/{k}")}]}} for k, v in values.items()]

    # ---- products ---------------------------------------------------------------------------------------

    async def list_products(self, request: Request) -> Response:
        q = request.query_params
        items = [self.store.product_json(p) for p in self.store.products.values()]
        status = q.get("status", "any")
        items = [i for i in items if i["status"] != "trash"] if status == "any" else \
            [i for i in items if i["status"] == status]
        for arg in ("type", "sku"):
            if arg in q:
                wanted = set(q[arg].split(",")) if arg == "sku" else {q[arg]}
                items = [i for i in items if i[arg] in wanted]
        if "search" in q:
            term = q["search"].lower()
            items = [i for i in items if term in i["name"].lower() or term in i["description"].lower()]
        if "category" in q:
            cid = int(q["category"])
            items = [i for i in items if any(c["id"] == cid for c in i["categories"])]
        if "include" in q:
            ids = _int_list(q["include"])
            items = [i for i in items if i["id"] in ids]
        if "exclude" in q:
            ids = _int_list(q["exclude"])
            items = [i for i in items if i["id"] not in ids]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified", "price",
                                                "popularity", "rating", "menu_order"))
        return self.page(request, items)

    async def create_product(self, request: Request) -> Response:
        record = self.store.create_product(await self.body(request))
        return JSONResponse(self.store.product_json(record), status_code=201)

    async def get_product(self, request: Request) -> dict[str, Any]:
        pid = request.path_params["id"]
        if pid in self.store.variations:  # GET /products/{variation id} answers with the variation
            return self.store.variation_as_product_json(self.store.variations[pid])
        return self.store.product_json(self.store.get_product(pid))

    async def update_product(self, request: Request) -> dict[str, Any]:
        return self.store.product_json(self.store.update_product(request.path_params["id"], await self.body(request)))

    async def delete_product(self, request: Request) -> dict[str, Any]:
        """Without force=true a product goes to the trash (still readable, status "trash"), as in WordPress."""
        pid = request.path_params["id"]
        if request.query_params.get("force") in ("true", "1"):
            return self.store.product_json(self.store.delete_product(pid))
        record = self.store.get_product(pid)
        if record["status"] == "trash":
            raise ApiError(410, "woocommerce_rest_already_trashed", "The product has already been deleted.")
        record["status"] = "trash"
        self.store.stamp(record)
        self.store.emit("product.deleted", "deleted", pid)
        return self.store.product_json(record)

    async def list_variations(self, request: Request) -> Response:
        pid = request.path_params["product_id"]
        product = self.store.get_product(pid)
        items = [self.store.variation_json(self.store.variations[v]) for v in product["variations"]
                 if v in self.store.variations]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified", "menu_order"))
        return self.page(request, items)

    async def create_variation(self, request: Request) -> Response:
        record = self.store.create_variation(request.path_params["product_id"], await self.body(request))
        return JSONResponse(self.store.variation_json(record), status_code=201)

    async def get_variation(self, request: Request) -> dict[str, Any]:
        return self.store.variation_json(self.store.get_variation(request.path_params["product_id"],
                                                                  request.path_params["id"]))

    async def update_variation(self, request: Request) -> dict[str, Any]:
        record = self.store.update_variation(request.path_params["product_id"], request.path_params["id"],
                                             await self.body(request))
        return self.store.variation_json(record)

    # ---- categories -------------------------------------------------------------------------------------

    async def list_categories(self, request: Request) -> Response:
        items = [self.store.category_json(c) for c in self.store.categories.values()]
        q = request.query_params
        if "parent" in q:
            items = [i for i in items if i["parent"] == int(q["parent"])]
        if q.get("hide_empty") in ("true", "1"):
            items = [i for i in items if i["count"]]
        items.sort(key=lambda c: (c["name"], c["id"]) if q.get("orderby", "name") == "name" else c["id"],
                   reverse=q.get("order", "asc") == "desc")
        return self.page(request, items)

    async def create_category(self, request: Request) -> Response:
        return JSONResponse(self.store.category_json(self.store.create_category(await self.body(request))),
                            status_code=201)

    async def get_category(self, request: Request) -> dict[str, Any]:
        cid = request.path_params["id"]
        if cid not in self.store.categories:
            raise ApiError(404, "woocommerce_rest_term_invalid", "Resource does not exist.")
        return self.store.category_json(self.store.categories[cid])

    # ---- orders -----------------------------------------------------------------------------------------

    async def list_orders(self, request: Request) -> Response:
        q = request.query_params
        orders = list(self.store.orders.values())
        status = q.get("status", "any")
        if status != "any":
            wanted = set(status.split(","))
            orders = [o for o in orders if o["status"] in wanted]
        if "search" in q:
            term = q["search"].lower().strip()
            orders = [o for o in orders if term == str(o["id"]) or term in self.store.order_search_text(o)]
        if "include" in q:
            ids = _int_list(q["include"])
            orders = [o for o in orders if o["id"] in ids]
        items = [order_ops.order_json(self.store, o) for o in orders]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified"))
        return self.page(request, items)

    async def create_order(self, request: Request) -> Response:
        order = order_ops.create_order(self.store, await self.body(request))
        return JSONResponse(order_ops.order_json(self.store, order), status_code=201)

    async def get_order(self, request: Request) -> dict[str, Any]:
        return order_ops.order_json(self.store, order_ops.get_order(self.store, request.path_params["id"]))

    async def update_order(self, request: Request) -> dict[str, Any]:
        order = order_ops.update_order(self.store, request.path_params["id"], await self.body(request))
        return order_ops.order_json(self.store, order)

    async def list_notes(self, request: Request) -> list[dict[str, Any]]:
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        kind = request.query_params.get("type", "any")
        notes = self.store.notes.get(oid, [])
        if kind == "customer":
            notes = [n for n in notes if n["customer_note"]]
        elif kind == "internal":
            notes = [n for n in notes if not n["customer_note"]]
        return [order_ops.note_json(self.store, oid, n) for n in reversed(notes)]

    async def create_note(self, request: Request) -> Response:
        oid = request.path_params["order_id"]
        data = await self.body(request)
        note = order_ops.add_note(self.store, oid, str(data.get("note") or ""),
                                  customer_note=bool(data.get("customer_note", False)))
        return JSONResponse(order_ops.note_json(self.store, oid, note), status_code=201)

    # ---- webhooks ---------------------------------------------------------------------------------------

    def webhook_json(self, hook: Webhook) -> dict[str, Any]:
        resource, _, event = hook.topic.partition(".")
        return {"id": hook.id, "name": hook.name, "status": hook.status, "topic": hook.topic, "resource": resource,
                "event": event, "hooks": [f"woocommerce_{event}_{resource}"], "delivery_url": hook.delivery_url,
                "date_created": wc_time(hook.created), "date_created_gmt": wc_time(hook.created),
                "date_modified": wc_time(hook.modified), "date_modified_gmt": wc_time(hook.modified),
                "_links": {"self": [{"href": self.store.link(f"webhooks/{hook.id}")}],
                           "collection": [{"href": self.store.link("webhooks")}]}}

    async def list_webhooks(self, request: Request) -> Response:
        hooks = list(self.store.webhooks.values())
        status = request.query_params.get("status", "all")
        if status != "all":
            hooks = [h for h in hooks if h.status == status]
        items = [self.webhook_json(h) for h in sorted(hooks, key=lambda h: h.id)]
        return self.page(request, items)

    async def create_webhook(self, request: Request) -> Response:
        data = await self.body(request)
        for required in ("topic", "delivery_url"):
            if not data.get(required):
                raise ApiError(400, "rest_missing_callback_param", f"Missing parameter(s): {required}")
        if not valid_topic(str(data["topic"])):
            raise ApiError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
        if not str(data["delivery_url"]).startswith(("http://", "https://")):
            raise ApiError(400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL.")
        status = data.get("status", "active")
        if status not in ("active", "paused", "disabled"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
        now = self.store.now()
        hook = Webhook(id=self.store.next_id(), name=str(data.get("name") or f"Webhook created on {now}"),
                       topic=str(data["topic"]), delivery_url=str(data["delivery_url"]),
                       secret=str(data.get("secret") or ""), status=status, created=now, modified=now)
        self.store.webhooks[hook.id] = hook
        return JSONResponse(self.webhook_json(hook), status_code=201)

    def _hook(self, request: Request) -> Webhook:
        hook = self.store.webhooks.get(request.path_params["id"])
        if hook is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return hook

    async def get_webhook(self, request: Request) -> dict[str, Any]:
        return self.webhook_json(self._hook(request))

    async def update_webhook(self, request: Request) -> dict[str, Any]:
        hook = self._hook(request)
        data = await self.body(request)
        if "status" in data:
            if data["status"] not in ("active", "paused", "disabled"):
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
            if data["status"] == "active" and hook.status != "active":
                hook.failure_count = 0
            hook.status = data["status"]
        if "topic" in data:
            if not valid_topic(str(data["topic"])):
                raise ApiError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic must be valid.")
            hook.topic = str(data["topic"])
        for key in ("name", "secret", "delivery_url"):
            if key in data:
                setattr(hook, key, str(data[key]))
        hook.modified = self.store.now()
        return self.webhook_json(hook)

    async def delete_webhook(self, request: Request) -> dict[str, Any]:
        hook = self._hook(request)
        if request.query_params.get("force") not in ("true", "1"):
            raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
        del self.store.webhooks[hook.id]
        return self.webhook_json(hook)

    async def webhook_deliveries(self, request: Request) -> list[dict[str, Any]]:
        hook = self.store.webhooks.get(request.path_params["webhook_id"])
        if hook is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return list(reversed(hook.deliveries))

    # ---- Shipment Tracking extension ----------------------------------------------------------------------

    async def list_trackings(self, request: Request) -> list[dict[str, Any]]:
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        return [order_ops.tracking_json(self.store, oid, t) for t in self.store.trackings.get(oid, [])]

    async def create_tracking(self, request: Request) -> Response:
        oid = request.path_params["order_id"]
        entry = order_ops.add_tracking(self.store, oid, await self.body(request))
        return JSONResponse(order_ops.tracking_json(self.store, oid, entry), status_code=201)

    async def get_tracking(self, request: Request) -> dict[str, Any]:
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        for entry in self.store.trackings.get(oid, []):
            if entry["tracking_id"] == request.path_params["tracking_id"]:
                return order_ops.tracking_json(self.store, oid, entry)
        raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid tracking ID.")

    async def delete_tracking(self, request: Request) -> dict[str, Any]:
        oid = request.path_params["order_id"]
        entries = self.store.trackings.get(oid, [])
        for entry in entries:
            if entry["tracking_id"] == request.path_params["tracking_id"]:
                entries.remove(entry)
                self.store.emit("order.updated", "order", oid)
                return {"message": "Successfully deleted tracking ID."}
        raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid tracking ID.")

    async def providers(self, request: Request) -> dict[str, Any]:
        return TRACKING_PROVIDERS

    # ---- routes -----------------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        a = self.api
        routes = [
            Route("/wp-json/", a(self.wp_index, auth=False), methods=["GET"]),
            Route(f"{API}/settings/{{group}}", a(self.settings), methods=["GET"]),
            Route(f"{API}/products", a(self.list_products), methods=["GET"]),
            Route(f"{API}/products", a(self.create_product), methods=["POST"]),
            Route(f"{API}/products/categories", a(self.list_categories), methods=["GET"]),
            Route(f"{API}/products/categories", a(self.create_category), methods=["POST"]),
            Route(f"{API}/products/categories/{{id:int}}", a(self.get_category), methods=["GET"]),
            Route(f"{API}/products/{{id:int}}", a(self.get_product), methods=["GET"]),
            Route(f"{API}/products/{{id:int}}", a(self.update_product), methods=["PUT", "PATCH", "POST"]),
            Route(f"{API}/products/{{id:int}}", a(self.delete_product), methods=["DELETE"]),
            Route(f"{API}/products/{{product_id:int}}/variations", a(self.list_variations), methods=["GET"]),
            Route(f"{API}/products/{{product_id:int}}/variations", a(self.create_variation), methods=["POST"]),
            Route(f"{API}/products/{{product_id:int}}/variations/{{id:int}}", a(self.get_variation), methods=["GET"]),
            Route(f"{API}/products/{{product_id:int}}/variations/{{id:int}}", a(self.update_variation),
                  methods=["PUT", "PATCH", "POST"]),
            Route(f"{API}/orders", a(self.list_orders), methods=["GET"]),
            Route(f"{API}/orders", a(self.create_order), methods=["POST"]),
            Route(f"{API}/orders/{{id:int}}", a(self.get_order), methods=["GET"]),
            Route(f"{API}/orders/{{id:int}}", a(self.update_order), methods=["PUT", "PATCH", "POST"]),
            Route(f"{API}/orders/{{order_id:int}}/notes", a(self.list_notes), methods=["GET"]),
            Route(f"{API}/orders/{{order_id:int}}/notes", a(self.create_note), methods=["POST"]),
            Route(f"{API}/webhooks", a(self.list_webhooks), methods=["GET"]),
            Route(f"{API}/webhooks", a(self.create_webhook), methods=["POST"]),
            Route(f"{API}/webhooks/{{id:int}}", a(self.get_webhook), methods=["GET"]),
            Route(f"{API}/webhooks/{{id:int}}", a(self.update_webhook), methods=["PUT", "PATCH", "POST"]),
            Route(f"{API}/webhooks/{{id:int}}", a(self.delete_webhook), methods=["DELETE"]),
            Route(f"{API}/webhooks/{{webhook_id:int}}/deliveries", a(self.webhook_deliveries), methods=["GET"]),
        ]
        if not self.tracking_extension:
            return routes
        return routes + [
            Route(f"{TRACKING}/orders/{{order_id:int}}/shipment-trackings/providers", a(self.providers),
                  methods=["GET"]),
            Route(f"{TRACKING}/orders/{{order_id:int}}/shipment-trackings", a(self.list_trackings), methods=["GET"]),
            Route(f"{TRACKING}/orders/{{order_id:int}}/shipment-trackings", a(self.create_tracking),
                  methods=["POST"]),
            Route(f"{TRACKING}/orders/{{order_id:int}}/shipment-trackings/{{tracking_id}}", a(self.get_tracking),
                  methods=["GET"]),
            Route(f"{TRACKING}/orders/{{order_id:int}}/shipment-trackings/{{tracking_id}}", a(self.delete_tracking),
                  methods=["DELETE"]),
        ]

    async def set_rate_limit(self, request: Request) -> JSONResponse:
        data = await request.json()
        self.rate_limit = int(data.get("limit", 0))
        self.limiter = WindowLimiter(self.rate_limit or 1, float(data.get("window", 1.0)))
        return JSONResponse({"limit": self.rate_limit})

    async def set_webhook_status(self, request: Request) -> JSONResponse:
        """Control route: force a webhook's status (e.g. as if WooCommerce had disabled it)."""
        data = await request.json()
        hook = self.store.webhooks.get(int(data["id"]))
        if hook is None:
            return JSONResponse({"error": "no such webhook"}, status_code=404)
        hook.status = str(data.get("status", "disabled"))
        return JSONResponse({"id": hook.id, "status": hook.status, "failure_count": hook.failure_count})


async def not_found(request: Request, exc: Exception) -> Response:
    """WordPress's answer for a path no route matches."""
    return JSONResponse({"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
                         "data": {"status": 404}}, status_code=404)


def build_app(woo: WooApp, control: list[Route]) -> Starlette:
    routes = woo.routes() + control + [
        Route("/_sandbox/ratelimit", woo.set_rate_limit, methods=["POST"]),
        Route("/_sandbox/webhooks/status", woo.set_webhook_status, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.add_middleware(FaultMiddleware, faults=woo.faults, error_body=error_body)
    return app
