"""Request dependencies: the runtime, the logged-in merchant (session or API token) and the CSRF check.

A dashboard route gets its merchant with `me: CurrentMerchant = Depends(current_merchant)`; an API route with
`Depends(api_merchant)`. Both raise `Unauthorized` when nobody is logged in. Every query then passes `me.id` to
the helpers in `feedbridge.web.repo`, which never fetch a row by id alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from feedbridge.db.models import ApiToken, Merchant, utcnow
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.web.errors import Forbidden, Unauthorized
from feedbridge.web.security import password_fingerprint, same_token, token_hash

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="The id of one of your own rows.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
bearer = HTTPBearer(auto_error=False, description="An API token made on the Settings page.")


@dataclass(frozen=True, slots=True)
class CurrentMerchant:
    """The merchant a request acts for."""

    id: int
    email: str
    name: str
    created_at: datetime


def get_runtime(request: Request) -> Runtime:
    """The process runtime the app was built with."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def _snapshot(merchant: Merchant) -> CurrentMerchant:
    return CurrentMerchant(merchant.id, merchant.email, merchant.name, merchant.created_at)


def session_merchant(request: Request) -> CurrentMerchant | None:
    """The merchant logged in with this request's session cookie, or None."""
    merchant_id = request.session.get("merchant_id")
    if not isinstance(merchant_id, int):
        return None
    with transaction(get_runtime(request).sessions) as session:
        merchant = session.get(Merchant, merchant_id)
        # A password change (or a deleted account) ends every older session.
        if merchant is None or request.session.get("pw") != password_fingerprint(merchant.password_hash):
            request.session.clear()
            return None
        return _snapshot(merchant)


def current_merchant(request: Request) -> CurrentMerchant:
    """The logged-in merchant of a dashboard request; Unauthorized (→ login page) when there is none."""
    merchant = session_merchant(request)
    if merchant is None:
        raise Unauthorized("Log in to continue.")
    request.state.merchant = merchant
    return merchant


def api_merchant(request: Request,
                 credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> CurrentMerchant:
    """The merchant owning the request's `Authorization: Bearer <token>`; Unauthorized otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Send an API token in the Authorization header: `Bearer <token>`.")
    digest = token_hash(credentials.credentials)
    with transaction(get_runtime(request).sessions) as session:
        row = session.execute(
            select(ApiToken, Merchant).join(Merchant, Merchant.id == ApiToken.merchant_id)
            .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
        ).first()
        if row is None:
            raise Unauthorized("This API token is not valid or was revoked.")
        token, merchant = row
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
            token.last_used_at = now
        request.state.merchant = _snapshot(merchant)
        return request.state.merchant  # type: ignore[no-any-return]


async def require_csrf(request: Request) -> None:
    """Reject a state-changing dashboard request unless it carries this session's CSRF token.

    The token comes in the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>) or in the
    `csrf_token` field of a form.
    """
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
    if not same_token(given, expected if isinstance(expected, str) else None):
        raise Forbidden("This form has expired or did not come from feedbridge. Reload the page and try again.",
                        code="csrf_failed")
