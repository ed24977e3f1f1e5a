"""A benchmark world on loopback: the app (webhooks), separate `feedbridge worker` processes, the TikTok sandbox
(with a call log, optional injected latency and its real rate limit) and one store sandbox.

Copied in spirit from tests/flows/world.py, with what benchmarks need besides: a generated catalog of any size,
every TikTok API call logged with its time (and the body of price/stock updates), and workers in their own
processes so their CPU time can be read from /proc.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

from feedbridge.db.models import (
    Binding,
    Listing,
    Merchant,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import load_settings
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.core.faults import Fault
from feedbridge_sandbox.core.server import free_port

ROOT = Path(__file__).resolve().parent.parent
CAPTURED = ("/inventory/update", "/prices/update")


def size(name: str, default: int) -> int:
    """A size knob: `--size full` or BENCH_SIZE=full picks the full size; BENCH_<NAME>=n sets one directly."""
    direct = os.environ.get(f"BENCH_{name.upper()}")
    if direct:
        return int(direct)
    return -1 if os.environ.get("BENCH_SIZE") == "full" else default


def pick(name: str, default: float, full: float) -> float:
    """`default` at the default size, `full` with BENCH_SIZE=full, or BENCH_<NAME> when set."""
    direct = os.environ.get(f"BENCH_{name.upper()}")
    if direct:
        return float(direct)
    return full if os.environ.get("BENCH_SIZE") == "full" else default


def template(path: str) -> str:
    """An API path with its ids folded, as TikTok counts rate limits per API."""
    return re.sub(r"/\d{9,}", "/{id}", path)


@dataclass
class Call:
    t: float
    method: str
    path: str
    status: int
    body: Any = None


class CallLog:
    """ASGI middleware in front of the TikTok sandbox: records every Open API call (not /_sandbox) as it ends."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/_sandbox", "/cdn")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status = [0]
        capture = scope["path"].endswith(CAPTURED)

        async def recv() -> Any:
            message = await receive()
            if capture and message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def snd(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        await self.app(scope, recv, snd)
        body = None
        if capture and status[0] == 200:
            try:
                body = json.loads(b"".join(chunks) or b"{}")
            except ValueError:
                body = None
        with self._lock:
            self.calls.append(Call(time.monotonic(), scope["method"], scope["path"], status[0], body))

    def since(self, t0: float) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.t >= t0]

    def by_api(self, t0: float = 0.0) -> Counter[str]:
        return Counter(f"{c.method} {template(c.path)}" for c in self.since(t0))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(v) for v in fields[11:15]) / ticks


@dataclass
class BenchWorld:
    runtime: Runtime
    harness: Any
    tiktok_sandbox: Any
    tiktok_server: RunningServer
    tiktok: dict[str, Any]
    app: subprocess.Popen[bytes]
    app_url: str
    calls: CallLog
    home: Path
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    merchant_id: int = 0
    shop_row_id: int = 0
    connection_id: int = 0
    feed_id: int = 0

    # ---- workers ---------------------------------------------------------------------------------------------

    def start_workers(self, processes: int = 1, threads: int = 4) -> None:
        """Start `processes` `feedbridge worker` processes of `threads` threads each (no periodic tasks)."""
        code = "from feedbridge.cli import app; app()"
        for _ in range(processes):
            log = (self.home / f"worker-{len(self.workers)}.log").open("wb")
            self.workers.append(subprocess.Popen(
                [sys.executable, "-c", code, "worker", "--workers", str(threads), "--worker-type", "thread"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        time.sleep(1.0)
        for proc in self.workers:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: see {self.home}/worker-*.log")

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.terminate()
        for proc in self.workers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.workers.clear()

    def worker_cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.workers)

    def app_cpu(self) -> float:
        return cpu_seconds(self.app.pid)

    # ---- helpers ---------------------------------------------------------------------------------------------

    def tiktok_control(self, method: str, path: str, json_body: Any = None) -> Any:
        response = httpx.request(method, f"{self.tiktok_server.url}/_sandbox{path}", json=json_body, timeout=60)
        response.raise_for_status()
        return response.json()

    def rows(self, model: Any, **where: Any) -> list[Any]:
        with self.runtime.sessions() as session:
            query = select(model)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return list(session.scalars(query))

    def set_latency(self, seconds: float) -> None:
        """Every Open API answer of the TikTok sandbox takes `seconds` longer (0 clears it)."""
        self.tiktok_sandbox.faults.clear()
        if seconds > 0:
            self.tiktok_sandbox.faults.add(Fault(kind="delay", path="/", seconds=seconds, count=-1))

    def stop(self) -> None:
        self.stop_workers()
        self.app.terminate()
        self.app.wait(timeout=15)
        # Webhook deliveries still in flight die with the sandboxes' loops; that is expected here.
        hook, sys.unraisablehook = sys.unraisablehook, lambda *_: None
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        try:
            self.tiktok_server.stop()
            self.harness.stop()
        finally:
            sys.unraisablehook = hook
        self.runtime.engine.dispose()
        shutil.rmtree(self.home, ignore_errors=True)


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `check` until truthy; raise after `timeout` seconds naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# ---- the store ---------------------------------------------------------------------------------------------

def _lift_store_quota(harness: Any) -> None:
    """Benchmarks measure TikTok's budget and our own cost, so the store's quota must not be the bottleneck."""
    body = {"bigcommerce": {"quota": 1_000_000, "window_ms": 1000},
            "woocommerce": {"limit": 1_000_000, "window": 1.0},
            "magento": {"limit": 1_000_000, "window": 1.0}}.get(harness.platform)
    if body is not None:
        asyncio.run(harness.control("POST", "/_sandbox/ratelimit", body))


async def generate_bigcommerce_catalog(harness: Any, products: int, variants: int = 3, concurrency: int = 8) -> int:
    """Create `products` products of `variants` SKUs each through BigCommerce's v3 API, built from the sample
    catalog (titles, HTML descriptions, sandbox-hosted images) with unique names and SKUs."""
    from feedbridge_sandbox.bigcommerce.seed import CATALOGS, DATA, product_body, read_catalog

    samples = [p for c in CATALOGS for p in read_catalog(DATA / c) if p.images and p.body_html]
    store = harness.sandbox.store
    prefix = f"{harness.base_url}/stores/{store.store_hash}/v3"
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(headers={"X-Auth-Token": store.access_token, "Accept": "application/json"},
                                 timeout=60) as http:
        locations = [loc["id"] for loc in (await http.get(f"{prefix}/inventory/locations")).json()["data"]]
        category = (await http.post(f"{prefix}/catalog/trees/categories",
                                    json=[{"name": "Bench", "parent_id": 0, "tree_id": 1}])).json()
        category_id = category["data"][0]["category_id"]

        async def one(n: int) -> None:
            sample = samples[n % len(samples)]
            async with gate:
                body = product_body(sample, category_id, harness.base_url)
                body["name"] = f"{sample.title} B{n}"[:250]
                body.pop("sku", None)
                answer = await http.post(f"{prefix}/catalog/products", json=body)
                answer.raise_for_status()
                product_id = answer.json()["data"]["id"]
                items = []
                for v in range(variants):
                    made = await http.post(f"{prefix}/catalog/products/{product_id}/variants", json={
                        "sku": f"BENCH-{n}-{v}", "price": float(sample.variants[0].price) + v,
                        "option_values": [{"option_display_name": "Size", "label": f"S{v}"}]})
                    made.raise_for_status()
                    items.append({"location_id": locations[0], "variant_id": made.json()["data"]["id"],
                                  "quantity": 50 + v})
                (await http.put(f"{prefix}/inventory/adjustments/absolute",
                                json={"reason": "bench", "items": items})).raise_for_status()

        await asyncio.gather(*(one(n) for n in range(products)))
    return products


def clone_bigcommerce_products(harness: Any, count: int, *, with_images: bool = True) -> int:
    """Fill the sandbox store with `count` copies of its first product, written straight into the sandbox's
    state (creating 100,000 products through the API would take longer than the read being measured).
    Copies get their own ids, names and SKUs; the store's API then serves them like any other product.
    Without images the copies stay cheap to serve: the sandbox sorts every image of the store per product."""
    import copy

    state = harness.sandbox.store.state
    source_id = next(iter(state.products))
    product = state.products[source_id]
    variants = [v for v in state.variants.values() if v["product_id"] == source_id]
    images = [i for i in state.images.values() if i["product_id"] == source_id]
    options = state.options.get(source_id, [])
    stock = {v["id"]: [(loc, q) for (vid, loc), q in state.stock.items() if vid == v["id"]] for v in variants}
    for n in range(count):
        pid = state.next_id("product")
        state.products[pid] = {**copy.deepcopy(product), "id": pid, "name": f"{product['name']} C{n}"}
        for variant in variants:
            vid = state.next_id("variant")
            state.variants[vid] = {**copy.deepcopy(variant), "id": vid, "product_id": pid, "sku_id": 1000 + vid,
                                   "sku": f"{variant['sku']}-C{n}"}
            for location, quantity in stock[variant["id"]]:
                state.stock[(vid, location)] = quantity
        if with_images:
            for image in images:
                iid = state.next_id("image")
                state.images[iid] = {**image, "id": iid, "product_id": pid}
        state.options[pid] = [{**copy.deepcopy(o), "product_id": pid} for o in options]
    return count


def freeze_bigcommerce_reads(harness: Any) -> None:
    """Index the sandbox's variants and stock for reading. The BigCommerce sandbox finds a product's variants
    by scanning every variant, so reading a catalog is quadratic in its size; a read-only benchmark of a
    100,000-product catalog needs the index. Only for a catalog that no longer changes."""
    from collections import defaultdict

    state = harness.sandbox.store.state
    by_product: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for variant in state.variants.values():
        by_product[variant["product_id"]].append(variant)
    totals: dict[int, int] = defaultdict(int)
    for (variant_id, _location), quantity in state.stock.items():
        totals[variant_id] += quantity
    state.product_variants = lambda pid: sorted(by_product.get(pid, []), key=lambda v: v["id"])
    state.variant_stock = lambda vid: totals.get(vid, 0)


def _start_harness(platform: str, generated: int, variants: int) -> Any:
    module = importlib.import_module(f"tests.contract.harness_{platform}")
    if generated:
        harness = module.Harness()
        harness.start()
        _lift_store_quota(harness)
        asyncio.run(generate_bigcommerce_catalog(harness, generated, variants))
        return harness
    from tests.flows.world import seeded_harness

    harness = seeded_harness(platform)
    _lift_store_quota(harness)
    return harness


def _answers(url: str, proc: subprocess.Popen[bytes]) -> bool:
    if proc.poll() is not None:
        raise RuntimeError("the app exited; see its app.log")
    try:
        httpx.get(f"{url}/", timeout=2)
        return True
    except httpx.HTTPError:
        return False


# ---- building -------------------------------------------------------------------------------------------------

def build(platform: str = "bigcommerce", *, generated: int = 0, variants: int = 3, rate_limit: int = 50,
          review_delay: float = 0.3, on_hold_seconds: float = 1.0, database_url: str = "", queue_url: str = ""
          ) -> BenchWorld:
    """Start the sandboxes and the app; connect a merchant's store to the sandbox's US TikTok shop.

    `generated` > 0 (BigCommerce only) creates that many products of `variants` SKUs; otherwise the store
    sandbox is seeded with the sample catalog. Workers are started separately (`start_workers`).
    """
    from feedbridge.sync.catalog import refresh_catalog
    from feedbridge.sync.categories import refresh_categories
    from feedbridge_sandbox.tiktok import create_sandbox

    home = Path(tempfile.mkdtemp(prefix="feedbridge-bench-"))
    settings = load_settings(home=home, database_url=database_url or f"sqlite:///{home / 'feedbridge.db'}",
                             queue_url=queue_url or f"sqlite:///{home / 'queue.db'}", sandbox_mode=True,
                             secret_key=Fernet.generate_key().decode(),
                             retry_base_seconds=0.2, retry_cap_seconds=2.0, log_level="WARNING")
    tiktok_sandbox = create_sandbox(seed=False, review_delay=review_delay, on_hold_seconds=on_hold_seconds,
                                    rate_limit=rate_limit, webhook_retry_delays=(0.2, 0.5, 1.0))
    calls = CallLog(tiktok_sandbox.app)
    tiktok_server = serve(calls)
    manifest = tiktok_sandbox.manifest(tiktok_server.url)
    settings.tiktok_app_key, settings.tiktok_app_secret = manifest["app_key"], manifest["app_secret"]
    settings.tiktok_api_url = settings.tiktok_auth_url = manifest["api_url"]
    runtime = build_runtime(settings)
    harness = _start_harness(platform, generated, variants)
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    settings.public_url = app_url
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "FEEDBRIDGE_HOME": str(home),
           "FEEDBRIDGE_DATABASE_URL": settings.database_url, "FEEDBRIDGE_QUEUE_URL": settings.queue_url,
           "FEEDBRIDGE_SECRET_KEY": settings.secret_key, "FEEDBRIDGE_SANDBOX_MODE": "true",
           "FEEDBRIDGE_TIKTOK_APP_KEY": manifest["app_key"], "FEEDBRIDGE_TIKTOK_APP_SECRET": manifest["app_secret"],
           "FEEDBRIDGE_TIKTOK_API_URL": manifest["api_url"], "FEEDBRIDGE_TIKTOK_AUTH_URL": manifest["api_url"],
           "FEEDBRIDGE_PUBLIC_URL": app_url, "FEEDBRIDGE_RETRY_BASE_SECONDS": "0.2",
           "FEEDBRIDGE_RETRY_CAP_SECONDS": "2.0", "FEEDBRIDGE_LOG_LEVEL": "WARNING"}
    app = subprocess.Popen([sys.executable, "-c", "from feedbridge.cli import app; app()", "run", "--port", str(port),
                            "--no-worker"], env=env, cwd=ROOT, stdout=(home / "app.log").open("wb"),
                           stderr=subprocess.STDOUT)
    world = BenchWorld(runtime, harness, tiktok_sandbox, tiktok_server, manifest, app, app_url, calls, home, env)
    wait_until(lambda: _answers(app_url, app), 60, "the app to start")
    shop = next(s for s in manifest["shops"] if s["region"] == "US")
    store_manifest = harness.sandbox.manifest(harness.base_url)
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email=f"bench-{platform}@example.com", name="Bench Merchant")
        session.add(merchant)
        session.flush()
        shop_row = TikTokShop(merchant_id=merchant.id, region="US", shop_id=shop["id"], name=shop["name"],
                              cipher=shop["cipher"], currency=shop["currency"], default_warehouse_id=shop["warehouse_id"],
                              settings={"daily_listing_quota": 1_000_000},
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
    world.tiktok_control("POST", "/app_webhook", {"address": f"{app_url}/webhooks/tiktok"})
    if platform != "magento":
        async def register() -> None:
            adapter = harness.adapter()
            try:
                await adapter.register_webhooks(f"{app_url}/webhooks/store/{world.connection_id}")
            finally:
                await adapter.aclose()

        asyncio.run(register())
    asyncio.run(refresh_categories(runtime, world.shop_row_id))
    asyncio.run(refresh_catalog(runtime, world.connection_id))
    return world


def map_products(world: BenchWorld, *, min_variants: int = 1) -> list[str]:
    """Map every listable store product to the category TikTok suggests for the first, with the category's
    required attributes defaulted (as a merchant does once under Settings). Returns the product ids."""
    from feedbridge.sync.categories import (
        category_requirements,
        set_attribute_default,
        set_mapping,
        suggest_category,
    )

    with world.runtime.sessions() as session:
        rows = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id, StoreProduct.deleted.is_(False))
            .order_by(StoreProduct.id)).all()
        product_ids = [r.product_id for r in rows if len(r.data["variants"]) >= min_variants and r.data["images"]
                       and all(v["sku"] for v in r.data["variants"])]
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
    suggestion = asyncio.run(suggest_category(world.runtime, world.feed_id, product_ids[0]))
    assert suggestion is not None, "the first product gets a category suggestion"
    _rules, attributes = asyncio.run(category_requirements(world.runtime, shop, suggestion.category_id))
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop is not None
        for attribute in attributes:
            if attribute.required and not attribute.sales:
                value = attribute.values[0].name if attribute.values else "Not applicable"
                set_attribute_default(session, feed, attribute.id, [value], name=attribute.name)
        for product_id in product_ids:
            set_mapping(session, feed, shop, "product", product_id, suggestion.category_id, source=suggestion.source)
    return product_ids


def start_listing(world: BenchWorld, product_ids: list[str]) -> None:
    from feedbridge.sync.listings import start_listing as start

    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        start(session, feed, product_ids)


def listing_counts(world: BenchWorld) -> Counter[str]:
    return Counter(r.status for r in world.rows(Listing, feed_id=world.feed_id))


def list_and_activate(world: BenchWorld, product_ids: list[str], timeout: float = 300) -> list[Binding]:
    """List the products and wait until TikTok approved them; returns the bindings of active listings."""
    start_listing(world, product_ids)

    def settled() -> bool:
        counts = listing_counts(world)
        return sum(counts.values()) == len(product_ids) and counts["active"] + counts["failed_to_sync"] + \
            counts["failed_review"] == len(product_ids)

    wait_until(settled, timeout, "listings to become active")
    active = {r.store_product_id for r in world.rows(Listing, feed_id=world.feed_id) if r.status == "active"}
    return [b for b in world.rows(Binding, feed_id=world.feed_id) if b.store_product_id in active and b.tiktok_sku_id]


class StockSetter:
    """Sets a variant's stock through the store's own API on one shared connection (a benchmark driver must
    be cheaper than what it measures); platforms without a fast path use the contract harness."""

    def __init__(self, harness: Any, locations: list[str]) -> None:
        self.harness = harness
        self.locations = locations
        self.platform = harness.platform
        self._http: httpx.AsyncClient | None = None
        self._client: Any = None

    async def __aenter__(self) -> StockSetter:
        if self.platform == "bigcommerce":
            store = self.harness.sandbox.store
            self._http = httpx.AsyncClient(base_url=f"{self.harness.base_url}/stores/{store.store_hash}",
                                           headers={"X-Auth-Token": store.access_token}, timeout=60,
                                           limits=httpx.Limits(max_connections=16))
        elif self.platform == "magento":
            self._client = self.harness._client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._client is not None:
            await self._client.aclose()

    async def set(self, binding: Binding, quantity: int) -> None:
        """The variant's stock becomes `quantity` at the first location and 0 at the others."""
        stock = {loc: (quantity if i == 0 else 0) for i, loc in enumerate(self.locations)}
        if self._http is not None:
            items = [{"location_id": int(loc), "variant_id": int(binding.store_variant_id), "quantity": q}
                     for loc, q in stock.items()]
            (await self._http.put("/v3/inventory/adjustments/absolute", json={"items": items})).raise_for_status()
        elif self._client is not None:
            await self._client.post("/V1/inventory/source-items", {"sourceItems": [
                {"sku": binding.seller_sku, "source_code": code, "quantity": q, "status": 1 if q > 0 else 0}
                for code, q in stock.items()]})
        else:
            await self.harness.set_variant(binding.store_product_id, binding.store_variant_id, stock=stock)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
