"""In-process rate limiting per (connection, API): a token bucket shared by one process's tasks."""

from __future__ import annotations

import asyncio
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


class BucketSet:
    """One TokenBucket per key (e.g. API path group), created on first use."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, key: str) -> TokenBucket:
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(self.rate, self.burst)
        return self._buckets[key]


class Limiter(Protocol):
    """Paces requests per key (e.g. one API of one shop); `acquire` returns when a request may be sent."""

    async def acquire(self, key: str) -> None:
        """Wait for this key's next free slot."""
        ...


class LocalLimiter(BucketSet):
    """A `Limiter` for one process: one token bucket per key."""

    async def acquire(self, key: str) -> None:
        """Wait for a token of this key's bucket."""
        await self.bucket(key).acquire()
