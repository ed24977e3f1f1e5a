"""The flow pages that talk to TikTok, on a whole world (app, worker, TikTok and BigCommerce sandboxes):
required attributes and suggestions of a category, TikTok's products for manual links with duplicate warnings,
and shipping providers read from the shop."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from feedbridge.db.models import Binding, Listing, Merchant, StoreFeed, StoreProduct, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.categories import (
    category_requirements,
    set_attribute_default,
    set_mapping,
    suggest_category,
)
from feedbridge.sync.listings import start_listing
from feedbridge.web.security import hash_password
from tests.flows.world import World, build_world, wait_for
from tests.integration.web.helpers import PASSWORD, Visitor

EMAIL = "merchant-bigcommerce@example.com"


@pytest.fixture
def world(runtime: Runtime) -> Iterator[World]:
    built = build_world(runtime, "bigcommerce")
    with transaction(runtime.sessions) as session:
        merchant = session.get(Merchant, built.merchant_id)
        assert merchant is not None
        merchant.password_hash = hash_password(PASSWORD)
    yield built
    built.stop()


@pytest.fixture
def merchant(world: World) -> Iterator[Visitor]:
    visitor = Visitor(world.app_server.url)
    assert visitor.log_in(EMAIL).status_code == 303
    yield visitor
    visitor.close()


def _first_product(world: World) -> StoreProduct:
    with world.runtime.sessions() as session:
        return next(p for p in session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id).order_by(StoreProduct.id))
            if p.data["images"] and all(v["sku"] for v in p.data["variants"]))


def test_a_category_shows_its_required_attributes_and_a_product_gets_a_suggestion(world: World,
                                                                                   merchant: Visitor) -> None:
    product = _first_product(world)
    suggestion = asyncio.run(suggest_category(world.runtime, world.feed_id, product.product_id))
    assert suggestion is not None
    fragment = merchant.get(f"/mapping/{world.feed_id}/suggest", params={"product": product.product_id}).text
    assert str(escape(suggestion.path)) in fragment and ">Accept</button>" in fragment
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
    assert shop is not None
    _rules, attributes = asyncio.run(category_requirements(world.runtime, shop, suggestion.category_id))
    required = [a for a in attributes if a.required and not a.sales]
    fragment = merchant.get(f"/mapping/{world.feed_id}/requirements",
                            params={"category": suggestion.category_id}).text
    assert f"Required attributes of {suggestion.category_id}" in fragment
    for attribute in required:
        assert str(escape(f"Default for {attribute.name}")) in fragment
    assert merchant.get(f"/mapping/{world.feed_id}/requirements").status_code == 422


def test_tiktok_products_are_offered_for_a_manual_link_and_duplicates_are_flagged(world: World,
                                                                                  merchant: Visitor) -> None:
    product = _first_product(world)
    suggestion = asyncio.run(suggest_category(world.runtime, world.feed_id, product.product_id))
    assert suggestion is not None
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
    assert shop is not None
    _rules, attributes = asyncio.run(category_requirements(world.runtime, shop, suggestion.category_id))
    with transaction(world.runtime.sessions) as session:
        feed = session.get(StoreFeed, world.feed_id)
        shop_row = session.get(TikTokShop, world.shop_row_id)
        assert feed is not None and shop_row is not None
        for attribute in attributes:
            if attribute.required and not attribute.sales:
                value = attribute.values[0].name if attribute.values else "Not applicable"
                set_attribute_default(session, feed, attribute.id, [value], name=attribute.name)
        set_mapping(session, feed, shop_row, "product", product.product_id, suggestion.category_id)
        start_listing(session, feed, [product.product_id])
    wait_for(lambda: all(r.status == "active" for r in world.rows(Listing, feed_id=world.feed_id)),
             what="the listing to become active", world=world)
    binding = world.rows(Binding, feed_id=world.feed_id)[0]
    merchant.get(f"/link?feed={world.feed_id}")
    merchant.post(f"/links/{binding.id}/delete")
    assert world.rows(Binding, feed_id=world.feed_id, id=binding.id) == []

    fragment = merchant.get(f"/link/{world.feed_id}/tiktok").text
    assert "Possible duplicates" in fragment and binding.seller_sku in fragment
    assert f'value="{binding.tiktok_product_id}:{binding.tiktok_sku_id}"' in fragment
    searched = merchant.get(f"/link/{world.feed_id}/tiktok", params={"q": binding.seller_sku}).text
    assert binding.seller_sku in searched
    assert "No TikTok product has the seller SKU" in merchant.get(f"/link/{world.feed_id}/tiktok",
                                                                  params={"q": "NO-SUCH-SKU"}).text

    page = merchant.post(f"/link/{world.feed_id}", {
        "store_variant": f"{binding.store_product_id}:{binding.store_variant_id}",
        "tiktok_sku": f"{binding.tiktok_product_id}:{binding.tiktok_sku_id}"})
    assert page.status_code == 303
    assert "Linked " in merchant.get(page.headers["location"]).text
    relinked = world.rows(Binding, feed_id=world.feed_id)
    assert [(b.store_variant_id, b.tiktok_sku_id, b.origin) for b in relinked] == [
        (binding.store_variant_id, binding.tiktok_sku_id, "linked")]
    fragment = merchant.get(f"/link/{world.feed_id}/tiktok").text
    assert "Possible duplicates" not in fragment and "(linked)" in fragment


def test_shipping_providers_are_read_from_the_shop_and_offered_for_each_carrier(world: World,
                                                                                merchant: Visitor) -> None:
    page = merchant.get("/carriers").text
    providers = re.findall(r'<option value="([^"]+)">([^<]+)</option>', page)
    assert providers, "the shop's providers are read on the first visit"
    with world.runtime.sessions() as session:
        shop = session.get(TikTokShop, world.shop_row_id)
        assert shop is not None
        assert {p["id"] for p in shop.settings["providers"]} >= {pid for pid, _ in providers}
    refreshed = merchant.post(f"/carriers/{world.shop_row_id}/refresh")
    assert "Shipping providers read again from TikTok." in merchant.get(refreshed.headers["location"]).text
    provider_id, provider_name = providers[0]
    saved = merchant.post(f"/carriers/{world.shop_row_id}", {"store_carrier": "Our Courier",
                                                             "provider_id": provider_id})
    page = merchant.get(saved.headers["location"]).text
    assert "Our Courier" in page and f'<option value="{provider_id}" selected>{provider_name}</option>' in page


def test_store_categories_are_offered_by_their_names_from_the_store(world: World, merchant: Visitor) -> None:
    async def read(adapter: Any) -> dict[str, str]:
        return {str(c.id): c.name async for c in adapter.categories()}

    names = world.store(read)
    page = merchant.get(f"/mapping?feed={world.feed_id}").text
    with world.runtime.sessions() as session:
        used = {str(cid) for p in session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == world.connection_id)) for cid in p.category_ids}
    shown = [names[cid] for cid in used if cid in names]
    assert shown, "seeded products are in store categories"
    for name in shown:
        assert str(escape(name)) in page, name
    assert "Category " + next(iter(used)) not in page
