"""Fuzzing the webhook endpoints over real HTTP (hypothesis, seeded from the platforms' documented and captured
payloads): never a 500, never an unverified payload acted on (no intent created), and the work a verified but
strange payload creates never crashes the worker."""

from __future__ import annotations

import hashlib
import hmac
from base64 import b64encode
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedbridge.db.models import Intent, Merchant, StoreConnection, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.jobs import runner
from feedbridge.runtime import Runtime
from feedbridge.tiktok.signing import webhook_signature
from feedbridge.web.app import create_app
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.tiktok import create_sandbox
from tests.drills.corpus import body_bytes, fixtures, tiktok_webhook_examples

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
OUTCOMES = {"done", "retry", "failed", "requeued", "skipped"}
STORE_HEADERS = {
    "shopify": ["X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Triggered-At"],
    "bigcommerce": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "woocommerce": ["X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID",
                    "X-WC-Webhook-Source"],
}
STORE_TOPICS = ["products/update", "inventory_levels/update", "orders/fulfilled", "product.updated",
                "order.updated", "store/product/updated", "store/sku/inventory/updated"]


@pytest.fixture
def tiktok(runtime: Runtime) -> Iterator[tuple[RunningServer, dict[str, Any]]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    manifest = sandbox.manifest(server.url)
    runtime.settings.tiktok_app_key, runtime.settings.tiktok_app_secret = manifest["app_key"], manifest["app_secret"]
    runtime.settings.tiktok_api_url = runtime.settings.tiktok_auth_url = manifest["api_url"]
    yield server, manifest
    server.stop()


@pytest.fixture
def app_url(runtime: Runtime) -> Iterator[str]:
    server = serve(create_app(runtime))
    yield server.url
    server.stop()


@pytest.fixture
def shop(runtime: Runtime, tiktok) -> TikTokShop:  # type: ignore[no-untyped-def]
    _server, manifest = tiktok
    data = manifest["shops"][0]
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email="fuzz@example.com")
        session.add(merchant)
        session.flush()
        row = TikTokShop(merchant_id=merchant.id, region=data["region"], shop_id=data["id"], cipher=data["cipher"],
                         currency=data["currency"], default_warehouse_id=data["warehouse_id"],
                         tokens=runtime.vault.encrypt({"access_token": data["access_token"],
                                                       "refresh_token": data["refresh_token"]}))
        session.add(row)
    return row


def tiktok_seeds(shop_id: str) -> list[Any]:
    """TikTok's documented examples, addressed to our shop so that a verified one would create work."""
    return [{**example, "shop_id": shop_id} for example in tiktok_webhook_examples()]


def intent_count(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Intent)) or 0)


forged_signatures = st.one_of(
    st.none(), st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80), st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    st.binary(max_size=40).map(lambda b: hashlib.sha256(b).hexdigest().upper()),
)


def test_unsigned_or_forged_tiktok_webhooks_are_refused_and_create_no_work(  # type: ignore[no-untyped-def]
        runtime: Runtime, app_url: str, shop) -> None:
    seeds = tiktok_seeds(shop.shop_id)

    @FUZZ
    @given(body=body_bytes(seeds), signature=forged_signatures)
    def check(body: bytes, signature: str | None) -> None:
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["authorization"] = signature.strip()  # HTTP trims header values
        response = httpx.post(f"{app_url}/webhooks/tiktok", content=body, headers=headers, timeout=30)
        assert response.status_code == 401, (response.status_code, response.text)
        assert intent_count(runtime) == 0

    check()


def test_signed_tiktok_webhooks_never_fail_the_server_and_their_work_never_crashes_the_worker(  # type: ignore[no-untyped-def]
        runtime: Runtime, app_url: str, shop, tiktok) -> None:
    seeds = tiktok_seeds(shop.shop_id)
    runtime.settings.intent_max_attempts = 1
    key, secret = runtime.settings.tiktok_app_key, runtime.settings.tiktok_app_secret

    @FUZZ
    @given(body=body_bytes(seeds))
    def check(body: bytes) -> None:
        headers = {"content-type": "application/json", "authorization": webhook_signature(key, secret, body)}
        response = httpx.post(f"{app_url}/webhooks/tiktok", content=body, headers=headers, timeout=30)
        assert response.status_code in (200, 400), (response.status_code, response.text)
        with runtime.sessions() as session:
            due = list(session.scalars(select(Intent.id).where(Intent.state == "pending")))
        for intent_id in due:
            assert runner.run_intent(runtime, intent_id) in OUTCOMES

    check()


def store_connection(runtime: Runtime, platform: str) -> int:
    """A connection whose credentials come from the platform sandbox's manifest (no store is contacted)."""
    import importlib

    sandbox = importlib.import_module(f"feedbridge_sandbox.{platform}").create_sandbox(seed=False)
    manifest = sandbox.manifest("http://127.0.0.1:9")
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email=f"fuzz-{platform}@example.com")
        session.add(merchant)
        session.flush()
        connection = StoreConnection(merchant_id=merchant.id, platform=platform, base_url=manifest["base_url"],
                                     credentials=runtime.vault.encrypt(dict(manifest["credentials"])))
        session.add(connection)
        session.flush()
        return connection.id


@pytest.mark.parametrize("platform", sorted(STORE_HEADERS))
def test_store_webhooks_with_bad_signatures_are_refused_and_create_no_work(  # type: ignore[no-untyped-def]
        runtime: Runtime, app_url: str, platform: str) -> None:
    connection_id = store_connection(runtime, platform)
    seeds = list(fixtures(platform).values())
    names = STORE_HEADERS[platform]
    header_values = st.one_of(st.sampled_from(STORE_TOPICS), forged_signatures.filter(lambda v: v is not None),
                              st.from_regex(r"[A-Za-z0-9+/]{43}=", fullmatch=True), st.integers(0, 2**40).map(str))

    @FUZZ
    @given(body=body_bytes(seeds), headers=st.dictionaries(st.sampled_from(names), header_values, max_size=4))
    def check(body: bytes, headers: dict[str, str]) -> None:
        sent = {"content-type": "application/json", **{k: v.strip() for k, v in headers.items()}}
        try:
            response = httpx.post(f"{app_url}/webhooks/store/{connection_id}", content=body, headers=sent, timeout=30)
        except httpx.LocalProtocolError:
            return  # a header value no HTTP client can send
        assert response.status_code in (200, 401), (response.status_code, response.text)
        assert intent_count(runtime) == 0

    check()


def test_a_correctly_signed_shopify_webhook_is_accepted(runtime: Runtime, app_url: str) -> None:
    """The control case: the fuzzed refusals above are about signatures, not a receiver that refuses all."""
    connection_id = store_connection(runtime, "shopify")
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        assert connection is not None
        secret = runtime.vault.decrypt(connection.credentials)["client_secret"]
    body = b'{"id": 788032119674292922, "title": "Shirt", "updated_at": "2026-11-27T05:00:00Z", "variants": []}'
    digest = b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    response = httpx.post(f"{app_url}/webhooks/store/{connection_id}", content=body, timeout=30, headers={
        "content-type": "application/json", "X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": "products/update",
        "X-Shopify-Webhook-Id": "fuzz-control-1"})
    assert response.status_code == 200, response.text


def test_signed_shopify_webhooks_with_strange_payloads_never_fail_the_server(runtime: Runtime, app_url: str) -> None:
    """Verified deliveries whose payload the parser cannot read are refused with 400 and kept, not a 500."""
    connection_id = store_connection(runtime, "shopify")
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        assert connection is not None
        secret = runtime.vault.decrypt(connection.credentials)["client_secret"]
    order = fixtures("shopify")["rest-order-webhook-shape.json"]
    # The captured order, and the small shapes of product, inventory and fulfilment webhooks.
    seeds = [order.get("order", order), {"id": 632910392, "updated_at": "2026-11-27T05:00:00-05:00"},
             {"inventory_item_id": 271878346, "location_id": 24826418, "available": 6,
              "updated_at": "2026-11-27T05:00:00-05:00"}, {"id": 255858046, "order_id": 450789469}]

    @settings(FUZZ, max_examples=100)
    @example(body=b'{"id": 1, "updated_at": 5}', topic="products/update")  # found by test_fuzz_parsers
    @given(body=body_bytes(seeds), topic=st.sampled_from(["orders/updated", "products/update",
                                                          "inventory_levels/update", "orders/fulfilled"]))
    def check(body: bytes, topic: str) -> None:
        digest = b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
        response = httpx.post(f"{app_url}/webhooks/store/{connection_id}", content=body, timeout=30, headers={
            "content-type": "application/json", "X-Shopify-Hmac-Sha256": digest, "X-Shopify-Topic": topic,
            "X-Shopify-Webhook-Id": hashlib.sha256(body).hexdigest()})
        assert response.status_code in (200, 400), (response.status_code, response.text)

    check()
