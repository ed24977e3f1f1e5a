"""Operations endpoints and observability: /readyz, /metrics (Prometheus text), API calls counted in one
place, sync latency, intents by kind and state, metrics summed over processes, job context in JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feedbridge.db import intents
from feedbridge.db import session as db
from feedbridge.db.models import Merchant, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.jobs import runner
from feedbridge.logs import setup_logging
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import Settings
from feedbridge.tiktok.adapter import build_marketplace
from feedbridge.web.app import create_app
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.tiktok import create_sandbox
from tests.drills.services import redis_url_or_skip


@pytest.fixture
def app_url(runtime: Runtime) -> Iterator[str]:
    server = serve(create_app(runtime))
    yield server.url
    server.stop()


@pytest.fixture
def tiktok() -> Iterator[tuple[RunningServer, dict[str, Any]]]:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    yield server, sandbox.manifest(server.url)
    server.stop()


def metric(text: str, series: str) -> float:
    """The value of one exposed series, e.g. 'feedbridge_api_requests_total{platform="tiktok"}'."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not exposed:\n{text}")


def add_shop(runtime: Runtime, manifest: dict[str, Any]) -> TikTokShop:
    shop = manifest["shops"][0]
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email="ops@example.com")
        session.add(merchant)
        session.flush()
        row = TikTokShop(merchant_id=merchant.id, region=shop["region"], shop_id=shop["id"], cipher=shop["cipher"],
                         currency=shop["currency"], settings={"api_url": manifest["api_url"],
                                                              "app_key": manifest["app_key"]},
                         tokens=runtime.vault.encrypt({"access_token": shop["access_token"],
                                                       "refresh_token": shop["refresh_token"],
                                                       "app_secret": manifest["app_secret"]}))
        session.add(row)
    return row


def test_ready_when_database_is_at_head_and_queue_answers(app_url: str) -> None:
    response = httpx.get(f"{app_url}/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


def test_not_ready_when_database_is_behind_the_code(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0001")
    runtime = build_runtime(settings.model_copy(update={"database_url": url}), migrate=False)
    server = serve(create_app(runtime))
    try:
        response = httpx.get(f"{server.url}/readyz")
    finally:
        server.stop()
    assert response.status_code == 503
    assert "not migrated" in response.json()["checks"]["database"]


def test_not_ready_when_the_queue_does_not_answer(settings: Settings) -> None:
    runtime = build_runtime(settings.model_copy(update={"queue_url": "redis://127.0.0.1:1/0"}), migrate=False)
    server = serve(create_app(runtime))
    try:
        response = httpx.get(f"{server.url}/readyz")
    finally:
        server.stop()
    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("error")


def test_tiktok_calls_and_errors_are_counted_per_platform(runtime: Runtime, app_url: str, tiktok) -> None:  # type: ignore[no-untyped-def]
    server, manifest = tiktok
    shop = add_shop(runtime, manifest)
    httpx.post(f"{server.url}/_sandbox/faults", json={"kind": "status", "status": 503, "path": "/warehouses",
                                                     "count": 2})

    async def look_up() -> None:
        adapter = build_marketplace(runtime, shop)
        try:
            await adapter.client.get_warehouses()
        finally:
            await adapter.aclose()

    asyncio.run(look_up())
    text = httpx.get(f"{app_url}/metrics").text
    assert metric(text, 'feedbridge_api_requests_total{platform="tiktok"}') == 3
    assert metric(text, 'feedbridge_api_errors_total{platform="tiktok",reason="server_error"}') == 2
    assert metric(text, 'feedbridge_api_errors_total{platform="tiktok",reason="no_answer"}') == 0


def test_tiktok_refusals_inside_a_200_envelope_count_as_errors(runtime: Runtime, app_url: str, tiktok) -> None:  # type: ignore[no-untyped-def]
    server, manifest = tiktok
    shop = add_shop(runtime, manifest)

    async def missing_product() -> None:
        adapter = build_marketplace(runtime, shop)
        try:
            await adapter.client.get_product("1729999999999999999")
        finally:
            await adapter.aclose()

    with pytest.raises(Exception):  # noqa: B017 - the typed error is the client's business; we count it
        asyncio.run(missing_product())
    text = httpx.get(f"{app_url}/metrics").text
    assert metric(text, 'feedbridge_api_requests_total{platform="tiktok"}') == 1
    assert metric(text, 'feedbridge_api_errors_total{platform="tiktok",reason="platform_error"}') == 1


def test_metrics_show_intents_by_kind_and_state_and_sync_latency(runtime: Runtime, app_url: str) -> None:
    async def nothing(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        return None

    runtime.handlers["test.noop"] = nothing
    with transaction(runtime.sessions) as session:
        done = intents.record_intent(session, "test.noop", "a").id
        intents.record_intent(session, "test.noop", "b", delay=600)
    assert runner.run_intent(runtime, done) == "done"
    response = httpx.get(f"{app_url}/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert metric(text, 'feedbridge_intents{kind="test.noop",state="done"}') == 1
    assert metric(text, 'feedbridge_intents{kind="test.noop",state="pending"}') == 1
    assert metric(text, 'feedbridge_sync_latency_seconds_count{kind="test.noop"}') == 1
    assert metric(text, 'feedbridge_sync_latency_seconds_bucket{kind="test.noop",le="+Inf"}') == 1
    assert metric(text, "feedbridge_queue_depth") >= 0
    assert "# TYPE feedbridge_sync_latency_seconds histogram" in text


def test_metrics_add_up_over_processes_through_redis(settings: Settings) -> None:
    url = redis_url_or_skip("ops")
    shared = settings.model_copy(update={"queue_url": url})
    web, worker = build_runtime(shared, migrate=False), build_runtime(shared, migrate=False)
    worker.metrics.inc("feedbridge_api_requests_total", 5, platform="shopify")
    worker.flush_metrics()
    web.metrics.inc("feedbridge_api_requests_total", 2, platform="shopify")
    server = serve(create_app(web))
    try:
        text = httpx.get(f"{server.url}/metrics").text
    finally:
        server.stop()
    assert metric(text, 'feedbridge_api_requests_total{platform="shopify"}') == 7


def test_json_log_lines_of_a_job_carry_its_intent_id_and_kind(runtime: Runtime, capfd) -> None:  # type: ignore[no-untyped-def]
    async def talk(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        logging.getLogger("feedbridge.test").warning("working on it")

    runtime.handlers["test.talk"] = talk
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.talk", "k").id
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    setup_logging("INFO", as_json=True)
    try:
        runner.run_intent(runtime, intent_id)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    line = next(entry for entry in lines if entry["message"] == "working on it")
    assert line["intent_id"] == intent_id and line["intent_kind"] == "test.talk"
