"""CSRF: every state-changing dashboard request needs this session's token, as a form field or htmx header."""

from __future__ import annotations

from sqlalchemy import select

from feedbridge.db.models import ApiToken
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from tests.integration.web.helpers import Visitor


def _token_count(runtime: Runtime) -> int:
    with transaction(runtime.sessions) as session:
        return len(session.scalars(select(ApiToken)).all())


def test_a_form_post_without_the_csrf_token_is_rejected(visitor: Visitor, runtime: Runtime) -> None:
    visitor.sign_up("csrf@example.com")
    response = visitor.post("/settings/tokens", {"name": "sneaky"}, csrf=False)
    assert response.status_code == 403
    assert "did not come from feedbridge" in response.text
    assert _token_count(runtime) == 0


def test_a_token_from_another_session_is_rejected(visitor: Visitor, other_visitor: Visitor,
                                                  runtime: Runtime) -> None:
    visitor.sign_up("victim@example.com")
    other_visitor.get("/login")
    foreign = other_visitor.token
    assert foreign and foreign != visitor.token
    response = visitor.post("/settings/tokens", {"name": "sneaky", "csrf_token": foreign})
    assert response.status_code == 403
    assert _token_count(runtime) == 0


def test_an_htmx_request_with_the_csrf_header_is_accepted(visitor: Visitor, runtime: Runtime) -> None:
    visitor.sign_up("htmx@example.com")
    visitor.get("/settings")
    response = visitor.http.post("/settings/tokens", data={"name": "from htmx"},
                                 headers={"X-CSRF-Token": visitor.token, "HX-Request": "true"})
    assert response.status_code == 201
    assert _token_count(runtime) == 1


def test_an_htmx_request_with_a_wrong_header_is_rejected(visitor: Visitor, runtime: Runtime) -> None:
    visitor.sign_up("htmx2@example.com")
    response = visitor.http.post("/settings/tokens", data={"name": "x", "csrf_token": visitor.token},
                                 headers={"X-CSRF-Token": "forged", "HX-Request": "true"})
    assert response.status_code == 403
    assert _token_count(runtime) == 0


def test_the_login_form_needs_the_csrf_token_too(visitor: Visitor) -> None:
    response = visitor.post("/login", {"email": "a@example.com", "password": "whatever"}, csrf=False)
    assert response.status_code == 403


def test_logging_in_issues_a_fresh_csrf_token(visitor: Visitor) -> None:
    visitor.get("/login")
    before = visitor.token
    visitor.sign_up("fresh@example.com")
    visitor.get("/settings")
    assert visitor.token and visitor.token != before
