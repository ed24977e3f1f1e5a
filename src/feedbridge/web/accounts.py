"""Merchant accounts: sign-up, log-in, log-out, and API tokens (the Settings page and the functions the API uses)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedbridge.db.models import ApiToken, Merchant, utcnow
from feedbridge.db.session import transaction
from feedbridge.errors import DataError
from feedbridge.web import repo
from feedbridge.web.deps import (
    CurrentMerchant,
    RowId,
    current_merchant,
    get_runtime,
    require_csrf,
    session_merchant,
)
from feedbridge.web.errors import Unauthorized
from feedbridge.web.render import redirect, render, safe_next
from feedbridge.web.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_api_token,
    new_csrf_token,
    password_fingerprint,
    token_hash,
    token_prefix,
    verify_password,
)
from feedbridge.web.throttle import LoginThrottle

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; DataError when it is clearly not an address."""
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 320 or " " in value:
        raise DataError("Enter a valid e-mail address.", field="email")
    return value


def log_in(request: Request, merchant: Merchant) -> None:
    """Start a fresh session for the merchant (a new CSRF token, nothing kept from before)."""
    request.session.clear()
    request.session["merchant_id"] = merchant.id
    request.session["pw"] = password_fingerprint(merchant.password_hash)
    request.session["csrf"] = new_csrf_token()


def create_token(session: Session, merchant_id: int, name: str) -> tuple[ApiToken, str]:
    """Make an API token; returns the row and the token itself, which is never stored or shown again."""
    name = name.strip()[:100] or "API token"
    token = new_api_token()
    row = ApiToken(merchant_id=merchant_id, name=name, prefix=token_prefix(token), token_hash=token_hash(token))
    session.add(row)
    session.flush()
    repo.log_activity(session, merchant_id, "token.created", f"API token '{name}' ({row.prefix}…) was created.")
    return row, token


def revoke_token(session: Session, merchant_id: int, token_id: int) -> ApiToken:
    """Revoke one of the merchant's API tokens; NotFound for anyone else's."""
    row = repo.owned(session, ApiToken, merchant_id, token_id, "API token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        repo.log_activity(session, merchant_id, "token.revoked",
                          f"API token '{row.name}' ({row.prefix}…) was revoked.")
    return row


@router.get("/signup")
def signup_page(request: Request) -> Response:
    """The sign-up form."""
    if session_merchant(request) is not None:
        return redirect(request, "/")
    return render(request, "signup.html", {"values": {}})


@router.post("/signup")
def signup(request: Request, email: str = Form(""), name: str = Form(""), password: str = Form(""),
           password_again: str = Form("")) -> Response:
    """Create an account and log in."""
    values = {"email": email, "name": name}
    try:
        address = normalise_email(email)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise DataError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.", field="password")
        if password != password_again:
            raise DataError("The two passwords are not the same.", field="password_again")
    except DataError as exc:
        return render(request, "signup.html", {"values": values, "error": exc}, status=422)
    runtime = get_runtime(request)
    try:
        with transaction(runtime.sessions) as session:
            merchant = Merchant(email=address, name=name.strip()[:200], password_hash=hash_password(password))
            session.add(merchant)
            session.flush()
            repo.log_activity(session, merchant.id, "account.created", "Your feedbridge account was created.",
                              action="Follow the checklist to connect TikTok Shop and your store.")
    except IntegrityError:
        error = DataError("An account with this e-mail already exists. Log in instead.", field="email")
        return render(request, "signup.html", {"values": values, "error": error}, status=409)
    log_in(request, merchant)
    return redirect(request, "/onboarding")


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The log-in form."""
    if session_merchant(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", {"values": {}, "next": safe_next(next)})


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


@router.post("/login")
def login(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    """Check the password and start a session (refused for a while after too many failures)."""
    runtime = get_runtime(request)
    address = email.strip().lower()
    keys = (f"email:{address}", f"client:{request.client.host if request.client else ''}")
    throttle = _throttle(request)
    context = {"values": {"email": email}, "next": safe_next(next)}
    wait = throttle.retry_after(*keys)
    if wait > 0:
        error = DataError(f"Too many failed log-ins. Try again in {int(wait // 60) + 1} minutes.", field="password")
        return render(request, "login.html", {**context, "error": error}, status=429)
    with transaction(runtime.sessions) as session:
        merchant = repo.merchant_by_email(session, address)
    # verify_password runs scrypt even for an unknown e-mail, so timing does not reveal which accounts exist.
    if not verify_password(password, merchant.password_hash if merchant else None) or merchant is None:
        throttle.failed(*keys)
        error = DataError("Wrong e-mail or password.", field="password")
        return render(request, "login.html", {**context, "error": error}, status=401)
    throttle.succeeded(keys[0])
    log_in(request, merchant)
    return redirect(request, safe_next(next))


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return redirect(request, "/login")


@router.get("/settings")
def settings_page(request: Request, password: str = "",
                  me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Account details, password and API tokens."""
    with transaction(get_runtime(request).sessions) as session:
        rows = repo.tokens(session, me.id)
        rules = _rules_links(session, me.id)
    return render(request, "settings.html", {"tokens": rows, "password_changed": password == "changed", **rules},
                  active="settings")


def _rules_links(session: Session, merchant_id: int) -> dict[str, object]:
    """Feeds and shops, for the links to their rules on the Settings page."""
    from feedbridge.web.feeds import all_feeds

    return {"rule_feeds": all_feeds(session, merchant_id), "rule_shops": repo.shops(session, merchant_id)}


@router.post("/settings/password")
def change_password(request: Request, current_password: str = Form(""), new_password: str = Form(""),
                    new_password_again: str = Form(""), me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Change the password; every other session of this account ends, this one stays logged in."""
    runtime = get_runtime(request)
    with transaction(runtime.sessions) as session:
        merchant = session.get(Merchant, me.id)  # the logged-in merchant's own row
        if merchant is None:
            raise Unauthorized("Log in to continue.")
        try:
            if not verify_password(current_password, merchant.password_hash):
                raise DataError("Your current password is not right.", field="current_password")
            if len(new_password) < MIN_PASSWORD_LENGTH:
                raise DataError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
                                field="new_password")
            if new_password != new_password_again:
                raise DataError("The two new passwords are not the same.", field="new_password_again")
        except DataError as exc:
            rows = repo.tokens(session, me.id)
            return render(request, "settings.html", {"tokens": rows, "password_error": exc,
                                                     **_rules_links(session, me.id)}, status=422,
                          active="settings")
        merchant.password_hash = hash_password(new_password)
        repo.log_activity(session, me.id, "account.password_changed", "Your password was changed.",
                          action="Other devices were logged out.")
    log_in(request, merchant)
    return redirect(request, "/settings?password=changed")


@router.post("/settings/tokens")
def create_token_page(request: Request, name: str = Form(""),
                      me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Create an API token and show it once."""
    with transaction(get_runtime(request).sessions) as session:
        row, token = create_token(session, me.id, name)
        rows = repo.tokens(session, me.id)
        rules = _rules_links(session, me.id)
    return render(request, "settings.html", {"tokens": rows, "new_token": token, "new_token_name": row.name, **rules},
                  status=201, active="settings")


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token_page(request: Request, token_id: RowId,
                      me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Revoke an API token."""
    with transaction(get_runtime(request).sessions) as session:
        revoke_token(session, me.id, token_id)
    return redirect(request, "/settings")
