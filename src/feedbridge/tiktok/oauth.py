"""Connecting a TikTok shop: the authorization link, its signed `state`, tokens, refresh, authorized shops.

Flow: the merchant opens `authorization_url(...)` (state = make_state(key, merchant_id)); TikTok redirects to our
redirect URL with `code` and `state`; `parse_callback` checks the state and returns the code;
`exchange_code` turns it into Tokens (GET {auth_url}/api/v2/token/get); `authorized_shops` lists the shops and
their ciphers. Access tokens last about 7 days; `TokenRefresher` refreshes them when the client meets 105002.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from feedbridge.errors import DataError
from feedbridge.http.redaction import register_secret
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import TikTokAuthError, TikTokError, error_for
from feedbridge.tiktok.mappers import Shop, shop_from_payload
from feedbridge.tiktok.regions import region

DEFAULT_AUTH_URL = "https://auth.tiktok-shops.com"
STATE_TTL = timedelta(minutes=30)


# ---- state ---------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _state_mac(key: str | bytes, payload: str) -> str:
    k = key.encode() if isinstance(key, str) else key
    return _b64(hmac.new(k, payload.encode(), hashlib.sha256).digest())


@dataclass(frozen=True, slots=True)
class StateClaims:
    """What a verified `state` says: whose authorization it is, its single-use nonce, and its expiry."""

    merchant_id: str
    nonce: str
    expires_at: datetime


def make_state(
    key: str | bytes,
    merchant_id: str,
    *,
    ttl: timedelta = STATE_TTL,
    now: datetime | None = None,
    nonce: str | None = None,
) -> str:
    """A tamper-proof `state`: merchant id, nonce and expiry, signed with HMAC-SHA256 under `key`."""
    if not key:
        raise DataError("A key is needed to sign the authorization state.", field="key")
    moment = now or datetime.now(UTC)
    expiry = int((moment + ttl).timestamp())
    payload = f"{_b64(merchant_id.encode())}.{nonce or secrets.token_urlsafe(16)}.{expiry}"
    return f"{payload}.{_state_mac(key, payload)}"


def check_state(key: str | bytes, state: str, *, now: datetime | None = None) -> StateClaims:
    """Verify a returned `state`; DataError when it was altered, forged or has expired.

    The caller should also remember `nonce` and refuse it a second time (single use).
    """
    parts = (state or "").split(".")
    if len(parts) != 4:
        raise DataError("The authorization state is malformed; start the connection again.", field="state")
    merchant_b64, nonce, expiry_text, mac = parts
    payload = f"{merchant_b64}.{nonce}.{expiry_text}"
    if not hmac.compare_digest(_state_mac(key, payload), mac):
        raise DataError("The authorization state is not ours; start the connection again.", field="state")
    try:
        expires_at = datetime.fromtimestamp(int(expiry_text), UTC)
        merchant_id = _unb64(merchant_b64).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError("The authorization state is malformed; start the connection again.", field="state") from exc
    if (now or datetime.now(UTC)) > expires_at:
        raise DataError("The authorization link expired; start the connection again.", field="state")
    return StateClaims(merchant_id=merchant_id, nonce=nonce, expires_at=expires_at)


def authorization_url(service_id: str, state: str, *, region_code: str = "GB", host: str | None = None) -> str:
    """The link a merchant opens to authorize the app for their shop (US has its own host)."""
    if not service_id:
        raise DataError("FEEDBRIDGE_TIKTOK_SERVICE_ID is not set; copy it from TikTok Partner Center.", field="service_id")
    base = (host or region(region_code).authorize_host).rstrip("/")
    return f"{base}/open/authorize?{urlencode({'service_id': service_id, 'state': state})}"


@dataclass(frozen=True, slots=True)
class Callback:
    """The verified result of TikTok's redirect back to us."""

    auth_code: str
    claims: StateClaims | None  # None only for App Store installs, which arrive without a state


def parse_callback(
    query: Mapping[str, str], key: str | bytes, *, now: datetime | None = None, allow_missing_state: bool = False
) -> Callback:
    """Check the redirect's `state` and return the one-time `code` (valid 30 minutes)."""
    code = (query.get("code") or "").strip()
    if query.get("error") or not code or code == "null":
        reason = query.get("error") or "no authorization code"
        raise TikTokAuthError(
            f"The shop was not connected: {reason}.",
            action="Open the connection link again and approve feedbridge in TikTok Shop.",
        )
    state = query.get("state")
    if not state:
        if not allow_missing_state:
            raise DataError("The authorization answer has no state; start the connection again.", field="state")
        return Callback(auth_code=code, claims=None)
    return Callback(auth_code=code, claims=check_state(key, state, now=now))


# ---- tokens --------------------------------------------------------------------------------------------


def _expiry(value: Any, now: float) -> datetime:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"TikTok returned an expiry that is not a number: {value!r}.", field="expire_in") from exc
    # TikTok sends Unix timestamps; a small number can only be a lifetime in seconds.
    if number < 1_000_000_000:
        number += int(now)
    return datetime.fromtimestamp(number, UTC)


def _as_int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class Tokens:
    """A seller's tokens; expiries are UTC datetimes (TikTok sends Unix timestamps)."""

    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    user_type: int = 0
    granted_scopes: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_payload(cls, data: Mapping[str, Any], *, now: float | None = None) -> Tokens:
        """Build from the `data` of token/get or token/refresh."""
        moment = time.time() if now is None else now
        access = str(data.get("access_token") or "")
        refresh = str(data.get("refresh_token") or "")
        if not access or not refresh:
            raise DataError("TikTok's token answer has no access or refresh token.", field="access_token")
        return cls(
            access_token=access,
            access_token_expires_at=_expiry(data.get("access_token_expire_in"), moment),
            refresh_token=refresh,
            refresh_token_expires_at=_expiry(data.get("refresh_token_expire_in"), moment),
            open_id=str(data.get("open_id") or ""),
            seller_name=str(data.get("seller_name") or ""),
            seller_base_region=str(data.get("seller_base_region") or ""),
            user_type=_as_int(data.get("user_type")),
            granted_scopes=tuple(str(s) for s in data.get("granted_scopes") or ()),
        )

    def access_expires_within(self, margin: timedelta, *, now: datetime | None = None) -> bool:
        """True when the access token expires within `margin` (refresh ahead of time)."""
        return (now or datetime.now(UTC)) + margin >= self.access_token_expires_at


async def _token_call(
    auth_url: str, path: str, params: Mapping[str, str], http: httpx.AsyncClient | None, timeout: float
) -> Tokens:
    url = f"{(auth_url or DEFAULT_AUTH_URL).rstrip('/')}{path}"
    owned = http is None
    client = http or httpx.AsyncClient(timeout=timeout)
    try:
        response = await client.get(url, params=dict(params))
    except httpx.HTTPError as exc:
        raise error_for(None, f"TikTok's authorization server did not answer: {type(exc).__name__}.", status=503) from exc
    finally:
        if owned:
            await client.aclose()
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        raise error_for(None, f"TikTok answered HTTP {response.status_code} without a JSON body.", status=response.status_code)
    code = envelope.get("code")
    if code != 0 or not response.is_success:
        request_id = envelope.get("request_id")
        message = str(envelope.get("message") or "token request failed")
        try:
            numeric = int(code) if code is not None else None
        except (TypeError, ValueError):
            numeric = None
        error: TikTokError = error_for(numeric, message, request_id=request_id, status=response.status_code)
        if type(error) is TikTokError and response.status_code < 500:
            # A refused code or refresh token always means the merchant must authorize again.
            error = TikTokAuthError(
                message,
                code=numeric,
                request_id=str(request_id) if request_id else None,
                status=response.status_code,
                action="Reconnect the TikTok shop in feedbridge.",
            )
        raise error
    tokens = Tokens.from_payload(envelope.get("data") or {})
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    return tokens


async def exchange_code(
    auth_url: str,
    app_key: str,
    app_secret: str,
    auth_code: str,
    *,
    http: httpx.AsyncClient | None = None,
    timeout: float = 30.0,
) -> Tokens:
    """Trade the redirect's one-time code for tokens (GET /api/v2/token/get)."""
    register_secret(app_secret)
    params = {"app_key": app_key, "app_secret": app_secret, "auth_code": auth_code, "grant_type": "authorized_code"}
    return await _token_call(auth_url, "/api/v2/token/get", params, http, timeout)


async def refresh_tokens(
    auth_url: str,
    app_key: str,
    app_secret: str,
    refresh_token: str,
    *,
    http: httpx.AsyncClient | None = None,
    timeout: float = 30.0,
) -> Tokens:
    """Get a new access token (and refresh token) with the current refresh token (GET /api/v2/token/refresh)."""
    register_secret(app_secret)
    params = {
        "app_key": app_key,
        "app_secret": app_secret,
        "refresh_token": refresh_token,
        "grant_type": "refresh_token",
    }
    return await _token_call(auth_url, "/api/v2/token/refresh", params, http, timeout)


class TokenRefresher:
    """A TokenProvider for TikTokClient: refreshes through the auth server and hands new tokens to `on_refresh`.

    Concurrent 105002 answers share one refresh: a refresh finished within `reuse_seconds` is reused.
    """

    def __init__(
        self,
        auth_url: str,
        app_key: str,
        app_secret: str,
        tokens: Tokens,
        *,
        on_refresh: Callable[[Tokens], Awaitable[None]] | None = None,
        http: httpx.AsyncClient | None = None,
        reuse_seconds: float = 10.0,
    ) -> None:
        self.auth_url = auth_url
        self.app_key = app_key
        self._app_secret = app_secret
        self.tokens = tokens
        self._on_refresh = on_refresh
        self._http = http
        self._reuse_seconds = reuse_seconds
        self._refreshed_at: float | None = None
        self._lock = asyncio.Lock()
        register_secret(app_secret)

    async def refresh(self) -> str:
        """Refresh (or reuse a refresh that just happened) and return the new access token."""
        async with self._lock:
            if self._refreshed_at is not None and time.monotonic() - self._refreshed_at < self._reuse_seconds:
                return self.tokens.access_token
            tokens = await refresh_tokens(
                self.auth_url, self.app_key, self._app_secret, self.tokens.refresh_token, http=self._http
            )
            self.tokens = tokens
            self._refreshed_at = time.monotonic()
            if self._on_refresh is not None:
                await self._on_refresh(tokens)
            return tokens.access_token


async def authorized_shops(client: TikTokClient) -> list[Shop]:
    """The shops the client's token covers, each with the `cipher` shop-scoped calls need."""
    return [shop_from_payload(item) for item in await client.get_authorized_shops()]
