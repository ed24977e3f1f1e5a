"""Rate limits as the real platforms enforce them: a fixed one-second window per key by default."""

from __future__ import annotations

import threading
import time


class WindowLimiter:
    """Allows `limit` hits per `window` seconds per key; `hit` says whether this one is allowed."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            start, count = self._hits.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                self._hits[key] = (start, count)
                return False
            self._hits[key] = (start, count + 1)
            return True

    def remaining(self, key: str) -> tuple[int, float]:
        """(hits left in this window, seconds until it resets)."""
        now = time.monotonic()
        with self._lock:
            start, count = self._hits.get(key, (now, 0))
            if now - start >= self.window:
                return self.limit, self.window
            return self.limit - count, self.window - (now - start)
