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
    max_throttle_wait: float = 0.0,
) -> httpx.Response:
    """Call `send` until it answers with something other than a transient failure.

    Timeouts, 5xx and 429s are tried `attempts` times, a 429 after the wait it asks for. With
    `max_throttle_wait` set, a 429 that says how long to wait (Retry-After, X-Rate-Limit-Time-Reset-Ms) is
    retried for as long as those waits add up to less than it, so a busy rate limit slows us down instead of
    surfacing as an error (the platform did nothing, so retrying is always safe).
    Returns the last response (the caller maps error answers to typed errors). Raises RetryableError when
    every attempt timed out or failed to connect, so the job is retried later and nothing is lost.
    """
    check = is_retryable or (lambda r: r.status_code in RETRY_STATUSES)
    last_exc: Exception | None = None
    response: httpx.Response | None = None
    failures = 0
    throttled = 0.0
    while True:
        try:
            response = await send()
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            last_exc = exc
            failures += 1
            log.info("%s request failed (%s), attempt %d/%d", platform, type(exc).__name__, failures, attempts)
            if failures >= attempts:
                break
            await asyncio.sleep(backoff(failures))
            continue
        if not check(response):
            return response
        told = response.status_code == 429 and (
            "retry-after" in response.headers or "x-rate-limit-time-reset-ms" in response.headers)
        if told and max_throttle_wait > 0:
            wait = max(0.05, retry_after_seconds(response, backoff(2)))
            if throttled + wait > max_throttle_wait:
                return response
            throttled += wait
        else:
            failures += 1
            if failures >= attempts:
                return response
            wait = (retry_after_seconds(response, backoff(failures)) if response.status_code == 429
                    else backoff(failures))
        log.info("%s answered %d, waiting %.2fs", platform, response.status_code, wait)
        await asyncio.sleep(wait)
    if response is not None:
        return response
    raise RetryableError(f"{platform} did not answer: {type(last_exc).__name__}", delay=30)
