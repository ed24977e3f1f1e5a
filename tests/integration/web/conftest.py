"""Fixtures of the web tests: the app served for real on loopback, and the fake store platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feedbridge.runtime import Runtime
from feedbridge.stores import PLATFORMS
from feedbridge.web.app import create_app
from feedbridge.web.connect import FORMS
from feedbridge_sandbox.core import serve
from tests.integration.web.helpers import CHECKED, FAKE_FORM, Visitor


@pytest.fixture
def fake_platform(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Register the fake store platform for this test only; returns the list of store checks it answered."""
    monkeypatch.setitem(PLATFORMS, "fakeshop", "tests.integration.web.helpers:FakeStore")
    monkeypatch.setitem(FORMS, "fakeshop", FAKE_FORM)
    CHECKED.clear()
    return CHECKED


@pytest.fixture
def web(runtime: Runtime, fake_platform: list[dict[str, object]]) -> Iterator[str]:
    """The feedbridge web app served on a free loopback port; yields its base URL."""
    server = serve(create_app(runtime))
    yield server.url
    server.stop()


@pytest.fixture
def visitor(web: str) -> Iterator[Visitor]:
    client = Visitor(web)
    yield client
    client.close()


@pytest.fixture
def other_visitor(web: str) -> Iterator[Visitor]:
    client = Visitor(web)
    yield client
    client.close()
