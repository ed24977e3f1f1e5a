"""The one-command demo: every sandbox on loopback, feedbridge on the embedded default, a demo merchant whose
four sandboxed stores (seeded with the sample catalogs) feed a sandboxed TikTok shop, and buyers who place
orders now and then — so a newcomer sees the whole loop without any account.
"""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import threading
from typing import Any

import httpx
import typer
import uvicorn

from feedbridge.db.models import Merchant
from feedbridge.db.session import transaction
from feedbridge.jobs.worker import start_embedded_worker
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import Settings
from feedbridge.sync.shops import connect_with_code
from feedbridge.web.app import create_app
from feedbridge.web.connect import connect_store, create_feed
from feedbridge.web.security import hash_password

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@feedbridge.local"
DEMO_PASSWORD = "tiktok-demo"
STORES = ("shopify", "bigcommerce", "woocommerce", "magento")


async def set_up_merchant(runtime: Runtime, manifest: dict[str, Any]) -> int:
    """Create the demo merchant, authorize the sandbox TikTok shops, connect every store, feed the US shop."""
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email=DEMO_EMAIL, name="Demo Merchant", password_hash=hash_password(DEMO_PASSWORD))
        session.add(merchant)
        session.flush()
        merchant_id = merchant.id
    tiktok = manifest["tiktok"]
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(f"{tiktok['control_url']}/authorize",
                                 json={"shop_ids": [shop["id"] for shop in tiktok["shops"]]})
        answer.raise_for_status()
    shop_rows = await connect_with_code(runtime, merchant_id, answer.json()["code"])
    with runtime.sessions() as session:
        from feedbridge.db.models import TikTokShop

        us_shop = next(row for row in (session.get(TikTokShop, i) for i in shop_rows) if row and row.region == "US")
    for platform in STORES:
        if platform not in manifest:
            continue
        store = manifest[platform]
        connection = await connect_store(runtime, merchant_id, platform, store["base_url"], store["credentials"])
        with transaction(runtime.sessions) as session:
            create_feed(session, merchant_id, connection.id, us_shop.id)
    return merchant_id


class Buyers(threading.Thread):
    """Sandboxed TikTok buyers: every so often one orders an active listed SKU that has stock."""

    def __init__(self, control_url: str, shop_id: str, every: float = 45.0) -> None:
        super().__init__(name="demo-buyers", daemon=True)
        self.control_url, self.shop_id, self.every = control_url, shop_id, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every * random.uniform(0.6, 1.4)):
            try:
                self.place_one()
            except httpx.HTTPError as exc:
                log.info("demo buyer could not order: %s", exc)

    def place_one(self) -> None:
        products = httpx.get(f"{self.control_url}/products", params={"shop_id": self.shop_id}, timeout=10).json()
        skus = [sku for product in products.get("products", []) if product.get("status") == "ACTIVATE"
                for sku in product.get("skus", []) if sku.get("inventory") and sku["inventory"][0]["quantity"] > 0]
        if not skus:
            return
        sku = random.choice(skus)
        httpx.post(f"{self.control_url}/buyer/orders", timeout=10, json={
            "shop_id": self.shop_id, "items": [{"sku_id": sku["id"], "quantity": 1}],
            "buyer_message": random.choice(["", "Please gift wrap", "Leave at the door"])})


def run_demo(settings: Settings, *, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Start the sandboxes and feedbridge on loopback with a fresh demo database; block until interrupted."""
    from feedbridge_sandbox.launcher import start_fleet

    home = settings.home / "demo"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    typer.echo("Starting the sandboxes of TikTok Shop, Shopify, BigCommerce, WooCommerce and Magento 2 ...")
    fleet = start_fleet(seed=True, options={"tiktok": {"review_delay": 10.0, "on_hold_seconds": 30.0}})
    manifest = fleet.manifest()
    tiktok = manifest["tiktok"]
    demo_settings = settings.model_copy(update={
        "home": home, "database_url": f"sqlite:///{home / 'feedbridge.db'}",
        "queue_url": f"sqlite:///{home / 'queue.db'}", "public_url": f"http://{host}:{port}",
        "sandbox_mode": True, "tiktok_app_key": tiktok["app_key"], "tiktok_app_secret": tiktok["app_secret"],
        "tiktok_service_id": tiktok["service_id"], "tiktok_api_url": tiktok["api_url"],
        "tiktok_auth_url": tiktok["auth_url"]})
    runtime = build_runtime(demo_settings)
    consumer = start_embedded_worker(runtime, demo_settings.worker_threads)
    buyers = Buyers(tiktok["control_url"], next(s["id"] for s in tiktok["shops"] if s["region"] == "US"))
    try:
        server = uvicorn.Server(uvicorn.Config(create_app(runtime), host=host, port=port, log_level="warning",
                                               access_log=False))
        web = threading.Thread(target=server.run, name="web", daemon=True)
        web.start()
        while not server.started and web.is_alive():
            threading.Event().wait(0.05)
        asyncio.run(set_up_merchant(runtime, manifest))
        buyers.start()
        for name, running in fleet.servers.items():
            typer.echo(f"  sandbox {name:12} {running.url}")
        typer.echo(f"\nfeedbridge demo is running. Open http://{host}:{port}/ in your browser.")
        typer.echo(f"Log in as {DEMO_EMAIL} with password {DEMO_PASSWORD}. Press Ctrl+C to stop.")
        web.join()
    finally:
        buyers.stopped.set()
        consumer.stop(graceful=True)
        fleet.stop()
