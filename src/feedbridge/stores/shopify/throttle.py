"""Shopify's cost-based rate limit, mirrored on our side so we wait instead of being throttled.

Shopify meters the Admin GraphQL API per app and store with a leaky bucket of cost points and reports its state in
`extensions.cost.throttleStatus` on every answer. We keep a local copy, refill it at `restoreRate`, and before a
query wait until the bucket holds what that query costed last time (its requested cost).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

DEFAULT_MAXIMUM = 1000.0
DEFAULT_RESTORE_RATE = 50.0
UNKNOWN_QUERY_COST = 50


class CostBudget:
    """The local view of one connection's cost bucket."""

    def __init__(self) -> None:
        self.maximum = DEFAULT_MAXIMUM
        self.restore_rate = DEFAULT_RESTORE_RATE
        self.available = DEFAULT_MAXIMUM
        self.updated = time.monotonic()
        self.learned: dict[str, int] = {}
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def expected_cost(self, key: str) -> int:
        """The requested cost Shopify reported for this kind of call, or a guess before the first answer."""
        return min(self.learned.get(key, UNKNOWN_QUERY_COST), int(self.maximum))

    async def reserve(self, key: str, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Wait until the bucket should hold this call's cost, then count it as spent."""
        cost = self.expected_cost(key)
        async with self._lock:
            self._refill()
            if cost > self.available:
                await sleep((cost - self.available) / max(self.restore_rate, 1.0))
                self._refill()
            self.available -= cost

    def observe(self, key: str, cost: Mapping[str, Any] | None) -> None:
        """Take Shopify's reported bucket state (and this call's requested cost) as the truth."""
        if not cost:
            return
        requested = cost.get("requestedQueryCost")
        if isinstance(requested, int | float):
            self.learned[key] = int(requested)
        status = cost.get("throttleStatus") or {}
        if status:
            self.maximum = float(status.get("maximumAvailable") or self.maximum)
            self.restore_rate = float(status.get("restoreRate") or self.restore_rate)
            self.available = float(status.get("currentlyAvailable", self.available))
            self.updated = time.monotonic()

    def throttled_wait(self, cost: Mapping[str, Any] | None) -> float:
        """Seconds to wait after a THROTTLED answer before the same call can fit the bucket."""
        if not cost:
            return 1.0
        status = cost.get("throttleStatus") or {}
        requested = float(cost.get("requestedQueryCost") or UNKNOWN_QUERY_COST)
        available = float(status.get("currentlyAvailable") or 0)
        rate = float(status.get("restoreRate") or self.restore_rate) or 1.0
        return max(0.05, (requested - available) / rate)
