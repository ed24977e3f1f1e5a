"""Accounts: sign-up, log-in, log-out and passwords, through the app served for real."""

from __future__ import annotations

from sqlalchemy import select

from feedbridge.db.models import Activity, Merchant
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.web.security import hash_password, verify_password
from tests.integration.web.helpers import PASSWORD, Visitor, create_merchant


def test_sign_up_logs_in_and_opens_the_onboarding_checklist(visitor: Visitor, runtime: Runtime) -> None:
    response = visitor.sign_up("Ada@Example.com ", name="Ada's shop")
    assert response.status_code == 303
    assert response.headers["location"] == "/onboarding"
    page = visitor.get("/onboarding")
    assert page.status_code == 200
    assert "Connect your TikTok shop" in page.text and "Connect your store" in page.text
    assert "ada@example.com" in page.text
    with transaction(runtime.sessions) as session:
        merchant = session.scalars(select(Merchant)).one()
        assert merchant.email == "ada@example.com"
        assert PASSWORD not in merchant.password_hash and merchant.password_hash.startswith("scrypt$")
        kinds = session.scalars(select(Activity.kind).where(Activity.merchant_id == merchant.id)).all()
    assert "account.created" in kinds


def test_pages_send_a_logged_out_visitor_to_the_login_page(visitor: Visitor) -> None:
    response = visitor.get("/connections?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/connections%3Fx%3D1"


def test_log_in_with_the_right_password_returns_to_the_page_asked_for(visitor: Visitor, runtime: Runtime) -> None:
    create_merchant(runtime, "bo@example.com")
    visitor.get("/login?next=/activity")
    response = visitor.post("/login", {"email": "bo@example.com", "password": PASSWORD, "next": "/activity"})
    assert response.status_code == 303 and response.headers["location"] == "/activity"
    assert visitor.get("/activity").status_code == 200


def test_wrong_password_is_refused_and_starts_no_session(visitor: Visitor, runtime: Runtime) -> None:
    create_merchant(runtime, "cy@example.com")
    response = visitor.log_in("cy@example.com", "not the password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert visitor.get("/settings").status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(visitor: Visitor) -> None:
    response = visitor.log_in("nobody@example.com", "whatever password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text


def test_log_out_ends_the_session(visitor: Visitor) -> None:
    visitor.sign_up("di@example.com")
    assert visitor.get("/settings").status_code == 200
    response = visitor.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert visitor.get("/settings").status_code == 303


def test_signing_up_twice_with_one_email_is_refused(visitor: Visitor, other_visitor: Visitor) -> None:
    assert visitor.sign_up("ed@example.com").status_code == 303
    response = other_visitor.sign_up("ED@example.com")
    assert response.status_code == 409
    assert "already exists" in response.text


def test_short_or_mismatched_passwords_are_refused(visitor: Visitor, runtime: Runtime) -> None:
    visitor.get("/signup")
    short = visitor.post("/signup", {"email": "fi@example.com", "password": "short", "password_again": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    mismatch = visitor.post("/signup", {"email": "fi@example.com", "password": PASSWORD,
                                        "password_again": PASSWORD + "x"})
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    with transaction(runtime.sessions) as session:
        assert session.scalars(select(Merchant)).first() is None


def test_login_never_redirects_off_site(visitor: Visitor, runtime: Runtime) -> None:
    create_merchant(runtime, "gu@example.com")
    visitor.get("/login")
    response = visitor.post("/login", {"email": "gu@example.com", "password": PASSWORD,
                                       "next": "//evil.example/steal"})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_changing_the_password_ends_older_sessions(visitor: Visitor, runtime: Runtime) -> None:
    visitor.sign_up("ha@example.com")
    assert visitor.get("/settings").status_code == 200
    with transaction(runtime.sessions) as session:
        merchant = session.scalars(select(Merchant).where(Merchant.email == "ha@example.com")).one()
        merchant.password_hash = hash_password("a brand new password")
    assert visitor.get("/settings").status_code == 303


def test_password_hashes_are_salted_and_verified() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)
    assert not verify_password(PASSWORD, None)
    assert not verify_password(PASSWORD, "md5$abc")


def test_too_many_wrong_passwords_lock_the_login_for_a_while(visitor: Visitor, runtime: Runtime) -> None:
    create_merchant(runtime, "locked@example.com")
    for _ in range(10):
        assert visitor.log_in("locked@example.com", "guess").status_code == 401
    refused = visitor.log_in("locked@example.com", PASSWORD)
    assert refused.status_code == 429 and "Too many failed log-ins" in refused.text
    assert visitor.get("/settings").status_code == 303


def test_changing_the_password_keeps_this_session_and_ends_the_others(visitor: Visitor, other_visitor: Visitor,
                                                                      runtime: Runtime) -> None:
    visitor.sign_up("change@example.com")
    other_visitor.log_in("change@example.com")
    assert other_visitor.get("/settings").status_code == 200
    visitor.get("/settings")
    wrong = visitor.post("/settings/password", {"current_password": "nope", "new_password": "another password 1",
                                                "new_password_again": "another password 1"})
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    changed = visitor.post("/settings/password", {"current_password": PASSWORD,
                                                  "new_password": "another password 1",
                                                  "new_password_again": "another password 1"})
    assert changed.status_code == 303
    assert "Your password was changed" in visitor.get(changed.headers["location"]).text
    assert other_visitor.get("/settings").status_code == 303
    assert visitor.log_in("change@example.com", "another password 1").status_code == 303
