"""Assembles the TikTok Shop sandbox: Open API routes, auth host, control API, background ticker, faults."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from feedbridge_sandbox.control import control_routes as shared_control_routes
from feedbridge_sandbox.core import Clock, FaultInjector
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.tiktok import (
    aftersales,
    auth,
    catalog_api,
    control_api,
    event_api,
    fulfillment,
    orders,
    products,
    review,
)
from feedbridge_sandbox.tiktok.api import INVALID_METHOD, INVALID_PATH, ApiError, fail, fault_body
from feedbridge_sandbox.tiktok.endpoint import NONE, OPTIONAL, REQUIRED, Handler, api_route
from feedbridge_sandbox.tiktok.regions import REGIONS
from feedbridge_sandbox.tiktok.runtime import Runtime, Settings
from feedbridge_sandbox.tiktok.state import ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, App, Grant, Shop, State

log = logging.getLogger(__name__)

# (method, path, handler, shop_cipher rule). Several versions are served where feedbridge may call either.
ENDPOINTS: list[tuple[str, str, Handler, str]] = [
    ("GET", "/authorization/202309/shops", auth.authorized_shops, NONE),
    ("GET", "/seller/202309/shops", auth.active_shops, NONE),
    ("GET", "/seller/202309/permissions", auth.permissions, NONE),
    ("GET", "/product/202309/categories", catalog_api.get_categories, REQUIRED),
    ("GET", "/product/202309/categories/{category_id}/rules", catalog_api.get_rules, REQUIRED),
    ("GET", "/product/202309/categories/{category_id}/attributes", catalog_api.get_attributes, REQUIRED),
    ("POST", "/product/202309/categories/recommend", catalog_api.recommend_category, OPTIONAL),
    ("GET", "/product/202309/brands", catalog_api.get_brands, REQUIRED),
    ("POST", "/product/202309/brands", catalog_api.create_brand, NONE),
    ("POST", "/product/202309/images/upload", catalog_api.upload_image, NONE),
    ("GET", "/product/202312/prerequisites", catalog_api.prerequisites, REQUIRED),
    ("GET", "/logistics/202309/warehouses", catalog_api.get_warehouses, REQUIRED),
    ("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options", catalog_api.get_delivery_options,
     REQUIRED),
    ("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers",
     catalog_api.get_shipping_providers, REQUIRED),
    ("POST", "/product/202309/products", products.create_product, REQUIRED),
    ("DELETE", "/product/202309/products", products.delete_products, REQUIRED),
    ("POST", "/product/202309/products/listing_check", products.listing_check, REQUIRED),
    ("POST", "/product/202309/products/activate", products.activate_products, REQUIRED),
    ("POST", "/product/202309/products/deactivate", products.deactivate_products, REQUIRED),
    ("POST", "/product/202309/products/recover", products.recover_products, REQUIRED),
    ("POST", "/product/202309/products/search", products.search_products, REQUIRED),
    ("POST", "/product/202502/products/search", products.search_products, REQUIRED),
    ("POST", "/product/202309/inventory/search", products.inventory_search, REQUIRED),
    ("GET", "/product/202309/products/{product_id}", products.get_product, REQUIRED),
    ("PUT", "/product/202309/products/{product_id}", products.edit_product, REQUIRED),
    ("PUT", "/product/202509/products/{product_id}", products.edit_product, REQUIRED),
    ("POST", "/product/202309/products/{product_id}/partial_edit", products.partial_edit_product, REQUIRED),
    ("POST", "/product/202509/products/{product_id}/partial_edit", products.partial_edit_product, REQUIRED),
    ("POST", "/product/202309/products/{product_id}/prices/update", products.update_price, REQUIRED),
    ("POST", "/product/202309/products/{product_id}/inventory/update", products.update_inventory, OPTIONAL),
    ("POST", "/order/202309/orders/search", orders.search_orders, REQUIRED),
    ("GET", "/order/202309/orders", orders.get_order_detail, REQUIRED),
    ("GET", "/order/202507/orders", orders.get_order_detail, REQUIRED),
    ("GET", "/fulfillment/202309/packages/{package_id}", fulfillment.get_package, OPTIONAL),
    ("POST", "/fulfillment/202309/packages/search", fulfillment.search_packages, OPTIONAL),
    ("POST", "/fulfillment/202309/packages/{package_id}/ship", fulfillment.ship_package, REQUIRED),
    ("POST", "/fulfillment/202309/packages/{package_id}/shipping_info/update", fulfillment.update_shipping_info,
     REQUIRED),
    ("POST", "/fulfillment/202309/orders/{order_id}/shipping_info/update",
     fulfillment.update_order_shipping_info,
     REQUIRED),
    ("POST", "/fulfillment/202309/orders/{order_id}/packages", fulfillment.mark_package_shipped, REQUIRED),
    ("GET", "/fulfillment/202309/orders/{order_id}/tracking", fulfillment.get_tracking, REQUIRED),
    ("POST", "/return_refund/202309/cancellations", aftersales.seller_cancel, REQUIRED),
    ("POST", "/return_refund/202309/cancellations/search", aftersales.search_cancellations, REQUIRED),
    ("POST", "/return_refund/202309/cancellations/{cancel_id}/approve", aftersales.approve_cancellation, REQUIRED),
    ("POST", "/return_refund/202309/cancellations/{cancel_id}/reject", aftersales.reject_cancellation, REQUIRED),
    ("POST", "/return_refund/202309/returns/search", aftersales.search_returns, REQUIRED),
    ("POST", "/return_refund/202309/returns/{return_id}/approve", aftersales.approve_return, REQUIRED),
    ("POST", "/return_refund/202309/returns/{return_id}/reject", aftersales.reject_return, REQUIRED),
    ("GET", "/event/202309/webhooks", event_api.list_webhooks, REQUIRED),
    ("PUT", "/event/202309/webhooks", event_api.put_webhook, REQUIRED),
    ("DELETE", "/event/202309/webhooks", event_api.delete_webhook, REQUIRED),
]

DEFAULT_SHOPS = (("US", "Sandbox US Shop"), ("GB", "Sandbox UK Shop"))


class TickingClock(Clock):
    """A clock that runs due transitions right after the control API moves it."""

    def __init__(self) -> None:
        super().__init__()
        self.on_advance: list[Any] = []

    def advance(self, seconds: float) -> None:
        """Move the clock; due transitions run at once when called on the server's loop."""
        super().advance(seconds)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return   # moved from another thread: the server loop's background ticker picks it up
        for callback in self.on_advance:
            callback()


def _digits(seed: str, n: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:n]


def make_shop(state: State, region: str, name: str) -> Shop:
    """A shop with a stable id, cipher, code and warehouses derived from its region and name."""
    seed = f"{region}:{name}:{len(state.shops)}"
    shop_id = "7" + _digits("shop" + seed, 18)
    prefix = "TTP_" if region == "US" else "ROW_"
    cipher = prefix + hashlib.sha256(("cipher" + seed).encode()).hexdigest()[:28]
    shop = Shop(shop_id, name, region, cipher, f"{region}LCSB{_digits('code' + seed, 4)}",
                seller_name=f"{name} Seller", open_id="7" + _digits("open" + seed, 18),
                warehouse_id="70007" + _digits("wh" + seed, 14), return_warehouse_id="70008" + _digits("rw" + seed, 14))
    state.shops[shop.id] = shop
    return shop


class Sandbox:
    """The TikTok Shop sandbox (see feedbridge_sandbox.base.Sandbox and docs/sandbox.md)."""

    name = "tiktok"

    def __init__(self, *, seed: bool, app: App, settings: Settings, redirect_url: str = "",
                 regions: tuple[str, ...] = ()) -> None:
        self.seed_enabled = seed
        self.clock = TickingClock()
        self.faults = FaultInjector()
        self.runtime = Runtime(app, self.clock, self.faults, settings)
        self.runtime.redirect_url = redirect_url
        self.runtime.tickers = [review.review_ticker, orders.on_hold_ticker, auth.expiry_notice_ticker]
        self.clock.on_advance.append(self.runtime.tick)
        self.extra_regions = regions
        self.default_grants: list[Grant] = []
        self._bootstrap()
        self.app = FaultMiddleware(self._starlette(), self.faults, error_body=fault_body)

    # --- state ---
    def _bootstrap(self) -> None:
        state = self.runtime.state
        for index, (region, name) in enumerate(DEFAULT_SHOPS + tuple(
                (r, f"Sandbox {r} Shop") for r in self.extra_regions if r not in ("US", "GB"))):
            shop = make_shop(state, region, name)
            if index < len(self.default_grants):
                old = self.default_grants[index]   # keep manifest tokens valid across a reset
                grant = Grant(old.access_token, old.refresh_token, [shop.id], state.clock.now() + ACCESS_TOKEN_TTL,
                              state.clock.now() + REFRESH_TOKEN_TTL)
                state.grants.append(grant)
            else:
                self.default_grants.append(state.issue_grant([shop.id]))

    def reset(self) -> None:
        """Forget everything and rewind the clock; default shops and their manifest tokens come back."""
        self.clock.offset = 0.0
        self.runtime.state = State(self.runtime.state.app, self.clock)
        self._bootstrap()

    def state_summary(self) -> dict[str, Any]:
        """What GET /_sandbox/state answers: counts and the status of every product and order."""
        state = self.runtime.state
        return {"shops": len(state.shops), "products": len(state.products), "orders": len(state.orders),
                "packages": len(state.packages), "cancellations": len(state.cancellations),
                "returns": len(state.returns), "images": len(state.images), "now": self.clock.now(),
                "product_statuses": {p.id: p.status for p in state.products.values()},
                "order_statuses": {o.id: o.status for o in state.orders.values()}}

    # --- app ---
    def _starlette(self) -> Starlette:
        runtime = self.runtime
        routes: list[BaseRoute] = [api_route(runtime, m, p, h, rule) for m, p, h, rule in ENDPOINTS]
        routes += auth.token_routes(runtime) + auth.consent_routes(runtime)
        routes += shared_control_routes(faults=self.faults, clock=self.clock, webhooks=runtime.sender,
                                        reset=self.reset, state=self.state_summary)
        routes += control_api.control_routes(runtime, lambda region, name: make_shop(runtime.state, region, name))

        async def not_found(request: Request, exc: Exception) -> Response:
            status = getattr(exc, "status_code", 404)
            code = INVALID_METHOD if status == 405 else INVALID_PATH
            return fail(ApiError(code, status=status))

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            async def loop() -> None:
                while True:
                    await asyncio.sleep(0.1)
                    try:
                        runtime.tick()
                    except Exception:  # keep ticking; one bad timer must not stop reviews and orders
                        log.exception("TikTok sandbox tick failed")

            task = asyncio.get_running_loop().create_task(loop())
            try:
                yield
            finally:
                task.cancel()

        return Starlette(routes=routes, exception_handlers={HTTPException: not_found}, lifespan=lifespan)

    # --- protocol ---
    def manifest(self, base_url: str) -> dict[str, Any]:
        """Base URLs, app credentials and the pre-authorized shops (see docs/sandbox.md)."""
        base_url = base_url.rstrip("/")
        state, app = self.runtime.state, self.runtime.state.app
        shops = []
        for shop in state.shops.values():
            grant = state.latest_grant(shop.id)
            if grant is None:
                continue
            shops.append({"id": shop.id, "cipher": shop.cipher, "region": shop.region, "name": shop.name,
                          "currency": shop.market.currency, "warehouse_id": shop.warehouse_id,
                          "access_token": grant.access_token, "refresh_token": grant.refresh_token})
        return {"platform": "tiktok", "base_url": base_url, "api_url": base_url, "auth_url": base_url,
                "control_url": f"{base_url}/_sandbox", "app_key": app.app_key, "app_secret": app.app_secret,
                "service_id": app.service_id, "currency": shops[0]["currency"] if shops else "USD",
                "shops": shops}

    async def seed(self, base_url: str) -> None:
        """List a few products on the default US shop through the Open API (no-op when seed=False)."""
        if not self.seed_enabled:
            return
        from feedbridge_sandbox.tiktok.seed import seed_products

        await seed_products(self.manifest(base_url))


def supported_regions() -> tuple[str, ...]:
    """The market codes the sandbox can open shops in."""
    return tuple(REGIONS)
