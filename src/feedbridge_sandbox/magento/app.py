"""The Magento REST API of the sandbox store: real paths under /rest/<store>/V1, OAuth 1.0a or bearer auth,
Magento error answers, searchCriteria, an optional rate limit (429 with Retry-After) and the control API."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.control import control_routes
from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender, WindowLimiter
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.magento import search
from feedbridge_sandbox.magento.auth import Authenticator
from feedbridge_sandbox.magento.catalog import Catalog
from feedbridge_sandbox.magento.errors import MagentoError, bad_request, required
from feedbridge_sandbox.magento.inventory import Inventory
from feedbridge_sandbox.magento.sales import Sales

Handler = Callable[[Request, Any], Any]
SALABLE_TYPES = ("simple", "virtual")


class Store:
    """Everything the sandbox store holds."""

    def __init__(self, clock: Clock, *, reserve_imported_orders: bool = True, currency: str = "USD") -> None:
        self.clock = clock
        self.currency = currency
        self.reserve_imported_orders = reserve_imported_orders
        self.reset()

    def now(self) -> str:
        return self.clock.utcnow().strftime("%Y-%m-%d %H:%M:%S")

    def reset(self) -> None:
        self.catalog = Catalog(self.now)
        self.inventory = Inventory()
        self.sales = Sales(self.inventory, self.now, reserve_imported_orders=self.reserve_imported_orders)


def build_app(store: Store, auth: Authenticator, faults: FaultInjector, *,
              webhooks: WebhookSender | None = None) -> Starlette:
    """The ASGI app: API routes, control routes, rate limit, fault middleware."""
    clock = store.clock
    limit: dict[str, Any] = {"limiter": None}
    webhooks = webhooks or WebhookSender(faults)

    def api(path: str, handler: Handler, methods: list[str], resource: str) -> list[Route]:
        async def endpoint(request: Request) -> Response:
            limiter: WindowLimiter | None = limit["limiter"]
            if limiter is not None and not limiter.hit("api"):
                _, reset = limiter.remaining("api")
                return JSONResponse({"message": "Too many requests. Try again later.", "parameters": []},
                                    status_code=429, headers={"Retry-After": str(max(1, math.ceil(reset)))})
            host = request.headers.get("host", "")
            url = f"{request.url.scheme}://{host.lower()}{request.scope.get('raw_path', b'').decode().split('?')[0]}"
            query = parse_qsl(request.scope.get("query_string", b"").decode(), keep_blank_values=True)
            if auth.check(request.method, url, query, request.headers.get("authorization", "")) is not None:
                return JSONResponse({"message": "The consumer isn't authorized to access %resources.",
                                     "parameters": {"resources": resource}}, status_code=401)
            body: Any = None
            if request.method in ("POST", "PUT"):
                raw = await request.body()
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        return JSONResponse({"message": "Decoding error: \nSyntax error", "parameters": []},
                                            status_code=400)
            try:
                result = handler(request, body)
            except MagentoError as exc:
                return exc.response()
            except search.SearchError as exc:
                return JSONResponse({"message": str(exc), "parameters": []}, status_code=400)
            return JSONResponse(result)

        return [Route(f"/rest/{{store}}{path}", endpoint, methods=methods),
                Route(f"/rest{path}", endpoint, methods=methods)]

    def criteria(request: Request) -> search.Criteria:
        return search.parse(parse_qsl(request.scope.get("query_string", b"").decode(), keep_blank_values=True))

    def need(body: Any, key: str) -> Any:
        if not isinstance(body, dict) or body.get(key) is None:
            raise required(key)
        return body[key]

    def int_param(request: Request, name: str) -> int:
        try:
            return int(request.path_params[name])
        except ValueError as exc:
            raise bad_request('The "%1" value\'s type is invalid. The "int" type was expected. Verify and try again.',
                              [request.path_params[name]]) from exc

    cat, inv, sales = (lambda: store.catalog), (lambda: store.inventory), (lambda: store.sales)

    # -- store -------------------------------------------------------------------------------------
    def store_configs(request: Request, body: Any) -> Any:
        base = str(request.base_url).rstrip("/")
        return [{"id": 1, "code": "default", "website_id": 1, "locale": "en_US",
                 "base_currency_code": store.currency, "default_display_currency_code": store.currency,
                 "timezone": "America/Chicago", "weight_unit": "lbs", "base_url": f"{base}/",
                 "base_link_url": f"{base}/", "base_static_url": f"{base}/static/",
                 "base_media_url": f"{base}/media/", "secure_base_url": f"{base}/",
                 "secure_base_link_url": f"{base}/", "secure_base_static_url": f"{base}/static/",
                 "secure_base_media_url": f"{base}/media/"}]

    def store_views(request: Request, body: Any) -> Any:
        return [{"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1},
                {"id": 1, "code": "default", "name": "Sandbox Apparel", "website_id": 1, "store_group_id": 1,
                 "is_active": 1}]

    # -- catalog -----------------------------------------------------------------------------------
    def products_list(request: Request, body: Any) -> Any:
        return search.run(list(cat().products.values()), criteria(request), Catalog.field)

    def product_save(request: Request, body: Any) -> Any:
        return cat().save(need(body, "product"))

    def product_get(request: Request, body: Any) -> Any:
        return cat().get(request.path_params["sku"])

    def product_put(request: Request, body: Any) -> Any:
        return cat().save(need(body, "product"), request.path_params["sku"])

    def product_delete(request: Request, body: Any) -> Any:
        cat().delete(request.path_params["sku"])
        return True

    def media_add(request: Request, body: Any) -> Any:
        return cat().add_media(request.path_params["sku"], need(body, "entry"))

    def media_list(request: Request, body: Any) -> Any:
        return cat().get(request.path_params["sku"])["media_gallery_entries"]

    def attributes_list(request: Request, body: Any) -> Any:
        return search.run(list(cat().attributes.values()), criteria(request))

    def attribute_get(request: Request, body: Any) -> Any:
        return cat().attribute(request.path_params["code"])

    def attribute_options(request: Request, body: Any) -> Any:
        return cat().attribute(request.path_params["code"])["options"]

    def attribute_option_add(request: Request, body: Any) -> Any:
        return cat().add_option(request.path_params["code"], need(body, "option"))

    def configurable_option_add(request: Request, body: Any) -> Any:
        return cat().add_configurable_option(request.path_params["sku"], need(body, "option"))

    def configurable_options_all(request: Request, body: Any) -> Any:
        parent = cat().get(request.path_params["sku"])
        return parent["extension_attributes"].get("configurable_product_options") or []

    def configurable_child_add(request: Request, body: Any) -> Any:
        return cat().add_child(request.path_params["sku"], str(need(body, "childSku")))

    def configurable_children(request: Request, body: Any) -> Any:
        return cat().children(request.path_params["sku"])

    def categories_tree(request: Request, body: Any) -> Any:
        root = request.query_params.get("rootCategoryId")
        depth = request.query_params.get("depth")
        return cat().tree(int(root) if root else 2, int(depth) if depth else None)

    def category_add(request: Request, body: Any) -> Any:
        return cat().add_category(need(body, "category"))

    # -- inventory ---------------------------------------------------------------------------------
    def sources_list(request: Request, body: Any) -> Any:
        return search.run(list(inv().sources.values()), criteria(request))

    def source_add(request: Request, body: Any) -> Any:
        inv().add_source(need(body, "source"))
        return []  # Magento answers a void service with an empty JSON array

    def source_get(request: Request, body: Any) -> Any:
        return inv().source(request.path_params["code"])

    def stocks_list(request: Request, body: Any) -> Any:
        return search.run(list(inv().stocks.values()), criteria(request))

    def links_list(request: Request, body: Any) -> Any:
        return search.run(list(inv().links), criteria(request))

    def links_add(request: Request, body: Any) -> Any:
        inv().link(need(body, "links"))
        return []

    def source_items_list(request: Request, body: Any) -> Any:
        return search.run(inv().item_list(), criteria(request))

    def source_items_save(request: Request, body: Any) -> Any:
        known = cat().by_sku
        items = need(body, "sourceItems")
        inv().save_items(items, lambda sku: sku in known)  # like MSI, leaves the product's updated_at alone
        return []

    def salable_qty(request: Request, body: Any) -> Any:
        sku = request.path_params["sku"]
        product = cat().get(sku)
        if product["type_id"] not in SALABLE_TYPES:
            raise bad_request("Can't check requested quantity for products without Source Items support.")
        return inv().salable(sku, int_param(request, "stock_id"))

    def export_salable(request: Request, body: Any) -> Any:
        if request.path_params["type"] != "website" or request.path_params["code"] != "base":
            raise bad_request('No such entity with %fieldName = %fieldValue',
                              {"fieldName": "code", "fieldValue": request.path_params["code"]})
        rows = [{"sku": p["sku"], "qty": inv().salable(p["sku"]), "is_salable": inv().salable(p["sku"]) > 0}
                for p in cat().products.values() if p["type_id"] in SALABLE_TYPES]
        return search.run(rows, criteria(request))

    # -- sales -------------------------------------------------------------------------------------
    def orders_list(request: Request, body: Any) -> Any:
        return search.run(list(sales().orders.values()), criteria(request))

    def order_save(request: Request, body: Any) -> Any:
        return sales().save(need(body, "entity"))

    def order_get(request: Request, body: Any) -> Any:
        return sales().get(int_param(request, "id"))

    def comments_list(request: Request, body: Any) -> Any:
        order = sales().get(int_param(request, "id"))
        return {"items": order["status_histories"], "search_criteria": {"filter_groups": []},
                "total_count": len(order["status_histories"])}

    def comment_add(request: Request, body: Any) -> Any:
        return sales().comment(int_param(request, "id"), need(body, "statusHistory"))

    def order_cancel(request: Request, body: Any) -> Any:
        return sales().cancel(int_param(request, "id"))

    def order_invoice(request: Request, body: Any) -> Any:
        return sales().invoice(int_param(request, "id"))

    def order_ship(request: Request, body: Any) -> Any:
        return sales().ship(int_param(request, "id"), body or {})

    def shipments_list(request: Request, body: Any) -> Any:
        return search.run(list(sales().shipments.values()), criteria(request))

    def shipment_get(request: Request, body: Any) -> Any:
        return sales().shipment(int_param(request, "id"))

    C, INV, S = "Magento_Catalog::products", "Magento_InventoryApi::source", "Magento_Sales::sales"
    routes: list[Route] = []
    for path, handler, methods, resource in [
        ("/V1/store/storeConfigs", store_configs, ["GET"], "Magento_Backend::store"),
        ("/V1/store/storeViews", store_views, ["GET"], "Magento_Backend::store"),
        ("/V1/products", products_list, ["GET"], C), ("/V1/products", product_save, ["POST"], C),
        ("/V1/products/attributes", attributes_list, ["GET"], "Magento_Catalog::attributes_attributes"),
        ("/V1/products/attributes/{code}", attribute_get, ["GET"], "Magento_Catalog::attributes_attributes"),
        ("/V1/products/attributes/{code}/options", attribute_options, ["GET"], "Magento_Catalog::attributes_attributes"),
        ("/V1/products/attributes/{code}/options", attribute_option_add, ["POST"], "Magento_Catalog::attributes_attributes"),
        ("/V1/products/{sku}", product_get, ["GET"], C), ("/V1/products/{sku}", product_put, ["PUT"], C),
        ("/V1/products/{sku}", product_delete, ["DELETE"], C),
        ("/V1/products/{sku}/media", media_add, ["POST"], C), ("/V1/products/{sku}/media", media_list, ["GET"], C),
        ("/V1/configurable-products/{sku}/options", configurable_option_add, ["POST"], C),
        ("/V1/configurable-products/{sku}/options/all", configurable_options_all, ["GET"], C),
        ("/V1/configurable-products/{sku}/child", configurable_child_add, ["POST"], C),
        ("/V1/configurable-products/{sku}/children", configurable_children, ["GET"], C),
        ("/V1/categories", categories_tree, ["GET"], "Magento_Catalog::categories"),
        ("/V1/categories", category_add, ["POST"], "Magento_Catalog::categories"),
        ("/V1/inventory/sources", sources_list, ["GET"], INV), ("/V1/inventory/sources", source_add, ["POST"], INV),
        ("/V1/inventory/sources/{code}", source_get, ["GET"], INV),
        ("/V1/inventory/stocks", stocks_list, ["GET"], "Magento_InventoryApi::stock"),
        ("/V1/inventory/stock-source-links", links_list, ["GET"], "Magento_InventoryApi::stock"),
        ("/V1/inventory/stock-source-links", links_add, ["POST"], "Magento_InventoryApi::stock"),
        ("/V1/inventory/source-items", source_items_list, ["GET"], INV),
        ("/V1/inventory/source-items", source_items_save, ["POST"], INV),
        ("/V1/inventory/get-product-salable-quantity/{sku}/{stock_id}", salable_qty, ["GET"],
         "Magento_InventoryApi::stock"),
        ("/V1/inventory/export-stock-salable-qty/{type}/{code}", export_salable, ["GET"],
         "Magento_InventoryApi::stock"),
        ("/V1/orders", orders_list, ["GET"], S), ("/V1/orders", order_save, ["POST"], S),
        ("/V1/orders/{id}", order_get, ["GET"], S),
        ("/V1/orders/{id}/comments", comments_list, ["GET"], S), ("/V1/orders/{id}/comments", comment_add, ["POST"], S),
        ("/V1/orders/{id}/cancel", order_cancel, ["POST"], "Magento_Sales::cancel"),
        ("/V1/order/{id}/invoice", order_invoice, ["POST"], "Magento_Sales::invoice"),
        ("/V1/order/{id}/ship", order_ship, ["POST"], "Magento_Sales::ship"),
        ("/V1/shipments", shipments_list, ["GET"], "Magento_Sales::shipment"),
        ("/V1/shipment/{id}", shipment_get, ["GET"], "Magento_Sales::shipment"),
    ]:
        routes += api(path, handler, methods, resource)

    async def media_file(request: Request) -> Response:
        found = store.catalog.files.get("/" + request.path_params["path"])
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1])

    async def set_ratelimit(request: Request) -> JSONResponse:
        data = await request.json()
        value = int(data.get("limit") or 0)
        limit["limiter"] = WindowLimiter(value, float(data.get("window") or 1.0)) if value > 0 else None
        return JSONResponse({"limit": value, "window": float(data.get("window") or 1.0)})

    async def get_ratelimit(request: Request) -> JSONResponse:
        limiter: WindowLimiter | None = limit["limiter"]
        return JSONResponse({"limit": limiter.limit if limiter else 0, "window": limiter.window if limiter else 1.0})

    def state() -> dict[str, Any]:
        return {"products": len(store.catalog.products), "orders": len(store.sales.orders),
                "shipments": len(store.sales.shipments), "sources": sorted(store.inventory.sources),
                "reservations": len(store.inventory.reservations)}

    routes += control_routes(faults=faults, clock=clock, webhooks=webhooks, reset=store.reset, state=state)
    routes += [Route("/media/catalog/product/{path:path}", media_file, methods=["GET"]),
               Route("/_sandbox/ratelimit", set_ratelimit, methods=["POST"]),
               Route("/_sandbox/ratelimit", get_ratelimit, methods=["GET"])]

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"message": "Request does not match any route.", "parameters": []}, status_code=404)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.add_middleware(FaultMiddleware, faults=faults,
                       error_body=lambda status: {"message": f"Injected fault {status}", "parameters": []})
    return app


