"""Browser tests: Debian's chromium driven by Playwright against the app served on loopback.

Never downloads a browser: uses /usr/bin/chromium and skips when it is missing. A failed test leaves a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feedbridge.runtime import Runtime
from feedbridge.stores import PLATFORMS
from feedbridge.web.app import create_app
from feedbridge.web.connect import FORMS
from feedbridge_sandbox.core import serve
from tests.integration.web.helpers import CHECKED, FAKE_FORM

CHROMIUM = os.environ.get("FEEDBRIDGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can tell that the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Module scope matters: Playwright's sync API keeps an event loop running
    in this thread until it stops, and later modules call asyncio.run()."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def fake_platform(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.setitem(PLATFORMS, "fakeshop", "tests.integration.web.helpers:FakeStore")
    monkeypatch.setitem(FORMS, "fakeshop", FAKE_FORM)
    CHECKED.clear()
    return CHECKED


@pytest.fixture
def web(runtime: Runtime, fake_platform: list[dict[str, object]]) -> Iterator[str]:
    server = serve(create_app(runtime))
    yield server.url
    server.stop()


def _page(browser: Any, request: pytest.FixtureRequest, **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(**context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop-sized page."""
    yield from _page(browser, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page (375 × 740, touch)."""
    yield from _page(browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                     device_scale_factor=2)
