"""A clock a test can move forward, so review delays and on-hold windows pass without waiting."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Wall time plus an offset that the control API can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the sandbox sees it."""
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> None:
        self.offset += seconds
