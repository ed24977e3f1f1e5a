"""HTTP client for one WooCommerce store: wc/v3 and the Shipment Tracking extension, signed per request.

Errors become typed: 401/403 → AuthError (reconnect), 429/5xx/timeouts → RetryableError, other 4xx → PlatformError
with WooCommerce's `code` and `message`. Creates that are not idempotent (orders, notes, trackings, webhooks) are
sent once, retried only on 429 (the store did not act), so a timeout never creates twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from feedbridge.errors import AuthError, ConfigError, PlatformError, RetryableError
from feedbridge.http.ratelimit import TokenBucket
from feedbridge.http.redaction import register_secret
from feedbridge.http.retry import RETRY_STATUSES, retry_after_seconds, send_with_retries
from feedbridge.http.tls import ssl_context
from feedbridge.stores.woocommerce.auth import AuthMode, basic_header, choose_mode, oauth_params

log = logging.getLogger(__name__)

PLATFORM = "WooCommerce"
WC_API = "wc/v3"
TRACKING_API = "wc-shipment-tracking/v3"
MAX_PER_PAGE = 100


class NotFound(PlatformError):
    """The store answered 404 for this resource or route."""


class WooClient:
    """One store connection's REST client (no shared state between connections)."""

    def __init__(self, base_url: str, consumer_key: str, consumer_secret: str, *, auth_mode: str | None = None,
                 signature_method: str = "HMAC-SHA256", timeout: float = 30.0, attempts: int = 8,
                 requests_per_second: float | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{base_url!r} is not a store address.", action="Enter the store's full https:// address.")
        if not consumer_key or not consumer_secret:
            raise ConfigError("The WooCommerce REST API key is missing.",
                              action="Create a key under WooCommerce > Settings > Advanced > REST API and paste both parts.")
        self.base_url = base_url.strip().rstrip("/")
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        register_secret(consumer_key)
        register_secret(consumer_secret)
        self.mode = choose_mode(self.base_url, auth_mode)
        self.signature_method = signature_method
        self.attempts = attempts
        self.bucket = TokenBucket(requests_per_second) if requests_per_second else None
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport, verify=ssl_context(),
                                      headers={"Accept": "application/json", "User-Agent": "feedbridge/0.1"})

    def url(self, path: str, api: str = WC_API) -> str:
        """The full URL of a path in an API namespace ('' = the WordPress index)."""
        return f"{self.base_url}/wp-json/{api}/{path.lstrip('/')}" if api else f"{self.base_url}/wp-json/{path}"

    def _build(self, method: str, url: str, params: Mapping[str, Any] | None, body: Any) -> httpx.Request:
        query = {k: _param(v) for k, v in (params or {}).items()}
        headers = {}
        if self.mode is AuthMode.BASIC:
            headers["Authorization"] = basic_header(self.consumer_key, self.consumer_secret)
        elif self.mode is AuthMode.QUERY:
            query.update(consumer_key=self.consumer_key, consumer_secret=self.consumer_secret)
        else:
            # A fresh timestamp and nonce per attempt: WooCommerce refuses a nonce it has seen.
            query = oauth_params(method, url, query, self.consumer_key, self.consumer_secret,
                                 signature_method=self.signature_method)
        return self.http.build_request(method, url, params=query, json=body, headers=headers)

    async def send(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                   api: str = WC_API, idempotent: bool | None = None) -> httpx.Response:
        """Send with retries and return the response; error answers are raised as typed errors."""
        url = self.url(path, api)
        safe = idempotent if idempotent is not None else method in ("GET", "PUT", "DELETE", "HEAD")

        async def attempt() -> httpx.Response:
            """One signed attempt."""
            if self.bucket:
                await self.bucket.acquire()
            return await self.http.send(self._build(method, url, params, json))

        if safe:
            response = await send_with_retries(attempt, platform=PLATFORM, attempts=self.attempts,
                                                max_throttle_wait=120.0)
        else:
            response = await self._send_once(attempt)
        self.raise_for(response, method, path)
        return response

    async def _send_once(self, attempt: Any) -> httpx.Response:
        """Send a non-idempotent request: retried only when the store answered 429 (it did nothing)."""
        for number in range(1, self.attempts + 1):
            try:
                response: httpx.Response = await attempt()
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise RetryableError(f"{PLATFORM} did not answer ({type(exc).__name__}); it may have acted, "
                                     "so feedbridge looks before trying again.", delay=30) from exc
            if response.status_code != 429 or number == self.attempts:
                return response
            await asyncio.sleep(retry_after_seconds(response, 1.0))
        raise AssertionError("unreachable")

    def raise_for(self, response: httpx.Response, method: str, path: str) -> None:
        """Turn an error answer into a typed error."""
        status = response.status_code
        if status < 400:
            return
        code, message = _error_fields(response)
        if status in (401, 403):
            raise AuthError(message or "The store refused the REST API key.", platform=PLATFORM, code=code,
                            status=status, action="Create a new REST API key with Read/Write permission and reconnect.")
        if status in RETRY_STATUSES:
            delay = retry_after_seconds(response, 30.0)
            raise RetryableError(f"{PLATFORM} answered {status} to {method} {path}: {message}", delay=delay)
        if status == 404:
            raise NotFound(message or "Not found.", platform=PLATFORM, code=code, status=status)
        raise PlatformError(message or f"HTTP {status}", platform=PLATFORM, code=code, status=status)

    async def get(self, path: str, params: Mapping[str, Any] | None = None, *, api: str = WC_API) -> Any:
        """GET and decode JSON."""
        return (await self.send("GET", path, params=params, api=api)).json()

    async def post(self, path: str, body: Any, *, api: str = WC_API) -> Any:
        """POST JSON and decode the answer."""
        return (await self.send("POST", path, json=body, api=api)).json()

    async def put(self, path: str, body: Any, *, api: str = WC_API) -> Any:
        """PUT JSON and decode the answer."""
        return (await self.send("PUT", path, json=body, api=api)).json()

    async def pages(self, path: str, params: Mapping[str, Any] | None = None, *,
                    per_page: int = MAX_PER_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a collection, following X-WP-TotalPages."""
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        page = 1
        while True:
            response = await self.send("GET", path, params={**(params or {}), "per_page": per_page, "page": page})
            items = response.json()
            if not isinstance(items, list):
                raise PlatformError(f"expected a list from {path}", platform=PLATFORM, status=response.status_code)
            if items:
                yield items
            total_pages = response.headers.get("x-wp-totalpages")
            last = int(total_pages) if total_pages and total_pages.isdigit() else (page if len(items) < per_page else page + 1)
            if page >= last or not items:
                return
            page += 1

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def _error_fields(response: httpx.Response) -> tuple[str | None, str]:
    try:
        data = response.json()
    except ValueError:
        return None, response.text[:200]
    if isinstance(data, dict):
        return data.get("code"), str(data.get("message") or "")
    return None, str(data)[:200]
