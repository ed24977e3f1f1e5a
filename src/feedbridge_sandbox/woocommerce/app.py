"""The WooCommerce sandbox's ASGI app: wc/v3 REST routes, the Shipment Tracking extension, and /_sandbox."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.core import WindowLimiter
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.core.media import MediaMiddleware
from feedbridge_sandbox.woocommerce.catalog_routes import CatalogRoutes
from feedbridge_sandbox.woocommerce.order_routes import OrderRoutes
from feedbridge_sandbox.woocommerce.plumbing import (
    API,
    TRACKING,
    error_body,
)
from feedbridge_sandbox.woocommerce.webhook_routes import WebhookRoutes


class WooApp(CatalogRoutes, OrderRoutes, WebhookRoutes):
    """Every route group behind one ASGI app."""

    # ---- routes -----------------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """The wc/v3 and extension routes."""
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
        """Control route: POST /_sandbox/ratelimit {limit, window}."""
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
    """The ASGI app: API routes, control routes, fault middleware, WordPress 404s."""
    routes = woo.routes() + control + [
        Route("/_sandbox/ratelimit", woo.set_rate_limit, methods=["POST"]),
        Route("/_sandbox/webhooks/status", woo.set_webhook_status, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.add_middleware(FaultMiddleware, faults=woo.faults, error_body=error_body)
    app.add_middleware(MediaMiddleware)
    return app
