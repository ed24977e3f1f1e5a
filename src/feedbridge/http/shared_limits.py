"""A request budget shared by every process: one Redis key per (scope, API), paced with GCRA reservations.

Each `acquire` atomically reserves the key's next free slot in Redis (a Lua script using Redis's own clock,
so workers on different machines agree) and sleeps until that slot. Slots are at least 1/rate apart, so N
workers together send at most `rate` requests per second per key, whatever N is, and nobody polls or
retries to get a slot: no 429 storm when many workers start at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from feedbridge.errors import RetryableError

log = logging.getLogger(__name__)

# Returns microseconds to wait before the reserved slot. KEYS[1]: the budget key.
# ARGV: interval (µs between slots), burst (µs of tolerance), ttl (ms the key lives without use).
RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local start = math.max(tat, now)
redis.call('SET', KEYS[1], string.format('%.0f', start + interval), 'PX', tonumber(ARGV[3]))
local wait = tat - burst - now
if wait < 0 then wait = 0 end
return math.floor(wait)
"""

# How much of the documented budget we use: a margin for clock jitter between us and the platform's window.
DEFAULT_HEADROOM = 0.9


class RedisLimiter:
    """A `feedbridge.http.ratelimit.Limiter` whose budget is shared through Redis by every process.

    `rate` is the platform's documented requests per second for one key; `prefix` scopes the keys (e.g. one
    TikTok shop), so `acquire("product.update_price")` paces that shop's price API only.
    """

    def __init__(self, client: Any, rate: float, *, prefix: str = "", headroom: float = DEFAULT_HEADROOM,
                 burst: int = 0, namespace: str = "feedbridge:budget:") -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.client = client
        self.rate = rate
        self.effective_rate = rate * headroom
        self.prefix = prefix
        self.namespace = namespace
        self._interval_us = int(1_000_000 / self.effective_rate)
        self._burst_us = int(burst * self._interval_us)
        self._ttl_ms = max(10_000, int(60_000 / self.effective_rate))
        self._script = client.register_script(RESERVE_SLOT)

    def key(self, key: str) -> str:
        """The Redis key of one budget."""
        return f"{self.namespace}{self.prefix}{key}"

    def reserve(self, key: str) -> float:
        """Reserve the next slot for `key`; returns the seconds to wait for it."""
        try:
            micros = self._script(keys=[self.key(key)], args=[self._interval_us, self._burst_us, self._ttl_ms])
        except Exception as exc:
            # Without the shared budget we cannot know what other workers send: wait rather than overrun it.
            log.warning("shared rate limit unavailable (%s); retrying later", type(exc).__name__)
            raise RetryableError("The shared request budget (Redis) did not answer.", delay=5) from exc
        return int(micros) / 1_000_000

    async def acquire(self, key: str) -> None:
        """Wait for this key's reserved slot."""
        wait = self.reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)


def redis_client(url: str) -> Any:
    """A Redis client (thread-safe pool) for budgets and metrics, from a redis:// URL."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
