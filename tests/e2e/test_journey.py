"""The merchant's whole journey in a real browser, on a whole world (app, worker, TikTok and store sandboxes):
log in, map categories, sync products and watch the progress, see one listing fail TikTok's review with its
reason, see a TikTok order arrive in the store, ship it in the store and see it shipped on TikTok — without
reloading a page to see progress.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from unittest import mock

import pytest
from huey.consumer import Consumer
from playwright.sync_api import expect
from sqlalchemy import select

from feedbridge.db.models import Listing, Merchant, Order, StoreProduct, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.domain.orders import Fulfilment, FulfilmentLine, StoreOrderRef
from feedbridge.runtime import Runtime
from feedbridge.sync.categories import category_requirements, suggest_category
from feedbridge.web.security import hash_password
from tests.flows.world import World, build_world, wait_for
from tests.integration.web.helpers import PASSWORD

pytestmark = pytest.mark.browser
T = TypeVar("T")
PLATFORM = "bigcommerce"  # its sandbox hosts the seed images itself (no internet here)
TRACKING = {"ups": "1Z999AA10123456784", "united parcel service": "1Z999AA10123456784",
            "usps": "9400111899223197428490"}
REVIEW_REASON = "Product image shows a watermark"
REVIEW_SUGGESTION = "Upload images without watermarks"


@pytest.fixture
def world(runtime: Runtime) -> Iterator[World]:
    """A whole world whose merchant can log in with PASSWORD."""
    # The worker is started off the main thread, where signal handlers cannot be installed (nor are needed).
    with mock.patch.object(Consumer, "_set_signal_handlers", lambda self: None):
        built = off_loop(lambda: build_world(runtime, PLATFORM))
    with transaction(runtime.sessions) as session:
        merchant = session.get(Merchant, built.merchant_id)
        assert merchant is not None
        merchant.password_hash = hash_password(PASSWORD)
    yield built
    off_loop(built.stop)


def off_loop(call: Callable[[], T]) -> T:
    """Run `call` in another thread: Playwright's sync API keeps an event loop running in this one, and the
    world's helpers use asyncio.run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _products(world: World) -> list[StoreProduct]:
    """Two seeded products with several SKUs, images and a description (as a real catalog has)."""
    with world.runtime.sessions() as session:
        rows = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id, StoreProduct.deleted.is_(False))
            .order_by(StoreProduct.id)).all()
    chosen = [r for r in rows if len(r.data["variants"]) >= 2 and r.data["images"] and r.data["description_html"]
              and all(v["sku"] for v in r.data["variants"])]
    assert len(chosen) >= 2, "the seeded catalog has products with variants, images and descriptions"
    return chosen[:2]


def _distinct_word(title: str, other: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z]{4,}", title) if w.lower() not in other.lower()]
    assert words, f"{title!r} has a word {other!r} lacks"
    return words[0]


def _log_in(page: Any, world: World) -> None:
    page.goto(world.app_server.url + "/login")
    page.get_by_label("E-mail").fill(f"merchant-{PLATFORM}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def _nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def test_a_merchant_maps_syncs_sees_a_failed_review_and_ships_an_order_without_reloading(
        page: Any, world: World) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    good, rejected = _products(world)
    suggestion = off_loop(lambda: asyncio.run(suggest_category(world.runtime, world.feed_id, good.product_id)))
    other = off_loop(lambda: asyncio.run(suggest_category(world.runtime, world.feed_id, rejected.product_id)))
    assert suggestion is not None and other is not None
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
    required: dict[str, list[Any]] = {}
    for category in (suggestion, other):
        category_id = category.category_id
        _rules, attributes = off_loop(
            lambda: asyncio.run(category_requirements(world.runtime, shop, category_id)))  # noqa: B023
        required[category.path] = [a for a in attributes if a.required and not a.sales]
    keyword = _distinct_word(rejected.title, good.title)
    world.tiktok_control("POST", "/review_rules", {"fail_title_keywords": [keyword], "reasons": [REVIEW_REASON],
                                                   "suggestions": [REVIEW_SUGGESTION]})

    _log_in(page, world)

    # Category mapping: one product through the searchable picker, the other by accepting the suggestion.
    _nav(page, "Category mapping")
    expect(page.get_by_role("heading", name="Category mapping")).to_be_visible()
    page.get_by_label("One product").check()
    page.get_by_label("Store category or product").select_option(label=good.title)
    page.get_by_label("Search TikTok categories").fill(suggestion.name)
    page.get_by_label(suggestion.path, exact=True).check()
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("status")).to_contain_text(f"Mapped to {suggestion.path}")
    page.get_by_role("button", name=f"Suggest a category for {rejected.title}").click()
    page.get_by_role("button", name=re.compile(f"^Accept .* for {re.escape(rejected.title)}$")).click()
    expect(page.get_by_role("status")).to_contain_text("Mapped to")
    in_use = page.get_by_role("region", name="TikTok categories in use")
    expect(in_use).to_contain_text(suggestion.path)

    # Each category's required attributes get defaults, as TikTok needs them.
    for path, attributes in required.items():
        for attribute in attributes:
            page.get_by_role("button", name=f"Show required attributes of {path}").click()
            field = page.get_by_label(f"Default for {attribute.name}", exact=True)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(index=1)
            else:
                field.fill(attribute.values[0].name if attribute.values else "Not applicable")
            page.get_by_role("button", name=f"Save the default for {attribute.name}").click()
            expect(page.get_by_role("status")).to_contain_text(f"Default for {attribute.name} saved.")

    # Products: select both, sync, and watch the progress bar finish without a reload.
    _nav(page, "Products")
    expect(page.get_by_text("only its price and stock follow your store")).to_be_visible()
    page.get_by_label(f"Select {good.title}").check()
    page.get_by_label(f"Select {rejected.title}").check()
    page.get_by_role("button", name="Sync to TikTok").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    try:
        expect(page.get_by_role("status").filter(has_text="Finished")).to_contain_text("2 sent to TikTok",
                                                                                       timeout=60_000)
    except AssertionError as exc:
        raise AssertionError(world.describe()) from exc

    # Listings: TikTok approves one and rejects the other, with its reason and suggestion, shown live.
    _nav(page, "Listings")
    good_row = page.locator("tr", has_text=good.title)
    rejected_row = page.locator("tr", has_text=rejected.title)
    expect(good_row).to_contain_text("Active", timeout=60_000)
    expect(rejected_row).to_contain_text("Failed review", timeout=60_000)
    expect(rejected_row).to_contain_text(REVIEW_REASON)
    expect(rejected_row).to_contain_text(REVIEW_SUGGESTION)
    expect(rejected_row.get_by_role("button", name=f"Retry {rejected.title}")).to_be_visible()

    # Orders: a buyer orders the approved product on TikTok; the store order appears on the open page.
    _nav(page, "Orders")
    expect(page.get_by_text("cancelling an order in your store is")).to_be_visible()
    sku = good.data["variants"][0]["sku"]
    placed = world.tiktok_control("POST", "/buyer/orders", {"items": [{"seller_sku": sku, "quantity": 1}]})
    order_id = placed["id"] if "id" in placed else placed["order_id"]
    order_row = page.locator("tr", has_text=order_id)
    expect(order_row).to_contain_text("created", timeout=60_000)
    expect(order_row).to_contain_text("Store order #")
    order = wait_for(lambda: next((o for o in world.rows(Order, tiktok_order_id=order_id)
                                   if o.sync_state == "created"), None), what="the store order", world=world)

    # The merchant ships in the store; the page shows the order shipped with its tracking number.
    carrier = world.harness.carrier()
    tracking = TRACKING[carrier.lower()]
    ref = StoreOrderRef(order.store_order_id, order.store_order_number, order_id)
    variant_id = str(good.data["variants"][0]["id"])
    off_loop(lambda: world.store(lambda a: a.fulfil_order(ref, Fulfilment(id="", carrier=carrier, tracking_number=tracking, lines=(
        FulfilmentLine(store_variant_id=variant_id, sku=sku, quantity=1),)))))
    expect(order_row).to_contain_text("shipped", timeout=60_000)
    expect(order_row).to_contain_text(tracking)
    packages = world.tiktok_control("GET", "/packages")["packages"]
    assert any(p.get("tracking_number") == tracking for p in packages)
    with world.runtime.sessions() as session:
        statuses = {row.store_product_id: row.status for row in session.scalars(select(Listing))}
    assert statuses == {good.product_id: "active", rejected.product_id: "failed_review"}
    assert console_errors == []
