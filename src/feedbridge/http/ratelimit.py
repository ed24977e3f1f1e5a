"""In-process rate limiting per (connection, API): a token bucket shared by one process's tasks, and
process-wide budgets shared by every client of one remote account (process_budget)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Protocol


class TokenBucket:
    """Allows `rate` acquisitions per second with bursts up to `burst`; `acquire` waits for a token."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else rate
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def acquire(self, amount: float = 1.0) -> None:
        """Wait until `amount` tokens are available, then take them."""
        async with self._lock:
            while True:
                self._refill()
                if self.tokens >= amount:
                    self.tokens -= amount
                    return
                await asyncio.sleep((amount - self.tokens) / self.rate)


class Limiter(Protocol):
    """Paces requests per key (e.g. one API of one shop); `acquire` returns when a request may be sent."""

    async def acquire(self, key: str) -> None:
        """Wait for this key's next free slot."""
        ...


class SharedBucket:
    """A token bucket shared by every thread and event loop of a process (each job runs its own loop, so an
    asyncio.Lock cannot be shared): a caller reserves its token under a thread lock, then sleeps outside it
    until its turn. Tokens may go negative; that is the queue of callers already promised a slot."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else rate
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self, amount: float = 1.0) -> float:
        """Take `amount` tokens now; returns how many seconds the caller must wait before using them."""
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= amount
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def acquire(self, amount: float = 1.0) -> None:
        """Wait for this caller's turn."""
        wait = self.reserve(amount)
        if wait > 0:
            await asyncio.sleep(wait)


class SharedBucketSet:
    """One SharedBucket per key (e.g. API path group), created on first use; safe across threads."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, SharedBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, key: str) -> SharedBucket:
        with self._lock:
            if key not in self._buckets:
                self._buckets[key] = SharedBucket(self.rate, self.burst)
            return self._buckets[key]

    async def acquire(self, key: str) -> None:
        """Wait for this key's next free slot (so a SharedBucketSet is a `Limiter`)."""
        await self.bucket(key).acquire()


_PROCESS_BUDGETS: dict[tuple[str, float, float | None], SharedBucketSet] = {}
_PROCESS_BUDGETS_LOCK = threading.Lock()


def process_budget(scope: str, rate: float, burst: float | None = None) -> SharedBucketSet:
    """The buckets every client of one remote budget (e.g. one TikTok shop on one API host) shares in this
    process, so jobs running side by side together stay within it instead of each spending it."""
    key = (scope, rate, burst)
    with _PROCESS_BUDGETS_LOCK:
        if key not in _PROCESS_BUDGETS:
            _PROCESS_BUDGETS[key] = SharedBucketSet(rate, burst)
        return _PROCESS_BUDGETS[key]
