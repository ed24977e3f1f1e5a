"""A request budget shared by every process: per (scope, API) key, GCRA slot reservations plus a sliding-window
admission check, both atomic Lua scripts on Redis's own clock (so workers on different machines agree).

`acquire` first reserves the key's next free slot (slots are 1/rate apart) and sleeps until it: N workers
queue up in order without polling, so many workers starting at once cause no herd and no 429 storm. Right
before sending it is admitted only if fewer than rate × window requests were admitted in the last window;
this second check catches a worker that woke late (a busy CPU) and would otherwise send in a bunch with
the requests of the next slots.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
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

# Returns 0 and records the request when the last window holds fewer than the limit; otherwise the
# microseconds until the oldest request leaves the window. KEYS[1]: the window key.
# ARGV: window (µs), limit (requests per window), member (unique id of this request).
ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.floor(tonumber(oldest[2]) + window - now) + 1
"""
WINDOW_SECONDS = 1.0

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
        self._window_limit = max(1, int(self.effective_rate * WINDOW_SECONDS))
        self._script = client.register_script(RESERVE_SLOT)
        self._admit = client.register_script(ADMIT)
        self._ids = itertools.count()
        self._owner = uuid.uuid4().hex[:12]

    def key(self, key: str) -> str:
        """The Redis key of one budget."""
        return f"{self.namespace}{self.prefix}{key}"

    def _call(self, script: Any, keys: list[str], args: list[Any]) -> float:
        try:
            return int(script(keys=keys, args=args)) / 1_000_000
        except Exception as exc:
            # Without the shared budget we cannot know what other workers send: wait rather than overrun it.
            log.warning("shared rate limit unavailable (%s); retrying later", type(exc).__name__)
            raise RetryableError("The shared request budget (Redis) did not answer.", delay=5) from exc

    def reserve(self, key: str) -> float:
        """Reserve the next slot for `key`; returns the seconds to wait for it."""
        return self._call(self._script, [self.key(key)], [self._interval_us, self._burst_us, self._ttl_ms])

    def admit(self, key: str) -> float:
        """Record a request now if the last window has room; else the seconds until it has (nothing recorded)."""
        member = f"{self._owner}:{next(self._ids)}"
        return self._call(self._admit, [self.key(key) + ":window"],
                          [int(WINDOW_SECONDS * 1_000_000), self._window_limit, member])

    async def acquire(self, key: str) -> None:
        """Wait for this key's reserved slot, then until the last window has room for one more request."""
        wait = self.reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)
        while (wait := self.admit(key)) > 0:
            await asyncio.sleep(wait)


def redis_client(url: str) -> Any:
    """A Redis client (thread-safe pool) for budgets and metrics, from a redis:// URL."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
