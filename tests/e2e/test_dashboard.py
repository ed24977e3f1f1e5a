"""The dashboard in a real browser: sign up, checklist, connect a store, API token, activity, phone layout."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from feedbridge.web.render import NAV
from tests.integration.web.helpers import GOOD_TOKEN, PASSWORD

pytestmark = pytest.mark.browser


def sign_up(page: Any, web: str, email: str) -> None:
    page.goto(web + "/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name or business").fill("Browser Shop")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()


def connect_fake_store(page: Any, token: str = GOOD_TOKEN) -> None:
    page.get_by_role("link", name="Connect a store").first.click()
    page.get_by_role("link", name="Fake Shop").click()
    page.get_by_label("Shop address").fill("https://fake-outfitters.example")
    page.get_by_label("Access token").fill(token)
    page.get_by_label("Client secret").fill("browser-secret")
    page.get_by_role("button", name="Check and connect").click()


def test_a_merchant_signs_up_connects_a_store_and_makes_an_api_token(page: Any, web: str) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    sign_up(page, web, "browser@example.com")
    checklist = page.locator("ol.checklist")
    expect(checklist.get_by_role("heading", name="Connect your TikTok shop")).to_be_visible()
    expect(checklist.get_by_role("heading", name="Connect your store")).to_be_visible()
    expect(page.get_by_role("button", name="Connect TikTok Shop")).to_be_visible()

    connect_fake_store(page)
    expect(page.get_by_role("status")).to_contain_text("The store answered as Fake Outfitters (USD)")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Token name").fill("browser script")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("fb_")
    me = httpx.get(f"{web}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == "browser@example.com"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    rows = page.locator("#activity-list tbody tr")
    expect(rows.first).to_contain_text("API token 'browser script'")
    expect(page.locator("#activity-list")).to_contain_text("Connected Fake Shop store Fake Outfitters (USD).")
    page.get_by_label("Show").select_option("error")
    expect(page.locator("#activity-list")).to_contain_text("No error entries.")
    expect(page).to_have_url(re.compile(r"/activity\?level=error$"))
    assert console_errors == []  # e.g. no Content-Security-Policy violations by htmx or the pages


def test_refused_credentials_are_shown_next_to_the_form(page: Any, web: str) -> None:
    sign_up(page, web, "refused@example.com")
    connect_fake_store(page, token="not-the-token")
    expect(page.get_by_role("alert")).to_contain_text("The store refused these credentials")
    expect(page.get_by_label("Access token")).to_have_attribute("aria-invalid", "true")


def test_removing_a_store_asks_first_and_sends_the_csrf_header(page: Any, web: str) -> None:
    sign_up(page, web, "remove@example.com")
    connect_fake_store(page)
    expect(page.get_by_role("status")).to_contain_text("Fake Outfitters")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove store").click()
    expect(page).to_have_url(re.compile(r"/connections$"))
    expect(page.get_by_text("No store connected yet.")).to_be_visible()


def test_every_page_fits_a_phone_screen(phone: Any, web: str) -> None:
    sign_up(phone, web, "phone@example.com")
    for item in NAV:
        phone.goto(web + item.path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{item.path} scrolls sideways by {overflow}px on a phone"
        link = phone.get_by_role("navigation", name="Main").get_by_role("link", name=item.label, exact=True)
        link.scroll_into_view_if_needed()
        expect(link).to_be_visible()
    phone.goto(web + "/connect/store?platform=fakeshop")
    box = phone.get_by_label("Access token").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    phone.get_by_role("button", name="Log out").click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
