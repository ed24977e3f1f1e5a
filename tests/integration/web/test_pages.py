"""Dashboard pages: home attention and chart, connecting a store, feeds, connections, activity, empty states."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from feedbridge.db.models import Activity, Intent, Order, StoreConnection, StoreFeed, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.web import repo
from feedbridge.web.connect import FORMS, CredentialField
from feedbridge.web.render import NAV
from tests.integration.web.helpers import (
    FAKE_FORM,
    GOOD_TOKEN,
    Visitor,
    create_merchant,
    merchant_id,
    seed_rows,
)


def _signed_up(visitor: Visitor, runtime: Runtime, email: str = "pages@example.com") -> int:
    assert visitor.sign_up(email).status_code == 303
    return merchant_id(runtime, email)


def test_every_navigation_page_renders_with_landmarks_for_a_new_merchant(visitor: Visitor,
                                                                         runtime: Runtime) -> None:
    _signed_up(visitor, runtime)
    for item in NAV:
        page = visitor.get(item.path)
        assert page.status_code == 200, item.path
        assert '<nav aria-label="Main"' in page.text and '<main id="main">' in page.text
        assert f'<a href="{item.path}" aria-current="page">{item.label}</a>' in page.text, item.path
        assert 'name="viewport"' in page.text


def test_empty_pages_say_what_to_do_next(visitor: Visitor, runtime: Runtime) -> None:
    _signed_up(visitor, runtime)
    assert "No listings yet: map a category, then sync products." in visitor.get("/listings").text
    assert "No orders yet" in visitor.get("/orders").text
    assert "No products yet: connect a store first." in visitor.get("/products").text
    assert "No store connected yet." in visitor.get("/connections").text
    assert "Nothing needs your attention" in visitor.get("/").text


def test_home_counts_what_needs_attention_and_charts_the_last_14_days(visitor: Visitor, runtime: Runtime) -> None:
    me = _signed_up(visitor, runtime)
    seed_rows(runtime, me, "Home")
    with transaction(runtime.sessions) as session:
        shop = session.scalars(select(TikTokShop).where(TikTokShop.merchant_id == me)).one()
        for n, days_ago in enumerate((0, 0, 3)):
            session.add(Order(merchant_id=me, tiktok_shop_id=shop.id, tiktok_order_id=f"recent-{n}",
                              sync_state="created", placed_at=datetime.now(UTC) - timedelta(days=days_ago)))
        session.add(Order(merchant_id=me, tiktok_shop_id=shop.id, tiktok_order_id="too-old", sync_state="created",
                          placed_at=datetime.now(UTC) - timedelta(days=20)))
    page = visitor.get("/").text
    assert "piece of work failed" in page and "Home failed for good" in page
    assert "listing failed to sync or failed TikTok" in page
    assert "order could not be created in your store" in page
    assert "TikTok shop lost its connection" in page
    assert "need an exchange rate" in page or "needs an exchange rate" in page
    assert re.search(r'<svg class="chart"[^>]*role="img"', page)
    desc = re.search(r'<desc id="chart-desc">([^<]*)</desc>', page)
    assert desc and "Orders: 4" in desc.group(1), desc  # three recent + the seeded one from yesterday
    assert "Orders (4)" in page


def test_daily_counts_group_orders_and_activity_by_utc_day(runtime: Runtime) -> None:
    me = create_merchant(runtime, "days@example.com")
    seed_rows(runtime, me, "Days")
    today = date.today()
    with transaction(runtime.sessions) as session:
        session.add(Activity(merchant_id=me, kind="x", message="old", at=datetime.now(UTC) - timedelta(days=30)))
        session.add(Activity(merchant_id=me, kind="x", message="two days", at=datetime.now(UTC) - timedelta(days=2)))
        series = repo.daily_counts(session, me, today=datetime.now(UTC).date())
    assert len(series.days) == 14 and series.days[-1] == datetime.now(UTC).date()
    assert sum(series.orders) == 1 and series.orders[-2] == 1
    assert sum(series.activity) == 2 and series.activity[-3] == 1 and series.activity[-1] == 1
    assert today - series.days[0] <= timedelta(days=14)


def test_the_retry_button_queues_failed_work_again(visitor: Visitor, runtime: Runtime) -> None:
    me = _signed_up(visitor, runtime)
    ids = seed_rows(runtime, me, "Retry")
    visitor.get("/")
    response = visitor.post(f"/attention/intents/{ids['intent']}/retry")
    assert response.status_code == 303
    with transaction(runtime.sessions) as session:
        intent = session.get(Intent, ids["intent"])
        assert intent is not None and intent.state == "pending" and intent.attempts == 0
    assert visitor.post(f"/attention/intents/{ids['intent']}/retry").status_code == 404


def test_connecting_a_store_checks_it_then_saves_it_encrypted(visitor: Visitor, runtime: Runtime,
                                                              fake_platform: list[dict[str, object]]) -> None:
    me = _signed_up(visitor, runtime)
    page = visitor.get("/connect/store?platform=fakeshop")
    assert page.status_code == 200 and 'name="access_token"' in page.text and 'type="password"' in page.text
    response = visitor.post("/connect/store", {"platform": "fakeshop", "base_url": "https://fake-outfitters.example",
                                               "access_token": GOOD_TOKEN, "client_secret": "very-secret"})
    assert response.status_code == 303, response.text
    detail = visitor.get(response.headers["location"])
    assert "Connected. The store answered as Fake Outfitters (USD)" in detail.text
    assert GOOD_TOKEN not in detail.text and "very-secret" not in detail.text
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(StoreConnection).where(StoreConnection.merchant_id == me)).one()
        assert "very-secret" not in row.credentials
        assert runtime.vault.decrypt(row.credentials)["client_secret"] == "very-secret"
    assert "Connected Fake Shop store Fake Outfitters (USD)." in visitor.get("/activity").text
    assert "✓ Connect your store" in visitor.get("/onboarding").text


def test_refused_credentials_are_explained_and_nothing_is_saved(visitor: Visitor, runtime: Runtime,
                                                                fake_platform: list[dict[str, object]]) -> None:
    _signed_up(visitor, runtime)
    visitor.get("/connect/store?platform=fakeshop")
    response = visitor.post("/connect/store", {"platform": "fakeshop", "base_url": "https://fake-outfitters.example",
                                               "access_token": "wrong-token", "client_secret": "s"})
    assert response.status_code == 422
    assert "The store refused these credentials" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "wrong-token" not in response.text
    assert 'value="https://fake-outfitters.example"' in response.text
    with transaction(runtime.sessions) as session:
        assert session.scalars(select(StoreConnection)).first() is None


def test_a_missing_connector_is_explained_on_the_page(visitor: Visitor, runtime: Runtime) -> None:
    _signed_up(visitor, runtime)
    response = visitor.get("/connect/store?platform=nosuchplatform")
    assert response.status_code == 422 and "does not connect to" in response.text


def test_choosing_shops_creates_and_removes_feeds(visitor: Visitor, runtime: Runtime,
                                                  fake_platform: list[dict[str, object]]) -> None:
    me = _signed_up(visitor, runtime)
    ids = seed_rows(runtime, me, "Feeds")
    with transaction(runtime.sessions) as session:
        usd = TikTokShop(merchant_id=me, region="US", shop_id="us-1", name="US shop", currency="USD")
        session.add(usd)
        session.flush()
        usd_id = usd.id
    visitor.get(f"/connections/{ids['store']}")
    response = visitor.post(f"/connections/{ids['store']}/feeds", {"shop": [str(ids["shop"]), str(usd_id)]})
    assert response.status_code == 303
    with transaction(runtime.sessions) as session:
        feeds = {f.tiktok_shop_id: f.status for f in session.scalars(select(StoreFeed))}
    assert feeds == {ids["shop"]: "currency_mismatch", usd_id: "active"}
    visitor.post(f"/connections/{ids['store']}/feeds", {"shop": str(usd_id)})
    with transaction(runtime.sessions) as session:
        assert [f.tiktok_shop_id for f in session.scalars(select(StoreFeed))] == [usd_id]
    page = visitor.get(f"/connections/{ids['store']}").text
    assert f'id="shop-{usd_id}" name="shop" value="{usd_id}" checked' in page


def test_removing_a_store_from_htmx_redirects_and_logs_it(visitor: Visitor, runtime: Runtime,
                                                          fake_platform: list[dict[str, object]]) -> None:
    me = _signed_up(visitor, runtime)
    ids = seed_rows(runtime, me, "Gone")
    visitor.get(f"/connections/{ids['store']}")
    response = visitor.http.post(f"/connections/{ids['store']}/delete",
                                 headers={"HX-Request": "true", "X-CSRF-Token": visitor.token})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/connections"
    with transaction(runtime.sessions) as session:
        assert session.get(StoreConnection, ids["store"]) is None
    assert "Removed the fakeshop store Gone store." in visitor.get("/activity").text
    assert visitor.get(f"/connections/{ids['store']}").status_code == 404


def test_the_activity_log_is_newest_first_and_filters_by_level(visitor: Visitor, runtime: Runtime) -> None:
    me = _signed_up(visitor, runtime)
    with transaction(runtime.sessions) as session:
        for n in range(55):
            session.add(Activity(merchant_id=me, kind="t", level="warning" if n % 5 == 0 else "info",
                                 message=f"entry number {n:02d}", action=f"do thing {n:02d}"))
    page = visitor.get("/activity").text
    assert page.index("entry number 54") < page.index("entry number 53")
    assert "do thing 54" in page and "entry number 04" not in page
    older = re.search(r'href="/activity\?before=(\d+)"', page)
    assert older
    assert "entry number 04" in visitor.get(f"/activity?before={older.group(1)}").text
    warnings = visitor.get("/activity?level=warning").text
    assert "entry number 50" in warnings and "entry number 51" not in warnings
    assert visitor.get("/activity?level=loud").status_code == 422


def test_the_tiktok_button_explains_when_authorization_is_not_set_up(visitor: Visitor, runtime: Runtime) -> None:
    _signed_up(visitor, runtime)
    response = visitor.get("/connect/tiktok/start?region=GB")
    assert response.status_code == 400
    assert "FEEDBRIDGE_TIKTOK_APP_KEY" in response.text


def test_an_exchange_rate_on_the_store_page_clears_the_currency_mismatch(visitor: Visitor, runtime: Runtime,
                                                                         fake_platform: list[dict[str, object]]) -> None:
    me = _signed_up(visitor, runtime)
    ids = seed_rows(runtime, me, "Rate")
    page = visitor.get(f"/connections/{ids['store']}").text
    assert f'for="rate-{ids["shop"]}"' in page and "1 USD = … GBP" in page
    bad = visitor.post(f"/connections/{ids['store']}/feeds", {"shop": str(ids["shop"]), f"rate-{ids['shop']}": "x"})
    assert bad.status_code == 422 and "exchange rate" in bad.text
    visitor.get(f"/connections/{ids['store']}")
    visitor.post(f"/connections/{ids['store']}/feeds", {"shop": str(ids["shop"]), f"rate-{ids['shop']}": "0.79"})
    with transaction(runtime.sessions) as session:
        feed = session.get(StoreFeed, ids["feed"])
        assert feed is not None and feed.exchange_rate == "0.79" and feed.status == "active"
    visitor.get(f"/connections/{ids['store']}")
    visitor.post(f"/connections/{ids['store']}/feeds", {"shop": str(ids["shop"]), f"rate-{ids['shop']}": ""})
    with transaction(runtime.sessions) as session:
        feed = session.get(StoreFeed, ids["feed"])
        assert feed is not None and feed.exchange_rate is None and feed.status == "currency_mismatch"


def test_reconnecting_checks_the_new_credentials_and_keeps_the_generated_webhook_secret(
        visitor: Visitor, runtime: Runtime, fake_platform: list[dict[str, object]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMS, "fakeshop", dataclasses.replace(FAKE_FORM, generated=("webhook_secret",)))
    me = _signed_up(visitor, runtime)
    visitor.get("/connect/store?platform=fakeshop")
    created = visitor.post("/connect/store", {"platform": "fakeshop", "base_url": "https://fake-outfitters.example",
                                              "access_token": GOOD_TOKEN, "client_secret": "first"})
    assert created.status_code == 303
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(StoreConnection).where(StoreConnection.merchant_id == me)).one()
        row.status, row.status_reason = "disconnected", "The store refused our token."
        first = runtime.vault.decrypt(row.credentials)
    assert len(first["webhook_secret"]) >= 24
    assert "Reconnect" in visitor.get("/connections").text

    visitor.get(f"/connections/{row.id}")
    refused = visitor.post(f"/connections/{row.id}/reconnect", {"base_url": "https://fake-outfitters.example",
                                                                "access_token": "stale", "client_secret": "x"})
    assert refused.status_code == 422 and "The store refused these credentials" in refused.text
    visitor.get(f"/connections/{row.id}")
    saved = visitor.post(f"/connections/{row.id}/reconnect", {"base_url": "https://fake-outfitters.example",
                                                              "access_token": GOOD_TOKEN, "client_secret": "second"})
    assert saved.status_code == 303
    with transaction(runtime.sessions) as session:
        again = session.get(StoreConnection, row.id)
        assert again is not None and again.status == "connected" and again.status_reason == ""
        creds = runtime.vault.decrypt(again.credentials)
    assert creds == {"access_token": GOOD_TOKEN, "client_secret": "second",
                     "webhook_secret": first["webhook_secret"]}
    assert fake_platform[-1]["webhook_secret"] == first["webhook_secret"]


def test_pages_carry_security_headers(visitor: Visitor, runtime: Runtime) -> None:
    _signed_up(visitor, runtime)
    headers = visitor.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    fresh = Visitor(visitor.base_url)
    cookie = fresh.get("/login").headers.get("set-cookie", "")
    fresh.close()
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_removing_a_tiktok_shop_removes_its_feeds_and_logs_it(visitor: Visitor, runtime: Runtime,
                                                              fake_platform: list[dict[str, object]]) -> None:
    me = _signed_up(visitor, runtime)
    ids = seed_rows(runtime, me, "Shop")
    assert "Shop shop" in visitor.get("/connections").text
    assert visitor.post(f"/connections/tiktok/{ids['shop']}/delete").status_code == 303
    with transaction(runtime.sessions) as session:
        assert session.get(TikTokShop, ids["shop"]) is None
        assert session.get(StoreFeed, ids["feed"]) is None
        assert session.get(StoreConnection, ids["store"]) is not None
    assert "Removed the TikTok shop Shop shop." in visitor.get("/activity").text


def test_the_reconnect_form_fills_in_non_secret_values_only(visitor: Visitor, runtime: Runtime,
                                                            fake_platform: list[dict[str, object]],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    form = dataclasses.replace(FAKE_FORM, fields=(*FAKE_FORM.fields, CredentialField("store_hash", "Store hash",
                                                                                     secret=False)))
    monkeypatch.setitem(FORMS, "fakeshop", form)
    me = _signed_up(visitor, runtime)
    with transaction(runtime.sessions) as session:
        row = StoreConnection(merchant_id=me, platform="fakeshop", base_url="https://h.example", name="Hash store",
                              credentials=runtime.vault.encrypt({"access_token": "tok-secret",
                                                                 "client_secret": "cs-secret", "store_hash": "abc123"}))
        session.add(row)
        session.flush()
        row_id = row.id
    page = visitor.get(f"/connections/{row_id}").text
    assert 'value="abc123"' in page
    assert "tok-secret" not in page and "cs-secret" not in page
