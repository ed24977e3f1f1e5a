"""Page rendering: the Jinja2 templates, the navigation, and redirects that work for forms and htmx alike.

To add a dashboard page: add a `NavItem` to `NAV` (its `key` is the `active` value the page passes) and a route
in `feedbridge.web.pages` that calls `render(request, "your.html", {...}, active="key")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

import feedbridge
from feedbridge.web.security import new_csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


@dataclass(frozen=True, slots=True)
class NavItem:
    """One entry of the main navigation."""

    key: str
    label: str
    path: str


NAV: list[NavItem] = [
    NavItem("home", "Home", "/"),
    NavItem("connections", "Connections", "/connections"),
    NavItem("mapping", "Category mapping", "/mapping"),
    NavItem("products", "Products", "/products"),
    NavItem("listings", "Listings", "/listings"),
    NavItem("link", "Link products", "/link"),
    NavItem("orders", "Orders", "/orders"),
    NavItem("carriers", "Carriers", "/carriers"),
    NavItem("settings", "Settings", "/settings"),
    NavItem("activity", "Activity", "/activity"),
]


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return token


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


templates.env.filters["when"] = _when


def flash(request: Request, message: str, *, action: str = "", level: str = "ok") -> None:
    """A message shown once on the next page (after a form post redirects)."""
    request.session["flash"] = {"message": message, "action": action, "level": level}


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
           active: str = "") -> Response:
    """Render a template with what every page needs: the merchant, the CSRF token, the navigation."""
    values: dict[str, Any] = {
        "me": getattr(request.state, "merchant", None),
        "csrf_token": csrf_token(request),
        "nav": NAV,
        "active": active,
        "version": feedbridge.__version__,
        "flash": request.session.pop("flash", None) if name[:1] != "_" else None,
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status)


def redirect(request: Request, url: str) -> Response:
    """Go to `url` after a form post: 303 for a plain form, HX-Redirect for an htmx request."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """A redirect target that stays on this site (no `//host` or absolute URLs)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
