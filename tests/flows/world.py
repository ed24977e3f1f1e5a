"""A whole feedbridge world on loopback: the app (webhooks), a real worker, the TikTok sandbox and one store
sandbox, with a merchant whose store feeds a TikTok shop. Tests drive buyers and the merchant's store through
the sandboxes' own APIs and wait for feedbridge to act."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import select

from feedbridge.db.models import Intent, Listing, Merchant, Order, StoreConnection, StoreFeed, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.jobs.worker import start_embedded_worker
from feedbridge.runtime import Runtime
from feedbridge.sync.catalog import refresh_catalog
from feedbridge.sync.categories import refresh_categories
from feedbridge.web.app import create_app
from feedbridge_sandbox.core import RunningServer, serve

T = TypeVar("T")


def wait_for(check: Callable[[], T | None], timeout: float = 40.0, what: str = "condition",
             world: World | None = None) -> T:
    """Poll `check` until it returns something truthy; fail with `what` (and the world's state) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"\n{world.describe()}" if world else ""))
        time.sleep(0.1)


@dataclass
class World:
    runtime: Runtime
    harness: Any
    tiktok_server: RunningServer
    tiktok: dict[str, Any]
    app_server: RunningServer
    consumer: Any
    merchant_id: int = 0
    shop_row_id: int = 0
    connection_id: int = 0
    feed_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- the TikTok sandbox --------------------------------------------------------------------------

    def tiktok_control(self, method: str, path: str, json: Any = None) -> Any:
        response = httpx.request(method, f"{self.tiktok_server.url}/_sandbox{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json()

    def tiktok_products(self) -> list[dict[str, Any]]:
        return list(self.tiktok_control("GET", "/products")["products"])

    def tiktok_orders(self) -> list[dict[str, Any]]:
        return list(self.tiktok_control("GET", "/orders")["orders"])

    # ---- the store -----------------------------------------------------------------------------------

    def store(self, call: Callable[[Any], Any]) -> Any:
        """Run an async call on a fresh store adapter (acting as the merchant in their store)."""
        async def run() -> Any:
            adapter = self.harness.adapter()
            try:
                return await call(adapter)
            finally:
                await adapter.aclose()

        return asyncio.run(run())

    def rows(self, model: Any, **where: Any) -> list[Any]:
        with self.runtime.sessions() as session:
            query = select(model)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return list(session.scalars(query))

    def describe(self) -> str:
        """What feedbridge knows: intents, listings and orders (for failure messages)."""
        lines = [f"intent {i.kind} {i.key} {i.state} attempts={i.attempts} {i.last_error}" for i in self.rows(Intent)]
        lines += [f"listing {r.store_product_id} {r.status} {r.tiktok_status} {r.reason}" for r in self.rows(Listing)]
        lines += [f"order {o.tiktok_order_id} {o.tiktok_status} {o.sync_state} {o.reason}" for o in self.rows(Order)]
        return "\n".join(lines)

    def stop(self) -> None:
        self.consumer.stop(graceful=True)
        self.app_server.stop()
        self.tiktok_server.stop()
        self.harness.stop()


def seeded_harness(platform: str) -> Any:
    """The platform's contract harness, but with its sandbox seeded with the sample catalog (through the
    platform's own API) instead of empty."""
    module: Any = importlib.import_module(f"tests.contract.harness_{platform}")
    original = module.create_sandbox
    module.create_sandbox = lambda *args, **kwargs: original(*args, **{**kwargs, "seed": True})
    try:
        harness = module.Harness()
        harness.start()
    finally:
        module.create_sandbox = original
    asyncio.run(harness.sandbox.seed(harness.base_url))
    return harness


def build_world(runtime: Runtime, platform: str, *, tiktok_options: dict[str, Any] | None = None) -> World:
    """Start everything and connect a merchant's store (of `platform`) to the sandbox's US TikTok shop."""
    from feedbridge_sandbox.tiktok import create_sandbox

    options = {"seed": False, "review_delay": 0.3, "on_hold_seconds": 1.0,
               "webhook_retry_delays": (0.2, 0.5, 1.0), **(tiktok_options or {})}
    tiktok_sandbox = create_sandbox(**options)
    tiktok_server = serve(tiktok_sandbox.app)
    manifest = tiktok_sandbox.manifest(tiktok_server.url)
    settings = runtime.settings
    settings.tiktok_app_key, settings.tiktok_app_secret = manifest["app_key"], manifest["app_secret"]
    settings.tiktok_api_url = settings.tiktok_auth_url = manifest["api_url"]
    harness = seeded_harness(platform)
    app_server = serve(create_app(runtime))
    settings.public_url = app_server.url
    consumer = start_embedded_worker(runtime, 4, periodic=False)
    world = World(runtime, harness, tiktok_server, manifest, app_server, consumer)
    shop = next(s for s in manifest["shops"] if s["region"] == "US")
    store_manifest = harness.sandbox.manifest(harness.base_url)
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email=f"merchant-{platform}@example.com", name="Demo Merchant")
        session.add(merchant)
        session.flush()
        shop_row = TikTokShop(merchant_id=merchant.id, region="US", shop_id=shop["id"], name=shop["name"],
                              cipher=shop["cipher"], currency=shop["currency"], default_warehouse_id=shop["warehouse_id"],
                              tokens=runtime.vault.encrypt({"access_token": shop["access_token"],
                                                            "refresh_token": shop["refresh_token"]}))
        connection = StoreConnection(merchant_id=merchant.id, platform=platform, name=f"{platform} store",
                                     base_url=harness.base_url,
                                     credentials=runtime.vault.encrypt(dict(store_manifest["credentials"])),
                                     currency=store_manifest.get("currency", "USD"))
        session.add_all([shop_row, connection])
        session.flush()
        feed = StoreFeed(merchant_id=merchant.id, store_connection_id=connection.id, tiktok_shop_id=shop_row.id)
        session.add(feed)
        session.flush()
        world.merchant_id, world.shop_row_id = merchant.id, shop_row.id
        world.connection_id, world.feed_id = connection.id, feed.id
    world.tiktok_control("POST", "/app_webhook", {"address": f"{app_server.url}/webhooks/tiktok"})
    if platform != "magento":
        world.store(lambda a: a.register_webhooks(f"{app_server.url}/webhooks/store/{world.connection_id}"))
    asyncio.run(refresh_categories(runtime, world.shop_row_id))
    asyncio.run(refresh_catalog(runtime, world.connection_id))
    return world
