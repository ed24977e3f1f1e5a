"""The Magento REST client: one per store connection; signs, retries, honours 429 and maps error answers.

Error answers have Magento's shape `{"message": "...%1...", "parameters": [...]}`; the message is filled in
before it reaches a typed error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from feedbridge.errors import AuthError, PlatformError, RetryableError
from feedbridge.http.retry import backoff, retry_after_seconds
from feedbridge.http.tls import ssl_context
from feedbridge.stores.magento.auth import auth_from_credentials
from feedbridge.stores.magento.search import SearchCriteria

log = logging.getLogger(__name__)

PLATFORM = "magento"
TRANSIENT = {500, 502, 503, 504}


def error_message(body: Any, fallback: str) -> str:
    """Magento's error message with its `%1`/`%name` placeholders filled from `parameters`."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return fallback
    message: str = body["message"]
    params = body.get("parameters") or []
    if isinstance(params, list):
        for i, value in enumerate(params, start=1):
            message = message.replace(f"%{i}", str(value))
    elif isinstance(params, dict):
        for key, value in params.items():
            message = message.replace(f"%{key}", str(value))
    return message


def seg(value: str | int) -> str:
    """One URL path segment (SKUs may hold spaces or slashes)."""
    return quote(str(value), safe="")


class MagentoClient:
    """Async REST client for `{base_url}/rest/{store_code}/V1/...`."""

    def __init__(self, base_url: str, credentials: Mapping[str, Any], *, store_code: str = "default",
                 timeout: float = 30.0, attempts: int = 5, max_rate_wait: float = 120.0,
                 event_hooks: Mapping[str, list[Any]] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.store_code = store_code
        self.attempts = attempts
        self.max_rate_wait = max_rate_wait
        self.http = httpx.AsyncClient(
            auth=auth_from_credentials(credentials), timeout=timeout, verify=ssl_context(),
            headers={"Accept": "application/json"}, event_hooks=dict(event_hooks or {}),
        )

    def url(self, path: str, store_code: str | None = None) -> str:
        return f"{self.base_url}/rest/{store_code or self.store_code}{path}"

    async def request(self, method: str, path: str, *, params: Sequence[tuple[str, str]] | None = None,
                      json: Any = None, store_code: str | None = None, allow_404: bool = False) -> Any:
        """Send one request; returns the decoded JSON (None for a 404 when `allow_404`).

        Timeouts and 5xx are retried with backoff; 429 waits as long as Retry-After says, up to
        `max_rate_wait` seconds in all, because a rate limit is a reason to slow down, not to fail.
        """
        url = self.url(path, store_code)
        transient = 0
        waited = 0.0
        while True:
            try:
                response = await self.http.request(method, url, params=list(params or []), json=json)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                transient += 1
                if transient >= self.attempts or method != "GET":
                    # A write that timed out may have happened: the caller looks before trying again.
                    raise RetryableError(f"Magento did not answer {method} {path}: {type(exc).__name__}",
                                         delay=30) from exc
                await asyncio.sleep(backoff(transient))
                continue
            status = response.status_code
            if status == 429 and waited < self.max_rate_wait:
                wait = retry_after_seconds(response, 1.0)
                waited += wait
                log.info("magento answered 429, waiting %.2fs", wait)
                await asyncio.sleep(wait)
                continue
            if status in TRANSIENT and method == "GET" and transient + 1 < self.attempts:
                transient += 1
                await asyncio.sleep(backoff(transient))
                continue
            return self._result(response, method, path, allow_404)

    def _result(self, response: httpx.Response, method: str, path: str, allow_404: bool) -> Any:
        status = response.status_code
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if 200 <= status < 300:
            return body
        message = error_message(body, response.text[:200] or f"HTTP {status}")
        if status == 404 and allow_404:
            return None
        if status == 401:
            raise AuthError(message, platform=PLATFORM, code=status, status=status,
                            action="Reconnect the store: re-activate the integration in Magento Admin "
                                   "(System > Extensions > Integrations) and enter the new tokens.")
        if status == 403:
            raise AuthError(message, platform=PLATFORM, code=status, status=status,
                            action="Grant the feedbridge integration the resources listed in the Magento guide.")
        if status == 429 or status in TRANSIENT:
            raise RetryableError(f"Magento answered {status} to {method} {path}: {message}",
                                 delay=retry_after_seconds(response, 30.0))
        raise PlatformError(message, platform=PLATFORM, code=status, status=status)

    async def get(self, path: str, params: Sequence[tuple[str, str]] | None = None, **kw: Any) -> Any:
        return await self.request("GET", path, params=params, **kw)

    async def post(self, path: str, json: Any, **kw: Any) -> Any:
        return await self.request("POST", path, json=json, **kw)

    async def put(self, path: str, json: Any, **kw: Any) -> Any:
        return await self.request("PUT", path, json=json, **kw)

    async def search(self, path: str, criteria: SearchCriteria) -> dict[str, Any]:
        """One page of a getList endpoint: `{items, search_criteria, total_count}`."""
        body = await self.get(path, criteria.params())
        if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
            raise PlatformError(f"unexpected search answer from {path}", platform=PLATFORM)
        body.setdefault("items", [])
        return body

    async def search_pages(self, path: str, criteria: SearchCriteria, page_size: int = 100
                           ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a search, following `total_count` (Magento repeats the last page past the end)."""
        criteria.page_size = page_size
        page = 1
        seen = 0
        while True:
            criteria.current_page = page
            body = await self.search(path, criteria)
            items = body["items"]
            total = int(body.get("total_count") or 0)
            if items:
                yield items
            seen += len(items)
            if not items or seen >= total:
                return
            page += 1

    async def aclose(self) -> None:
        await self.http.aclose()
