"""The Shopify Admin GraphQL client for one store connection.

Every call is `POST {base_url}/admin/api/2026-04/graphql.json` with `X-Shopify-Access-Token`. Queries are
retried on 429/5xx/timeouts and THROTTLED answers; mutations only when Shopify certainly did not run them
(THROTTLED, 429, connection refused) because a retried create could act twice. Expiring offline tokens are
refreshed once on a 401 when a refresh token is configured.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from feedbridge.errors import AuthError, ConfigError, DataError, PlatformError, RetryableError
from feedbridge.http.redaction import register_secret
from feedbridge.http.retry import backoff, retry_after_seconds
from feedbridge.http.tls import ssl_context
from feedbridge.stores.shopify.documents import API_VERSION
from feedbridge.stores.shopify.throttle import CostBudget

log = logging.getLogger(__name__)

PLATFORM = "Shopify"
_OPERATION = re.compile(r"\b(query|mutation)\s+(\w+)")


class QueryTooCostly(PlatformError):
    """Shopify refused a query whose cost exceeds the single-query limit (MAX_COST_EXCEEDED)."""

    def __init__(self, message: str, *, cost: int, max_cost: int) -> None:
        super().__init__(message, platform=PLATFORM, code="MAX_COST_EXCEEDED")
        self.cost = cost
        self.max_cost = max_cost


TokenRefresher = Callable[[], Awaitable[str]]


class ShopifyClient:
    """Sends GraphQL documents for one store; returns `data` or raises a typed error."""

    def __init__(self, base_url: str, access_token: str, *, timeout: float = 30.0, attempts: int = 6,
                 refresher: TokenRefresher | None = None, http: httpx.AsyncClient | None = None,
                 max_throttle_wait: float = 120.0) -> None:
        if not access_token:
            raise ConfigError("The Shopify connection has no access token.",
                              action="Reconnect the store from the Connections page.")
        register_secret(access_token)
        self.url = f"{base_url.rstrip('/')}/admin/api/{API_VERSION}/graphql.json"
        self.access_token = access_token
        self.attempts = attempts
        self.max_throttle_wait = max_throttle_wait
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.refresher = refresher
        self.budget = CostBudget()
        self.http = http or httpx.AsyncClient(timeout=timeout, verify=ssl_context())

    async def aclose(self) -> None:
        await self.http.aclose()

    async def query(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a query document; retried on transient failures."""
        return await self._call(document, variables, mutation=False)

    async def mutate(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a mutation document; never re-sent when Shopify may already have acted on it."""
        return await self._call(document, variables, mutation=True)

    def _cost_key(self, document: str, variables: Mapping[str, Any] | None) -> str:
        match = _OPERATION.search(document)
        name = match.group(2) if match else "anonymous"
        sizes = ",".join(f"{k}={v}" for k, v in sorted((variables or {}).items()) if isinstance(v, int))
        return f"{name}({sizes})"

    async def _call(self, document: str, variables: Mapping[str, Any] | None, *, mutation: bool) -> dict[str, Any]:
        key = self._cost_key(document, variables)
        refreshed = False
        throttled_for = 0.0
        attempt = 0
        while attempt < self.attempts:
            attempt += 1
            last = attempt == self.attempts
            await self.budget.reserve(key, self.sleep)
            try:
                response = await self.http.post(
                    self.url, json={"query": document, "variables": dict(variables or {})},
                    headers={"X-Shopify-Access-Token": self.access_token, "Accept": "application/json"})
            except httpx.ConnectError as exc:
                # Nothing reached Shopify: safe to send again, even a mutation.
                if last:
                    raise RetryableError(f"{PLATFORM} could not be reached ({type(exc).__name__}).", delay=30) from exc
                await self.sleep(backoff(attempt))
                continue
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if mutation or last:
                    raise RetryableError(f"{PLATFORM} did not answer in time ({type(exc).__name__}); the change "
                                         "will be checked and retried.", delay=30) from exc
                await self.sleep(backoff(attempt))
                continue
            status = response.status_code
            if status == 401:
                if self.refresher is not None and not refreshed:
                    self.access_token = await self.refresher()
                    register_secret(self.access_token)
                    refreshed = True
                    continue
                raise AuthError("Shopify refused the access token.", platform=PLATFORM, status=401,
                                request_id=response.headers.get("x-request-id"),
                                action="Reconnect the store: the app was uninstalled or its token revoked.")
            if status in (402, 423):
                raise ConfigError(f"The Shopify store is unavailable (HTTP {status}: frozen or locked).",
                                  action="Check the store's plan and billing in Shopify.")
            if status == 404:
                raise ConfigError("Shopify answered 404 for the Admin API.",
                                  action="Check the store address (https://<shop>.myshopify.com).")
            if status == 429 or status >= 500:
                if status >= 500 and mutation:
                    raise RetryableError(f"{PLATFORM} answered HTTP {status}; the change will be checked and "
                                         "retried.", delay=30)
                if last:
                    raise RetryableError(f"{PLATFORM} answered HTTP {status} {self.attempts} times.", delay=60)
                wait = retry_after_seconds(response, 1.0) if status == 429 else backoff(attempt)
                await self.sleep(wait)
                continue
            try:
                body: dict[str, Any] = response.json()
            except ValueError as exc:
                raise PlatformError(f"answered HTTP {status} with a body that is not JSON", platform=PLATFORM,
                                    status=status, request_id=response.headers.get("x-request-id")) from exc
            if status >= 400:
                raise PlatformError(str(body.get("errors") or body), platform=PLATFORM, status=status,
                                    request_id=response.headers.get("x-request-id"))
            cost = (body.get("extensions") or {}).get("cost")
            self.budget.observe(key, cost)
            errors = body.get("errors") or []
            codes = {str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)}
            if "THROTTLED" in codes:
                # Throttled calls did not run: waiting and sending again is always safe, and does not use up
                # an attempt; only the total time spent waiting is bounded.
                wait = self.budget.throttled_wait(cost) + random.uniform(0, 0.1)
                if throttled_for + wait > self.max_throttle_wait:
                    raise RetryableError(f"{PLATFORM} kept throttling this call.", delay=wait)
                throttled_for += wait
                attempt -= 1
                log.info("Shopify throttled %s; waiting %.2fs", key, wait)
                await self.sleep(wait)
                continue
            if errors:
                raise self._error(errors, response)
            data: dict[str, Any] = body.get("data") or {}
            return data
        raise RetryableError(f"{PLATFORM} call did not succeed after {self.attempts} attempts.", delay=60)

    def _error(self, errors: list[Any], response: httpx.Response) -> Exception:
        first: dict[str, Any] = errors[0] if isinstance(errors[0], dict) else {"message": str(errors[0])}
        extensions = first.get("extensions") or {}
        code = extensions.get("code")
        message = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        request_id = response.headers.get("x-request-id")
        if code == "MAX_COST_EXCEEDED":
            return QueryTooCostly(message, cost=int(extensions.get("cost") or 0),
                                  max_cost=int(extensions.get("maxCost") or 1000))
        if code == "ACCESS_DENIED":
            return ConfigError(f"Shopify denied access: {message}",
                               action="Reinstall the app with the scopes listed in the Shopify setup guide.")
        return PlatformError(message, platform=PLATFORM, code=code, request_id=request_id, status=200)


def raise_user_errors(payload: Mapping[str, Any] | None, *, what: str, key: str = "userErrors") -> None:
    """Turn a mutation payload's userErrors into a DataError naming the field Shopify complained about."""
    errors = list((payload or {}).get(key) or [])
    if not errors:
        return
    first = errors[0]
    field = ".".join(first.get("field") or []) or None
    messages = "; ".join(str(e.get("message")) for e in errors)
    raise DataError(f"Shopify refused to {what}: {messages}", field=field)
