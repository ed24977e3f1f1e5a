"""HTTP client for one BigCommerce store: `X-Auth-Token`, the store's 30-second quota, retries, typed errors.

BigCommerce meters one request quota per store per window (150 per 30 s on Standard/Plus) and reports it on
every answer in `X-Rate-Limit-Requests-Left`, `X-Rate-Limit-Time-Reset-Ms`, `X-Rate-Limit-Requests-Quota` and
`X-Rate-Limit-Time-Window-Ms`. The client pauses before the quota runs out and, on a 429, waits the reset time
it was given. Non-idempotent POSTs are never re-sent after a 5xx or a timeout: the store may have acted, so the
error goes back to the caller, whose own look-up (e.g. an order's external id) decides what to do.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from feedbridge.errors import AuthError, PlatformError, RetryableError
from feedbridge.http.redaction import register_secret
from feedbridge.http.retry import backoff
from feedbridge.http.tls import ssl_context

log = logging.getLogger(__name__)

PLATFORM = "bigcommerce"
MAX_PAGE = 250

Sleep = Callable[[float], Awaitable[None]]


class RateLimitState:
    """What the store last said about its quota; shared by every request of one connection."""

    def __init__(self, reserve: int, sleep: Sleep = asyncio.sleep) -> None:
        self.reserve = reserve
        self.sleep = sleep
        self.left: int | None = None
        self.quota: int | None = None
        self.reset_at = 0.0
        self.window_ms: int | None = None
        self._lock = asyncio.Lock()

    async def before_request(self) -> None:
        """Wait for the window to reset when the requests left are down to the reserve."""
        async with self._lock:
            now = time.monotonic()
            if self.left is not None and self.left <= self.reserve:
                if now < self.reset_at:
                    await self.sleep(self.reset_at - now)
                # a new window: assume its full quota until the store says otherwise
                self.left = self.quota
                self.reset_at = time.monotonic() + (self.window_ms or 30_000) / 1000.0
            if self.left is not None:
                self.left -= 1  # count this request before the answer arrives, so concurrent callers see it

    def update(self, response: httpx.Response) -> None:
        """Remember the quota headers of an answer.

        Answers to concurrent requests arrive out of order, so within one window the lower count of requests
        left wins; an answer from a later window (its reset lies clearly later) replaces the count.
        """
        headers = response.headers
        quota = headers.get("x-rate-limit-requests-quota")
        if quota and quota.isdigit():
            self.quota = int(quota)
        window = headers.get("x-rate-limit-time-window-ms")
        if window and window.isdigit():
            self.window_ms = int(window)
        left = headers.get("x-rate-limit-requests-left")
        reset = headers.get("x-rate-limit-time-reset-ms")
        if left is None or not left.lstrip("-").isdigit() or reset is None or not reset.isdigit():
            return
        reported, reset_at = int(left), time.monotonic() + int(reset) / 1000.0
        window_s = (self.window_ms or 30_000) / 1000.0
        if self.left is None or reset_at > self.reset_at + window_s / 2:
            self.left = reported
        else:
            self.left = min(self.left, reported)
        self.reset_at = reset_at


def reset_seconds(response: httpx.Response, default: float = 1.0) -> float:
    """How long a 429 asks us to wait: `X-Rate-Limit-Time-Reset-Ms`, else `X-Retry-After` / `Retry-After`."""
    reset = response.headers.get("x-rate-limit-time-reset-ms")
    if reset and reset.isdigit():
        return int(reset) / 1000.0
    for name in ("x-retry-after", "retry-after"):
        value = response.headers.get(name)
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                continue
    return default


def error_message(response: httpx.Response) -> str:
    """The platform's own words from a v3 (`title`, `errors`) or v2 (`[{message}]`) error body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or f"HTTP {response.status_code}"
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return "; ".join(str(item.get("message", item)) for item in body)
    if isinstance(body, dict):
        title = str(body.get("title") or body.get("message") or f"HTTP {response.status_code}")
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            title += " (" + "; ".join(f"{k}: {v}" for k, v in errors.items()) + ")"
        return title
    return f"HTTP {response.status_code}"


class BigCommerceClient:
    """One store connection: `request` sends a call under the store's quota and maps errors to typed ones."""

    def __init__(
        self,
        base_url: str,
        store_hash: str,
        access_token: str,
        *,
        timeout: float = 30.0,
        reserve: int = 1,
        attempts: int = 4,
        max_rate_waits: int = 60,
        transport: httpx.AsyncBaseTransport | None = None,
        event_hooks: Mapping[str, list[Any]] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        register_secret(access_token)
        self.sleep = sleep
        self.prefix = f"{base_url.rstrip('/')}/stores/{store_hash}"
        self.attempts = attempts
        self.max_rate_waits = max_rate_waits
        self.rate = RateLimitState(reserve, sleep)
        self.http = httpx.AsyncClient(
            timeout=timeout, verify=ssl_context(),
            headers={"X-Auth-Token": access_token, "Accept": "application/json",
                     "User-Agent": "feedbridge"},
            transport=transport,
            event_hooks=dict(event_hooks or {}),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """Send `method path` (path starts with /v2 or /v3); None for a 404 when `missing_ok`.

        Raises AuthError (token refused), RetryableError (quota, 5xx, timeouts) or PlatformError (other errors).
        """
        idempotent = method.upper() != "POST"
        failures = 0
        rate_waits = 0
        while True:
            await self.rate.before_request()
            try:
                response = await self.http.request(method, self.prefix + path, params=params, json=json)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failures += 1
                if not idempotent or failures >= self.attempts:
                    raise RetryableError(
                        f"BigCommerce did not answer {method} {path}: {type(exc).__name__}", delay=30) from exc
                await self.sleep(backoff(failures))
                continue
            self.rate.update(response)
            status = response.status_code
            if status == 429:
                rate_waits += 1
                wait = reset_seconds(response)
                if rate_waits > self.max_rate_waits:
                    raise RetryableError("BigCommerce's request quota for this store is used up.", delay=wait)
                # a little jitter so concurrent callers do not all return on the same millisecond
                await self.sleep(wait + random.uniform(0, 0.05))
                continue
            if status >= 500:
                failures += 1
                if not idempotent or failures >= self.attempts:
                    raise RetryableError(f"BigCommerce answered {status} to {method} {path}.", delay=30)
                await self.sleep(backoff(failures))
                continue
            if status == 404 and missing_ok:
                return None
            if status in (401, 403):
                raise AuthError(error_message(response), platform=PLATFORM, status=status, code=status,
                                action="Reconnect the BigCommerce store: its API account token was refused or "
                                       "lacks a scope feedbridge needs.")
            if status >= 400:
                raise PlatformError(error_message(response), platform=PLATFORM, status=status, code=status,
                                    request_id=response.headers.get("x-request-id"))
            return response

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None, *,
                       missing_ok: bool = False) -> Any:
        """GET and decode; v2 answers 204 with no body for an empty list, which reads as []."""
        response = await self.request("GET", path, params=params, missing_ok=missing_ok)
        if response is None:
            return None
        if response.status_code == 204 or not response.content:
            return []
        return response.json()

    async def send_json(self, method: str, path: str, body: Any) -> Any:
        """POST or PUT a JSON body and decode the answer."""
        response = await self.request(method, path, json=body)
        assert response is not None
        return response.json() if response.content else None

    async def v3_pages(self, path: str, params: Mapping[str, Any] | None = None,
                       limit: int = MAX_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a v3 list, following `meta.pagination` until the last page."""
        page = 1
        while True:
            query = {**(params or {}), "page": page, "limit": min(limit, MAX_PAGE)}
            body = await self.get_json(path, query)
            data = body.get("data") or []
            yield data
            pagination = (body.get("meta") or {}).get("pagination") or {}
            total_pages = int(pagination.get("total_pages") or 0)
            if page >= total_pages or not data:
                return
            page += 1

    async def v2_pages(self, path: str, params: Mapping[str, Any] | None = None,
                       limit: int = MAX_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a v2 list (no meta: a short or empty page is the last)."""
        page = 1
        while True:
            rows = await self.get_json(path, {**(params or {}), "page": page, "limit": limit})
            if not rows:
                return
            yield rows
            if len(rows) < limit:
                return
            page += 1
