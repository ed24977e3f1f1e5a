"""Sending with retries: timeouts and 5xx back off; 429 waits as long as Retry-After says."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

import httpx

from feedbridge.errors import RetryableError

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}


def retry_after_seconds(response: httpx.Response, default: float) -> float:
    """Seconds to wait from a Retry-After (or X-Rate-Limit-Time-Reset-Ms) header, else `default`."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    reset_ms = response.headers.get("x-rate-limit-time-reset-ms")
    if reset_ms and reset_ms.isdigit():
        return int(reset_ms) / 1000.0
    return default


def backoff(attempt: int, base: float = 0.25, cap: float = 8.0) -> float:
    """Exponential backoff with full jitter for attempt 1, 2, 3…"""
    return random.uniform(0, min(cap, base * (2 ** (attempt - 1))))


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    platform: str,
    attempts: int = 5,
    is_retryable: Callable[[httpx.Response], bool] | None = None,
) -> httpx.Response:
    """Call `send` until it answers with something other than a transient failure.

    Returns the last response (the caller maps error answers to typed errors). Raises RetryableError when
    every attempt timed out or failed to connect, so the job is retried later and nothing is lost.
    """
    check = is_retryable or (lambda r: r.status_code in RETRY_STATUSES)
    last_exc: Exception | None = None
    response: httpx.Response | None = None
    for attempt in range(1, attempts + 1):
        try:
            response = await send()
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            last_exc = exc
            log.info("%s request failed (%s), attempt %d/%d", platform, type(exc).__name__, attempt, attempts)
            if attempt < attempts:
                await asyncio.sleep(backoff(attempt))
            continue
        if not check(response) or attempt == attempts:
            return response
        wait = retry_after_seconds(response, backoff(attempt)) if response.status_code == 429 else backoff(attempt)
        log.info("%s answered %d, waiting %.2fs (attempt %d/%d)", platform, response.status_code, wait, attempt, attempts)
        await asyncio.sleep(wait)
    if response is not None:
        return response
    raise RetryableError(f"{platform} did not answer: {type(last_exc).__name__}", delay=30)
