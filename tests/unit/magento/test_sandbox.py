"""The Magento sandbox behaves like a store: auth, searchCriteria, MSI salable quantity, orders, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from feedbridge.domain.orders import Address, OrderDraft, OrderLine
from feedbridge.errors import AuthError
from feedbridge.stores.magento.adapter import MagentoAdapter
from feedbridge.stores.magento.auth import OAuth1Auth
from feedbridge.stores.magento.client import MagentoClient
from feedbridge.stores.magento.search import Filter, SearchCriteria
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.magento import MagentoSandbox, create_sandbox
from feedbridge_sandbox.magento import search as sandbox_search


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[MagentoSandbox, RunningServer]]:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    asyncio.run(sandbox.seed(server.url))
    try:
        yield sandbox, server
    finally:
        server.stop()


def creds(pair: tuple[MagentoSandbox, RunningServer]) -> dict[str, Any]:
    return pair[0].manifest(pair[1].url)["credentials"]


async def test_seeded_store_has_apparel_configurables_simples_and_two_sources(seeded: Any) -> None:
    adapter = MagentoAdapter(seeded[1].url, creds(seeded))
    try:
        products = [p async for page in adapter.products(page_size=50) for p in page]
        assert 12 <= len(products) <= 20
        configurables = [p for p in products if p.product_type == "configurable"]
        assert len(configurables) >= 6 and len(products) - len(configurables) >= 4
        assert all(set(p.option_names) == {"Color", "Size"} for p in configurables)
        assert [loc.id for loc in await adapter.locations()] == ["default", "east"]
        assert (await adapter.store_info()).currency == "USD"
    finally:
        await adapter.aclose()


async def test_unseeded_sandbox_starts_empty() -> None:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        await sandbox.seed(server.url)
        adapter = MagentoAdapter(server.url, sandbox.manifest(server.url)["credentials"])
        assert [p async for page in adapter.products() for p in page] == []
        await adapter.aclose()
    finally:
        server.stop()


async def test_tampered_signature_wrong_secret_and_replayed_nonce_are_refused(seeded: Any) -> None:
    good = creds(seeded)
    wrong = MagentoClient(seeded[1].url, {**good, "access_token_secret": "not-the-secret"})
    with pytest.raises(AuthError):
        await wrong.get("/V1/store/storeViews")
    await wrong.aclose()
    auth = OAuth1Auth(good["consumer_key"], good["consumer_secret"], good["access_token"], good["access_token_secret"])
    request = httpx.Request("GET", f"{seeded[1].url}/rest/default/V1/store/storeViews")
    auth.sign(request)
    async with httpx.AsyncClient() as http:
        first = await http.send(request)
        replay = await http.send(request)
        tampered = httpx.Request("GET", f"{seeded[1].url}/rest/default/V1/store/storeViews?x=1",
                                 headers={"Authorization": request.headers["Authorization"]})
        changed = await http.send(tampered)
    assert first.status_code == 200
    assert replay.status_code == 401 and changed.status_code == 401
    assert replay.json()["message"] == "The consumer isn't authorized to access %resources."


async def test_bearer_token_works_only_where_the_store_allows_it() -> None:
    for allowed in (False, True):
        sandbox = create_sandbox(seed=False, allow_bearer=allowed)
        server = serve(sandbox.app)
        try:
            token = sandbox.manifest(server.url)["credentials"]["access_token"]
            adapter = MagentoAdapter(server.url, {"bearer_token": token})
            if allowed:
                assert (await adapter.store_info()).currency == "USD"
            else:
                with pytest.raises(AuthError):
                    await adapter.store_info()
            await adapter.aclose()
        finally:
            server.stop()


async def test_search_ors_filters_in_a_group_ands_groups_and_pages_by_total(seeded: Any) -> None:
    client = MagentoClient(seeded[1].url, creds(seeded))
    try:
        criteria = SearchCriteria(page_size=50, current_page=1).where("type_id", "simple")
        criteria.groups.append([Filter("sku", "FB-CAP", "eq"), Filter("sku", "FB-TO%", "like")])  # one OR group
        found = await client.search("/V1/products", criteria)
        assert sorted(p["sku"] for p in found["items"]) == ["FB-CAP", "FB-TOTE"]
        paged = SearchCriteria(page_size=5, current_page=99).where("visibility", "4")
        paged.sort = [("entity_id", "DESC")]
        past_end = await client.search("/V1/products", paged)
        assert past_end["total_count"] == 14 and len(past_end["items"]) == 4  # Magento repeats the last page
    finally:
        await client.aclose()


def test_sandbox_search_parses_both_spellings_and_refuses_unknown_conditions() -> None:
    query = [("searchCriteria[filter_groups][0][filters][0][field]", "a"),
             ("searchCriteria[filter_groups][0][filters][0][value]", "2"),
             ("searchCriteria[filter_groups][0][filters][0][condition_type]", "gteq"),
             ("searchCriteria[pageSize]", "1")]
    criteria = sandbox_search.parse(query)
    result = sandbox_search.run([{"a": 1}, {"a": 2}, {"a": 10}], criteria)
    assert result["total_count"] == 2 and result["items"] == [{"a": 2}]
    with pytest.raises(sandbox_search.SearchError):
        sandbox_search.matches(1, "almost", "1")


async def test_salable_quantity_drops_with_an_order_and_returns_on_cancel(seeded: Any) -> None:
    adapter = MagentoAdapter(seeded[1].url, creds(seeded))
    try:
        product = [p async for page in adapter.products() for p in page if p.title == "Canvas Dad Cap"][0]
        variant = product.variants[0]
        before = variant.salable
        assert before == variant.total_stock
        draft = OrderDraft(tiktok_order_id="576900000000000001", currency="USD", subtotal=Decimal("44"),
                           total=Decimal("44"), lines=[OrderLine(product.id, variant.id, variant.sku, "Cap", 2,
                                                                 Decimal("22"))],
                           shipping_address=Address(name="A B", city="Austin", postal_code="78701",
                                                    country_code="US", line1="1 Main"))
        ref = await adapter.create_order(draft)
        during = await adapter.get_product(product.id)
        assert during is not None and during.variants[0].salable == before - 2
        assert during.variants[0].total_stock == variant.total_stock
        await adapter.cancel_order(ref, "Buyer cancelled")
        after = await adapter.get_product(product.id)
        assert after is not None and after.variants[0].salable == before
    finally:
        await adapter.aclose()


async def test_rate_limit_answers_429_with_retry_after_in_magento_error_shape(seeded: Any) -> None:
    sandbox, server = seeded
    async with httpx.AsyncClient(base_url=server.url) as http:
        await http.post("/_sandbox/ratelimit", json={"limit": 1, "window": 30})
        try:
            answers = [await http.get("/rest/default/V1/store/storeViews") for _ in range(3)]
        finally:
            await http.post("/_sandbox/ratelimit", json={"limit": 0})
    limited = [a for a in answers if a.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) >= 1
    assert set(limited[0].json()) == {"message", "parameters"}


async def test_injected_fault_answers_in_magento_error_shape(seeded: Any) -> None:
    async with httpx.AsyncClient(base_url=seeded[1].url) as http:
        await http.post("/_sandbox/faults", json={"kind": "status", "path": "/V1/store", "status": 503})
        answer = await http.get("/rest/default/V1/store/storeViews")
    assert answer.status_code == 503 and "message" in answer.json()


async def test_signed_requests_with_spaces_in_the_sku_path_are_accepted(seeded: Any) -> None:
    client = MagentoClient(seeded[1].url, creds(seeded))
    try:
        await client.post("/V1/products", {"product": {
            "sku": "Gift Card 25", "name": "Gift Card", "attribute_set_id": 4, "price": 25, "type_id": "simple",
            "visibility": 1}})
        product = await client.get("/V1/products/Gift%20Card%2025")
        salable = await client.get("/V1/inventory/get-product-salable-quantity/Gift%20Card%2025/1")
    finally:
        await client.aclose()
    assert product["sku"] == "Gift Card 25" and salable == 0


async def test_seeded_products_have_images_the_store_serves(seeded: Any) -> None:
    adapter = MagentoAdapter(seeded[1].url, creds(seeded))
    try:
        products = [p async for page in adapter.products() for p in page]
    finally:
        await adapter.aclose()
    assert all(p.images for p in products)
    url = products[0].images[0]
    assert url.startswith(f"{seeded[1].url}/media/catalog/product/")
    async with httpx.AsyncClient() as http:
        image = await http.get(url)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
