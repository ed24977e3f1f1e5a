"""The flow pages on a phone: nothing scrolls sideways, every form field has a label."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from feedbridge.runtime import Runtime
from tests.e2e.test_dashboard import sign_up
from tests.integration.web.helpers import merchant_id, seed_catalog, seed_rows

pytestmark = pytest.mark.browser


def test_the_flow_pages_fit_a_phone_and_label_every_field(phone: Any, web: str, runtime: Runtime) -> None:
    sign_up(phone, web, "phone-flows@example.com")
    me = merchant_id(runtime, "phone-flows@example.com")
    ids = seed_rows(runtime, me, "Phone")
    seed_catalog(runtime, me, ids)
    for path in ("/mapping", "/products", "/listings", "/link", "/orders", f"/carriers?shop={ids['shop']}",
                 f"/feeds/{ids['feed']}/rules", f"/shops/{ids['shop']}/settings", "/"):
        phone.goto(web + path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        unlabelled = phone.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')].filter(e => !e.labels || e.labels.length === 0)
            .filter(e => !e.getAttribute('aria-label')).map(e => e.name || e.id)""")
        assert unlabelled == [], f"{path} has fields without a label: {unlabelled}"
