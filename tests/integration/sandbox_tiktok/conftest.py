"""One TikTok sandbox on a real loopback port per test module, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from feedbridge_sandbox.core import serve
from feedbridge_sandbox.tiktok import create_sandbox
from tests.integration.sandbox_tiktok.helpers import TikTok, WebhookReceiver


@pytest.fixture(scope="module")
def manifest() -> Iterator[dict[str, Any]]:
    sandbox = create_sandbox(seed=False, review_delay=30, on_hold_seconds=600, webhook_retry_delays=(0.2, 0.4))
    server = serve(sandbox.app)
    try:
        yield sandbox.manifest(server.url)
    finally:
        server.stop()


@pytest.fixture
def tt(manifest: dict[str, Any]) -> Iterator[TikTok]:
    client = TikTok(manifest)
    client.control("POST", "/reset")
    client.control("POST", "/ratelimit", {"limit": 50, "window": 1.0})
    client.control("POST", "/review_rules", {"delay": 30, "fail_title_keywords": ["FAILREVIEW"]})
    yield client
    client.http.close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hooks = WebhookReceiver()
    hooks.start()
    yield hooks
    hooks.stop()


def subscribe(tt: TikTok, address: str, *event_types: str) -> None:
    for event_type in event_types:
        tt.ok("PUT", "/event/202309/webhooks", {"address": address, "event_type": event_type})
