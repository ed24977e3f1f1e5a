"""Orders, end to end: exactly one store order whatever goes wrong, orders waiting for a SKU, on-hold orders,
order numbers, tracking to TikTok (carriers, partial shipments), TikTok-side statuses, returns and refunds,
and the shop's authorization (deauthorization, expired tokens).

Each test runs a whole world on loopback (app, huey worker, TikTok sandbox, a store sandbox).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy import select, update

from feedbridge.db import intents
from feedbridge.db.models import (
    AfterSale,
    Binding,
    CarrierMapping,
    Intent,
    Listing,
    Order,
    Shipment,
    StoreConnection,
    StoreFeed,
    StoreProduct,
    TikTokShop,
)
from feedbridge.db.session import transaction
from feedbridge.domain.orders import Fulfilment, FulfilmentLine, StoreOrderRef
from feedbridge.jobs import runner
from feedbridge.sync.connections import marketplace_for, shop_settings, store_for
from feedbridge.sync.linking import link_manually, unlink
from feedbridge.sync.orders import ORDER_SYNC, _feed_and_bindings, build_draft
from feedbridge.sync.polling import run_schedules
from feedbridge.tiktok.endpoints import Endpoint
from tests.flows.steps import (
    advance_tiktok_clock,
    bindings,
    list_and_wait,
    on_tiktok,
    place_order,
    seeded_products,
    set_store_variant,
    shop_row,
    store_fault,
    tiktok_stock,
    update_shop,
    wait_order,
)
from tests.flows.world import World, wait_for

LONG_HOLD = {"on_hold_seconds": 600.0}
STOCK = 20


def listed_world(world_factory: Any, platform: str = "bigcommerce", products: int = 1, **options: Any) -> World:
    world: World = world_factory(platform, **options)
    list_and_wait(world, seeded_products(world, products))
    for link in bindings(world):  # the merchant restocks: buyers can order several
        set_store_variant(world, link.store_product_id, link.store_variant_id, stock=STOCK)
    poll_if_no_webhooks(world)
    wait_for(lambda: all(tiktok_stock(world, b.seller_sku) == STOCK for b in bindings(world)),
             what="the new stock on TikTok", world=world)
    return world


def poll_if_no_webhooks(world: World) -> None:
    """Magento sends no webhooks: run its scheduled poll now (the periodic task does this every minute)."""
    if world.harness.platform == "magento":
        with transaction(world.runtime.sessions) as session:
            connection = session.get(StoreConnection, world.connection_id)
            assert connection is not None
            connection.settings = {}
        run_schedules(world.runtime)


def store_orders(world: World, tiktok_order_id: str) -> int:
    return int(asyncio.run(world.harness.count_orders(tiktok_order_id)))


def store_order(world: World, order: Order) -> dict[str, Any]:
    """The BigCommerce order as the merchant sees it in the store admin."""
    return dict(asyncio.run(world.harness._call("GET", f"/v2/orders/{order.store_order_id}")).json())


def order_intent(world: World, tiktok_order_id: str) -> Intent:
    return next(i for i in world.rows(Intent, kind=ORDER_SYNC) if i.key.endswith(f":{tiktok_order_id}"))


def fulfil(world: World, order: Order, carrier: str, tracking: str, lines: list[tuple[Binding, int]]) -> None:
    """The merchant ships in the store."""
    ref = StoreOrderRef(order.store_order_id, order.store_order_number, order.tiktok_order_id)
    world.store(lambda a: a.fulfil_order(ref, Fulfilment(id="", carrier=carrier, tracking_number=tracking, lines=tuple(
        FulfilmentLine(store_variant_id=b.store_variant_id, sku=b.seller_sku, quantity=q) for b, q in lines))))


def wait_shipment(world: World, order: Order, *states: str) -> Shipment:
    return wait_for(lambda: next((s for s in world.rows(Shipment, order_id=order.id) if s.state in states), None),
                    what=f"a shipment of order {order.tiktok_order_id} to be {' or '.join(states)}", world=world)


def tiktok_order(world: World, tiktok_order_id: str) -> dict[str, Any]:
    return next(o for o in world.tiktok_orders() if o["id"] == tiktok_order_id)


# ---- exactly once -----------------------------------------------------------------------------------------

def test_duplicate_webhooks_and_two_workers_still_create_one_store_order(world_factory: Any) -> None:
    world = listed_world(world_factory, tiktok_options=LONG_HOLD)
    sku = bindings(world)[0].seller_sku
    world.tiktok_control("POST", "/faults", {"kind": "duplicate_webhook", "count": -1})
    order_id = place_order(world, [(sku, 1)])
    wait_order(world, order_id, "waiting")

    advance_tiktok_clock(world, 601)  # the on-hold window ends; every webhook about it arrives twice
    held = order_intent(world, order_id)
    outcomes: list[str] = []
    workers = [threading.Thread(target=lambda: outcomes.append(runner.run_intent(world.runtime, held.id)))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    order = wait_order(world, order_id, "created")
    assert "skipped" in outcomes or outcomes == ["done", "done"], outcomes

    deliveries = [d for d in world.tiktok_control("GET", "/webhooks")["deliveries"]
                  if d["topic"] == "ORDER_STATUS_CHANGE"]
    assert len(deliveries) >= 4, "the sandbox delivered each order webhook twice"
    assert store_orders(world, order_id) == 1
    assert len(world.rows(Order, tiktok_order_id=order_id)) == 1
    assert order.store_order_id


def test_a_timeout_after_the_store_created_the_order_leaves_exactly_one_store_order(world_factory: Any) -> None:
    world = listed_world(world_factory)
    sku = bindings(world)[0].seller_sku
    store_fault(world, {"kind": "after", "method": "POST", "path": world.harness.order_create_path,
                        "status": 504, "count": 1})
    order_id = place_order(world, [(sku, 1)])
    wait_order(world, order_id, "created")
    assert store_orders(world, order_id) == 1
    assert order_intent(world, order_id).attempts >= 2, "the first attempt timed out and was retried"


def test_a_worker_killed_mid_create_is_swept_and_leaves_exactly_one_store_order(world_factory: Any) -> None:
    world = listed_world(world_factory, tiktok_options=LONG_HOLD)
    sku = bindings(world)[0].seller_sku
    order_id = place_order(world, [(sku, 1)])
    wait_order(world, order_id, "waiting")
    held = order_intent(world, order_id)
    with transaction(world.runtime.sessions) as session:
        # A worker takes the order's job ...
        session.execute(update(Intent).where(Intent.id == held.id).values(state="pending"))
        claimed = intents.claim(session, held.id, lease_seconds=0.5)
        assert claimed is not None
    advance_tiktok_clock(world, 601)
    # ... creates the store order, and dies before recording it.
    asyncio.run(_create_in_store_as_dead_worker(world, order_id))
    assert store_orders(world, order_id) == 1
    assert world.rows(Order, tiktok_order_id=order_id)[0].store_order_id == ""

    wait_for(lambda: runner.sweep(world.runtime) or world.rows(Order, tiktok_order_id=order_id)[0].store_order_id,
             what="the sweeper to release the dead worker's job", world=world)
    order = wait_order(world, order_id, "created")
    assert store_orders(world, order_id) == 1
    found = world.store(lambda a: a.find_order(order_id))
    assert found is not None and order.store_order_id == found.id


async def _create_in_store_as_dead_worker(world: World, order_id: str) -> None:
    shop = shop_row(world)
    market = marketplace_for(world.runtime, shop)
    try:
        mo = (await market.get_orders([order_id]))[0]
    finally:
        await market.aclose()
    with world.runtime.sessions() as session:
        feed, bound, missing = _feed_and_bindings(session, shop, mo)
        assert feed is not None and not missing
        connection = session.get(StoreConnection, feed.store_connection_id)
        assert connection is not None
    store = store_for(world.runtime, connection)
    try:
        await store.create_order(build_draft(mo, bound, settings=shop_settings(shop), titles={}))
    finally:
        await store.aclose()


def test_an_order_whose_webhooks_were_all_lost_is_found_by_the_poll_and_created_once(world_factory: Any) -> None:
    world = listed_world(world_factory)
    world.tiktok_control("POST", "/faults", {"kind": "drop_webhook", "topic": "ORDER_STATUS_CHANGE", "count": -1})
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    wait_for(lambda: tiktok_order(world, order_id)["status"] == "AWAITING_SHIPMENT", what="the on-hold window")
    assert world.rows(Order, tiktok_order_id=order_id) == [], "no webhook reached feedbridge"

    run_schedules(world.runtime)  # the periodic safety net polls TikTok's orders
    wait_order(world, order_id, "created")
    assert store_orders(world, order_id) == 1


# ---- orders waiting for something ---------------------------------------------------------------------------

def test_an_order_for_an_unsynced_sku_fails_with_the_reason_and_is_created_once_the_sku_is_linked(
        world_factory: Any) -> None:
    world = listed_world(world_factory)
    link = bindings(world)[0]
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        assert feed is not None
        unlink(session, feed, link.id)

    order_id = place_order(world, [(link.seller_sku, 1)])
    failed = wait_order(world, order_id, "failed")
    assert link.seller_sku in failed.reason and "not synced or linked" in failed.reason
    assert store_orders(world, order_id) == 0

    asyncio.run(link_manually(world.runtime, world.feed_id, link.store_product_id, link.store_variant_id,
                              link.tiktok_product_id, str(link.tiktok_sku_id)))
    order = wait_order(world, order_id, "created")
    assert order.reason == "" and store_orders(world, order_id) == 1


def test_an_order_the_store_refuses_shows_the_stores_reason_and_retry_creates_it(world_factory: Any) -> None:
    world = listed_world(world_factory)
    store_fault(world, {"kind": "status", "method": "POST", "path": world.harness.order_create_path,
                        "status": 422, "count": 1})
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    failed = wait_order(world, order_id, "failed")
    assert failed.reason.startswith("Your store refused the order:"), failed.reason
    held = wait_for(lambda: next((i for i in [order_intent(world, order_id)] if i.state != "running"), None),
                    what="the order's job to finish", world=world)
    assert (held.state, held.attempts) == ("failed", 1), "a refusal is not retried blindly"

    with transaction(world.runtime.sessions) as session:  # the merchant presses Retry
        assert intents.retry_failed(session, held.id, world.merchant_id)
    wait_order(world, order_id, "created")
    assert store_orders(world, order_id) == 1


def test_on_hold_orders_are_created_at_once_and_flagged_when_the_shop_says_so(world_factory: Any) -> None:
    world = listed_world(world_factory, tiktok_options=LONG_HOLD)
    update_shop(world, order_create_when="at_once")
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    order = wait_order(world, order_id, "created")
    assert tiktok_order(world, order_id)["status"] == "ON_HOLD"
    assert order.on_hold and "on hold" in order.reason
    placed = store_order(world, order)
    assert "do not ship yet" in placed["staff_notes"]
    assert "withholds the shipping address" in placed["staff_notes"], "the placeholder address is explained"

    advance_tiktok_clock(world, 601)  # the window ends: TikTok releases the address, and it reaches the order
    wait_for(lambda: "5800 Bristol Pkwy" in store_order(world, order)["staff_notes"],
             what="the released address in the store order's notes", world=world)
    assert "released the shipping address" in world.rows(Order, id=order.id)[0].reason
    assert store_orders(world, order_id) == 1


def test_order_numbers_carry_the_shops_prefix_where_the_store_sets_numbers(world_factory: Any) -> None:
    world = listed_world(world_factory, "magento")
    update_shop(world, order_number="prefix", order_prefix="TT-")
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    order = wait_order(world, order_id, "created")
    assert order.store_order_number == f"TT-{order_id}"
    found = world.store(lambda a: a.find_order(order_id))
    assert found is not None and found.number == f"TT-{order_id}"


def test_a_cancellation_approved_after_the_order_reached_the_store_cancels_the_store_order(
        world_factory: Any) -> None:
    world = listed_world(world_factory)
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    order = wait_order(world, order_id, "created")
    wait_for(lambda: tiktok_order(world, order_id)["status"] == "AWAITING_SHIPMENT", what="the on-hold window")
    request = world.tiktok_control("POST", f"/buyer/orders/{order_id}/cancel", {"reason": "Changed my mind"})
    wait_for(lambda: world.rows(AfterSale, tiktok_order_id=order_id), what="the cancellation request listed",
             world=world)
    assert world.rows(Order, id=order.id)[0].sync_state == "created", "a request alone cancels nothing"

    approve = Endpoint("POST", "/return_refund/202309/cancellations/{cancel_id}/approve")
    on_tiktok(world, lambda m: m.client.request(approve, path_params={"cancel_id": request["id"]}, body={}))
    wait_order(world, order_id, "cancelled")
    assert store_order(world, order)["status"] == "Cancelled"
    wait_for(lambda: any(a.status == "CANCELLATION_REQUEST_COMPLETE" or a.status == "CANCELLATION_REQUEST_SUCCESS"
                         for a in world.rows(AfterSale, tiktok_order_id=order_id)),
             what="the cancellation listed as done", world=world)


# ---- tracking to TikTok -------------------------------------------------------------------------------------

def test_tracking_reaches_tiktok_with_the_mapped_carrier_or_the_default_and_a_bad_number_is_refused(
        world_factory: Any) -> None:
    world = listed_world(world_factory)
    link = bindings(world)[0]
    providers = {p.name: p.id for p in on_tiktok(world, lambda m: m.shipping_providers())}
    with transaction(world.runtime.sessions) as session:
        session.add(CarrierMapping(merchant_id=world.merchant_id, tiktok_shop_id=world.shop_row_id,
                                   store_carrier="Acme Freight", provider_id=providers["LaserShip"],
                                   provider_name="LaserShip"))
    update_shop(world, default_provider_id=providers["DHL eCommerce"])
    orders = [place_order(world, [(link.seller_sku, 1)]) for _ in range(3)]
    mapped, unmapped, bad = (wait_order(world, o, "created") for o in orders)
    wait_for(lambda: all(tiktok_order(world, o)["status"] == "AWAITING_SHIPMENT" for o in orders),
             what="the on-hold windows to end")

    fulfil(world, mapped, "Acme Freight", "LS100200300", [(link, 1)])
    fulfil(world, unmapped, "Mystery Post", "GM2951173225174494", [(link, 1)])
    fulfil(world, bad, "UPS", "1Z12", [(link, 1)])

    sent = wait_shipment(world, mapped, "sent")
    assert (sent.provider_name, sent.carrier_source) == ("LaserShip", "mapped")
    sent = wait_shipment(world, unmapped, "sent")
    assert sent.provider_name == "DHL eCommerce" and sent.carrier_source == "default"
    assert "Mystery Post" in sent.reason, "the order says the default provider was used"
    failed = wait_shipment(world, bad, "failed")
    assert "UPS" in failed.reason and "1Z12" in failed.reason
    assert world.rows(Order, id=bad.id)[0].fulfilment_state == "failed"

    packages = {p["order_id"]: p for p in world.tiktok_control("GET", "/packages")["packages"]}
    assert packages[mapped.tiktok_order_id]["tracking_number"] == "LS100200300"
    assert packages[mapped.tiktok_order_id]["shipping_provider_id"] == providers["LaserShip"]
    assert packages[unmapped.tiktok_order_id]["shipping_provider_id"] == providers["DHL eCommerce"]
    assert packages[bad.tiktok_order_id]["tracking_number"] == ""


def test_a_partial_shipment_ships_only_the_matching_items_and_tiktok_statuses_follow_to_the_store(
        world_factory: Any) -> None:
    world = listed_world(world_factory)
    first, second = bindings(world)[:2]
    order_id = place_order(world, [(first.seller_sku, 1), (second.seller_sku, 2)])
    order = wait_order(world, order_id, "created")
    wait_for(lambda: tiktok_order(world, order_id)["status"] == "AWAITING_SHIPMENT", what="the on-hold window")

    fulfil(world, order, "UPS", "1Z999AA10123456784", [(second, 2)])
    wait_shipment(world, order, "sent")
    lines = tiktok_order(world, order_id)["line_items"]
    shipped = sorted(line["seller_sku"] for line in lines if line["tracking_number"])
    assert shipped == [second.seller_sku, second.seller_sku], lines
    assert tiktok_order(world, order_id)["status"] == "PARTIALLY_SHIPPING"

    fulfil(world, order, "USPS", "9400111899223197428490", [(first, 1)])
    wait_for(lambda: len([s for s in world.rows(Shipment, order_id=order.id) if s.state == "sent"]) == 2,
             what="the second shipment", world=world)
    assert tiktok_order(world, order_id)["status"] == "AWAITING_COLLECTION"

    # TikTok's carrier moves the parcels; the store order follows, and a return and a refund are listed.
    world.tiktok_control("POST", f"/orders/{order_id}/advance", {"status": "DELIVERED"})
    wait_for(lambda: world.rows(Order, id=order.id)[0].data.get("store_status") == "shipped",
             what="the store order marked shipped", world=world)
    item_ids = [line["id"] for line in lines]
    world.tiktok_control("POST", f"/buyer/orders/{order_id}/return",
                         {"type": "RETURN_AND_REFUND", "line_item_ids": item_ids[:1]})
    world.tiktok_control("POST", f"/buyer/orders/{order_id}/return", {"type": "REFUND", "line_item_ids": item_ids[1:2]})
    wait_for(lambda: sorted(a.kind for a in world.rows(AfterSale, tiktok_order_id=order_id)) == ["refund", "return"],
             what="the return and the refund listed", world=world)
    world.tiktok_control("POST", f"/orders/{order_id}/advance", {"status": "COMPLETED"})
    wait_for(lambda: world.rows(Order, id=order.id)[0].data.get("store_status") == "completed",
             what="the store order completed", world=world)
    assert store_order(world, order)["status"] == "Completed"


def test_a_partial_shipment_in_woocommerce_sends_tiktok_only_the_items_it_ships(world_factory: Any) -> None:
    world = listed_world(world_factory, "woocommerce")
    first, second = bindings(world)[:2]
    order_id = place_order(world, [(first.seller_sku, 1), (second.seller_sku, 2)])
    order = wait_order(world, order_id, "created")
    wait_for(lambda: tiktok_order(world, order_id)["status"] == "AWAITING_SHIPMENT", what="the on-hold window")

    fulfil(world, order, "UPS", "1Z999AA10123456784", [(second, 2)])

    def sent() -> bool:
        run_schedules(world.runtime)  # the safety-net poll also finds tracking numbers
        return any(s.state == "sent" for s in world.rows(Shipment, order_id=order.id))

    wait_for(sent, what="the partial shipment sent to TikTok", world=world)
    lines = tiktok_order(world, order_id)["line_items"]
    shipped = sorted(line["seller_sku"] for line in lines if line["tracking_number"])
    assert shipped == [second.seller_sku, second.seller_sku], lines
    assert tiktok_order(world, order_id)["status"] == "PARTIALLY_SHIPPING"


# ---- the shop's authorization --------------------------------------------------------------------------------

def test_an_expired_token_is_refreshed_and_stored_encrypted_and_deauthorization_keeps_everything(
        world_factory: Any) -> None:
    world = listed_world(world_factory)
    before = world.runtime.vault.decrypt(shop_row(world).tokens)["access_token"]
    world.tiktok_control("POST", "/tokens/expire", {})
    order_id = place_order(world, [(bindings(world)[0].seller_sku, 1)])
    wait_order(world, order_id, "created")
    row = shop_row(world)
    after = world.runtime.vault.decrypt(row.tokens)["access_token"]
    assert after and after != before, "the refreshed token was stored"
    assert after not in row.tokens, "tokens are stored encrypted"

    counts = {model: len(world.rows(model)) for model in (Listing, Binding, Order, StoreProduct)}
    world.tiktok_control("POST", "/deauthorize", {})
    wait_for(lambda: shop_row(world).status == "reauthorize", what="the shop marked for re-authorization",
             world=world)
    assert "removed" in shop_row(world).status_reason
    assert {model: len(world.rows(model)) for model in counts} == counts, "nothing is deleted"
    with world.runtime.sessions() as session:
        assert session.scalars(select(TikTokShop)).one().status == "reauthorize"

