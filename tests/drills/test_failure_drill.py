"""Failure drill: production mode (PostgreSQL + Redis + 3 `feedbridge worker` processes) against the TikTok
and store sandboxes with faults on (5xx, 429, answers lost after the remote side acted, dropped and duplicated
webhooks), while workers are killed with SIGKILL at random moments and restarted.

The merchant lists part of the catalog, changes prices and stock; buyers place and cancel orders. Afterwards:
every TikTok order is in the store exactly once (none for orders cancelled before they were created), every
listed SKU's price and stock on TikTok are what the rules give from the store, no listing was created twice,
no intent is lost or stuck (each is done, or failed with a reason the activity log explains).

Small size (CI) takes about two minutes; `--drill-size=large` (or FEEDBRIDGE_DRILL_SIZE=large) does more.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from feedbridge.db.models import (
    Activity,
    Binding,
    Intent,
    Listing,
    Merchant,
    Order,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.runtime import build_runtime
from feedbridge.settings import load_settings
from feedbridge.sync.catalog import refresh_catalog
from feedbridge.sync.categories import (
    category_requirements,
    set_attribute_default,
    set_mapping,
    suggest_category,
)
from feedbridge.sync.listings import start_listing
from feedbridge.sync.polling import run_schedules
from feedbridge.sync.price_stock import desired_values, rules_for
from feedbridge.web.app import create_app
from feedbridge_sandbox.core import serve
from feedbridge_sandbox.tiktok import create_sandbox
from tests.drills.fleet import WorkerFleet
from tests.drills.recorder import RequestRecorder
from tests.drills.services import postgres_database_or_skip, redis_url_or_skip
from tests.flows.world import World, seeded_harness, wait_for

ROOT = Path(__file__).resolve().parents[2]
# The store sandbox the drill runs against (bigcommerce or woocommerce have store faults defined below).
PLATFORM = os.environ.get("FEEDBRIDGE_DRILL_STORE", "bigcommerce")


@dataclass(frozen=True)
class Size:
    products: int
    price_changes: int
    orders: int
    cancels: int
    kill_every: tuple[float, float]
    chaos_after: float


SIZES = {"small": Size(products=3, price_changes=8, orders=6, cancels=2, kill_every=(2.0, 5.0), chaos_after=15.0),
         "large": Size(products=8, price_changes=40, orders=24, cancels=6, kill_every=(1.5, 4.0), chaos_after=45.0)}

TIKTOK_FAULTS: list[dict[str, Any]] = [
    {"kind": "status", "status": 500, "path": "/product/202309/images/upload", "count": 1},
    {"kind": "after", "status": 504, "method": "POST", "path": "/product/202309/products", "count": 2},
    {"kind": "status", "status": 429, "path": "/prices/update", "count": 2},
    {"kind": "status", "status": 503, "path": "/inventory/update", "count": 2},
    {"kind": "status", "status": 502, "path": "/order/202309/orders", "count": 2},
    {"kind": "drop_webhook", "topic": "", "count": 2},
    {"kind": "duplicate_webhook", "topic": "", "count": 3},
]
STORE_FAULTS: dict[str, list[dict[str, Any]]] = {
    "bigcommerce": [
        {"kind": "after", "status": 502, "method": "POST", "path": "/v2/orders", "count": 1},
        {"kind": "status", "status": 500, "method": "GET", "path": "/v3/catalog/products", "count": 1},
        {"kind": "status", "status": 429, "method": "GET", "path": "/v3/inventory", "count": 1},
        {"kind": "drop_webhook", "topic": "", "count": 2},
        {"kind": "duplicate_webhook", "topic": "", "count": 2},
    ],
    "woocommerce": [
        {"kind": "after", "status": 502, "method": "POST", "path": "/wc/v3/orders", "count": 1},
        {"kind": "status", "status": 500, "method": "GET", "path": "/wc/v3/products", "count": 1},
        {"kind": "drop_webhook", "topic": "", "count": 2},
        {"kind": "duplicate_webhook", "topic": "", "count": 2},
    ],
}


@pytest.fixture
def drill(tmp_path: Path, drill_size: str) -> Iterator[tuple[World, WorkerFleet, RequestRecorder, Size]]:
    """The production world: sandboxes, the web app (this process), a merchant, 3 worker processes."""
    redis_url = redis_url_or_skip("drill")
    with postgres_database_or_skip() as database_url:
        sandbox = create_sandbox(seed=False, review_delay=0.5, on_hold_seconds=2.0,
                                 webhook_retry_delays=(0.3, 0.8, 1.5))
        recorder = RequestRecorder(sandbox.app)
        tiktok_server = serve(recorder)
        manifest = sandbox.manifest(tiktok_server.url)
        secret = Fernet.generate_key().decode()
        settings = load_settings(
            home=tmp_path / "home", database_url=database_url, queue_url=redis_url, secret_key=secret,
            sandbox_mode=True, tiktok_app_key=manifest["app_key"], tiktok_app_secret=manifest["app_secret"],
            tiktok_api_url=manifest["api_url"], tiktok_auth_url=manifest["api_url"],
            retry_base_seconds=0.5, retry_cap_seconds=4.0, intent_lease_seconds=20.0, intent_max_attempts=12)
        runtime = build_runtime(settings)
        app_server = serve(create_app(runtime))
        runtime.settings.public_url = app_server.url
        harness = seeded_harness(PLATFORM)
        world = World(runtime, harness, tiktok_server, manifest, app_server, consumer=_NoConsumer())
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "FEEDBRIDGE_HOME": str(tmp_path / "home"),
               "FEEDBRIDGE_DATABASE_URL": database_url, "FEEDBRIDGE_QUEUE_URL": redis_url,
               "FEEDBRIDGE_SECRET_KEY": secret, "FEEDBRIDGE_SANDBOX_MODE": "true", "FEEDBRIDGE_LOG_JSON": "true",
               "FEEDBRIDGE_PUBLIC_URL": app_server.url, "FEEDBRIDGE_TIKTOK_APP_KEY": manifest["app_key"],
               "FEEDBRIDGE_TIKTOK_APP_SECRET": manifest["app_secret"],
               "FEEDBRIDGE_TIKTOK_API_URL": manifest["api_url"], "FEEDBRIDGE_TIKTOK_AUTH_URL": manifest["api_url"],
               "FEEDBRIDGE_RETRY_BASE_SECONDS": "0.5", "FEEDBRIDGE_RETRY_CAP_SECONDS": "4",
               "FEEDBRIDGE_INTENT_LEASE_SECONDS": "20", "FEEDBRIDGE_INTENT_MAX_ATTEMPTS": "12",
               "FEEDBRIDGE_SWEEP_INTERVAL_SECONDS": "2"}
        fleet = WorkerFleet(env, ROOT, tmp_path, size=3)
        try:
            connect_merchant(world)
            fleet.start_all()
            yield world, fleet, recorder, SIZES[drill_size]
        finally:
            fleet.stop()
            world.stop()
            runtime.engine.dispose()


class _NoConsumer:
    """The drill's jobs run in worker processes, not in this one."""

    def stop(self, graceful: bool = True) -> None:
        return None


def connect_merchant(world: World) -> None:
    """A merchant whose store feeds the sandbox's US shop, with webhooks on both sides and the catalog read."""
    runtime, shop = world.runtime, next(s for s in world.tiktok["shops"] if s["region"] == "US")
    store_manifest = world.harness.sandbox.manifest(world.harness.base_url)
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email="drill@example.com", name="Drill Merchant")
        session.add(merchant)
        session.flush()
        shop_row = TikTokShop(merchant_id=merchant.id, region="US", shop_id=shop["id"], name=shop["name"],
                              cipher=shop["cipher"], currency=shop["currency"], default_warehouse_id=shop["warehouse_id"],
                              tokens=runtime.vault.encrypt({"access_token": shop["access_token"],
                                                            "refresh_token": shop["refresh_token"]}))
        connection = StoreConnection(merchant_id=merchant.id, platform=PLATFORM, name="drill store",
                                     base_url=world.harness.base_url,
                                     credentials=runtime.vault.encrypt(dict(store_manifest["credentials"])),
                                     currency=store_manifest.get("currency", "USD"))
        session.add_all([shop_row, connection])
        session.flush()
        feed = StoreFeed(merchant_id=merchant.id, store_connection_id=connection.id, tiktok_shop_id=shop_row.id)
        session.add(feed)
        session.flush()
        world.merchant_id, world.shop_row_id = merchant.id, shop_row.id
        world.connection_id, world.feed_id = connection.id, feed.id
    world.tiktok_control("POST", "/app_webhook", {"address": f"{world.app_server.url}/webhooks/tiktok"})
    world.store(lambda a: a.register_webhooks(f"{world.app_server.url}/webhooks/store/{world.connection_id}"))
    from feedbridge.sync.categories import refresh_categories

    asyncio.run(refresh_categories(runtime, world.shop_row_id))
    asyncio.run(refresh_catalog(runtime, world.connection_id))


def pick_products(world: World, count: int) -> list[str]:
    with world.runtime.sessions() as session:
        rows = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id, StoreProduct.deleted.is_(False))
            .order_by(StoreProduct.id)).all()
        chosen = [r.product_id for r in rows if r.data["variants"] and r.data["images"]
                  and r.data["description_html"] and all(v["sku"] for v in r.data["variants"])]
    assert len(chosen) >= count, "the seeded catalog has enough listable products"
    return chosen[:count]


def start_listings(world: World, product_ids: list[str]) -> None:
    """Map the products to a suggested category, fill its required attributes, and list them (as the merchant)."""
    runtime = world.runtime
    suggestion = asyncio.run(suggest_category(runtime, world.feed_id, product_ids[0]))
    assert suggestion is not None
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
    _rules, attributes = asyncio.run(category_requirements(runtime, shop, suggestion.category_id))
    with transaction(runtime.sessions) as session:
        feed, shop = session.get(StoreFeed, world.feed_id), session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop is not None
        for attribute in attributes:
            if attribute.required and not attribute.sales:
                value = attribute.values[0].name if attribute.values else "Not applicable"
                set_attribute_default(session, feed, attribute.id, [value], name=attribute.name)
        for product_id in product_ids:
            set_mapping(session, feed, shop, "product", product_id, suggestion.category_id, source=suggestion.source)
        start_listing(session, feed, product_ids)


def add_faults(world: World) -> None:
    for fault in TIKTOK_FAULTS:
        world.tiktok_control("POST", "/faults", fault)
    for fault in STORE_FAULTS.get(PLATFORM, []):
        asyncio.run(world.harness.control("POST", "/_sandbox/faults", fault))


def clear_faults(world: World) -> None:
    world.tiktok_control("DELETE", "/faults")
    asyncio.run(world.harness.control("DELETE", "/_sandbox/faults"))


def poll_everything(world: World) -> None:
    """Make every poll and reconciliation due now and queue them (what the periodic task does each minute)."""
    with transaction(world.runtime.sessions) as session:
        for connection in session.scalars(select(StoreConnection)):
            connection.settings = {k: v for k, v in (connection.settings or {}).items() if k != "polled_at"}
        for shop in session.scalars(select(TikTokShop)):
            shop.settings = {k: v for k, v in (shop.settings or {}).items() if k != "polled_at"}
        for feed in session.scalars(select(StoreFeed)):
            feed.rules = {k: v for k, v in (feed.rules or {}).items() if k != "reconciled_at"}
    run_schedules(world.runtime)


def settled(world: World) -> bool:
    """No intent pending or running."""
    with world.runtime.sessions() as session:
        return not session.scalars(select(Intent.id).where(Intent.state.in_(("pending", "running"))).limit(1)).first()


def place_order(world: World, rng: random.Random, quantity: int) -> str:
    """A buyer orders `quantity` of a SKU TikTok shows in stock (the sandbox's buyer API)."""
    for _ in range(60):
        in_stock = [sku["seller_sku"] for p in world.tiktok_products() for sku in p["skus"]
                    if p.get("status") == "ACTIVATE" and sku["inventory"] and sku["inventory"][0]["quantity"] >= quantity]
        if in_stock:
            response = httpx.post(f"{world.tiktok_server.url}/_sandbox/buyer/orders", timeout=30,
                                  json={"items": [{"seller_sku": rng.choice(in_stock), "quantity": quantity}]})
            if response.status_code == 200:
                placed = response.json()
                return str(placed.get("id") or placed["order_id"])
            assert "stock" in response.text.lower(), f"buyer could not order: {response.text}"
        time.sleep(0.5)
    raise AssertionError(f"no SKU on TikTok had {quantity} in stock\n{world.describe()}")


def expected_on_tiktok(world: World) -> dict[str, tuple[Decimal | None, int]]:
    """Price and stock per TikTok SKU as the feed's rules give them from the store's current values."""
    runtime = world.runtime
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop = session.get(TikTokShop, world.shop_row_id)
        connection = session.get(StoreConnection, world.connection_id)
        assert feed is not None and shop is not None and connection is not None
        rules = rules_for(feed, shop, connection)
        bindings = list(session.scalars(select(Binding).where(Binding.feed_id == world.feed_id)))
    result: dict[str, tuple[Decimal | None, int]] = {}
    for product_id in sorted({b.store_product_id for b in bindings}):
        product = world.store(lambda a, pid=product_id: a.get_product(pid))
        group = [b for b in bindings if b.store_product_id == product_id]
        result.update(desired_values(product, group, rules, {}))
    return result


def test_nothing_lost_or_doubled_when_workers_die_and_platforms_misbehave(drill) -> None:  # type: ignore[no-untyped-def]
    world, fleet, recorder, size = drill
    rng = random.Random(int(os.environ.get("FEEDBRIDGE_DRILL_SEED", "20261127")))
    started = time.monotonic()
    add_faults(world)
    fleet.start_chaos(rng, size.kill_every)

    # The merchant lists part of the catalog.
    product_ids = pick_products(world, size.products)
    start_listings(world, product_ids)

    def listings_settled() -> bool:
        rows = world.rows(Listing, feed_id=world.feed_id)
        return len(rows) == len(product_ids) and all(r.status in ("active", "failed_to_sync") for r in rows)

    wait_for(listings_settled, timeout=90, what="listings to become active", world=world)
    bindings = [b for b in world.rows(Binding, feed_id=world.feed_id) if b.tiktok_sku_id]
    assert bindings, world.describe()

    # The merchant changes prices and stock in the store.
    locations = asyncio.run(world.harness.location_ids())
    for _ in range(size.price_changes):
        binding = rng.choice(bindings)
        price = Decimal(rng.randrange(1000, 9000)) / 100
        stock = {loc: rng.randrange(5, 40) for loc in locations}
        asyncio.run(world.harness.set_variant(binding.store_product_id, binding.store_variant_id,
                                              price=price, stock=stock))

    # Buyers place orders; some cancel while the order is still on hold.
    placed, cancelled = [], []
    for n in range(size.orders):
        order_id = place_order(world, rng, rng.randint(1, 2))
        placed.append(order_id)
        if n < size.cancels:
            world.tiktok_control("POST", f"/buyer/orders/{order_id}/cancel", {"reason": "Changed my mind"})
            cancelled.append(order_id)

    # Chaos continues while the work is in flight, then the fleet is left to settle.
    time.sleep(size.chaos_after)
    fleet.stop_chaos()
    clear_faults(world)

    def quiet() -> bool:
        poll_everything(world)  # recovers what dropped webhooks missed, as the periodic polls do
        time.sleep(3)
        return settled(world)

    wait_for(quiet, timeout=120, what="every intent to be done or failed", world=world)
    poll_everything(world)
    wait_for(lambda: settled(world), timeout=60, what="the last polls", world=world)

    # --- what must hold afterwards ------------------------------------------------------------------
    tiktok_orders = world.tiktok_orders()
    ours = {o.tiktok_order_id: o for o in world.rows(Order)}
    in_store = {o["id"]: asyncio.run(world.harness.count_orders(o["id"])) for o in tiktok_orders}
    for order in tiktok_orders:
        row = ours.get(order["id"])
        assert row is not None, f"TikTok order {order['id']} never reached feedbridge\n{world.describe()}"
        if order["id"] in cancelled and not row.store_order_id:
            assert in_store[order["id"]] == 0, f"cancelled order {order['id']} was created in the store"
        else:
            assert in_store[order["id"]] == 1, f"order {order['id']} is in the store {in_store[order['id']]} times"

    products = world.tiktok_products()
    per_sku = Counter(sku["seller_sku"] for p in products for sku in p["skus"])
    assert all(n == 1 for n in per_sku.values()), f"a SKU was listed twice: {per_sku}"
    listed = [r for r in world.rows(Listing, feed_id=world.feed_id) if r.tiktok_product_id]
    assert len(products) == len(listed), f"{len(products)} TikTok products for {len(listed)} listings"

    expected = expected_on_tiktok(world)
    on_tiktok = {sku["id"]: (Decimal(str(sku["price"]["amount"])), int(sku["inventory"][0]["quantity"]))
                 for p in products for sku in p["skus"]}
    wrong = {sku: (want, on_tiktok.get(sku)) for sku, want in expected.items() if on_tiktok.get(sku) != want}
    assert not wrong, f"price/stock differ from the store's (expected, on TikTok): {wrong}"

    intents = world.rows(Intent)
    states = Counter(i.state for i in intents)
    assert set(states) <= {"done", "failed"}, states
    failures = {a.details.get("intent_id") for a in world.rows(Activity) if a.level == "error"}
    for intent in intents:
        if intent.state == "failed":
            assert intent.last_error, f"intent {intent.kind} {intent.key} failed without a reason"
            assert intent.id in failures, f"failed intent {intent.kind} {intent.key} is not in the activity log"

    swept = sum(line.count("sweeper queued") for log in fleet.logs.glob("worker-*.log")
                for line in log.read_text(errors="replace").splitlines())
    elapsed = time.monotonic() - started
    print(f"\ndrill ({PLATFORM}, {len(product_ids)} products, {size.price_changes} price/stock changes, "
          f"{len(tiktok_orders)} orders, {len(cancelled)} cancelled) in {elapsed:.0f}s: "
          f"{fleet.kills} workers killed, {swept} sweeps re-queued work; intents {dict(states)}; "
          f"TikTok API answers {dict(recorder.statuses())}; "
          f"store orders {sum(in_store.values())}; TikTok products {len(products)}; SKUs checked {len(expected)}")
    assert fleet.kills > 0
