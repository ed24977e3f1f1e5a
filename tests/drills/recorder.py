"""An ASGI wrapper that records every API request a sandbox answers (arrival time, method, path, status)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestRecorder:
    """Wraps a sandbox app; control routes (/_sandbox) are not recorded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hits: list[tuple[float, str, str, int]] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        status: dict[str, int] = {}
        arrived = time.monotonic()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            with self._lock:
                self.hits.append((arrived, scope["method"], scope["path"], status.get("code", 0)))

    def clear(self) -> None:
        with self._lock:
            self.hits.clear()

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(h[3] for h in self.hits)

    def busiest_second(self, path_part: str = "") -> int:
        """The most requests (to paths containing `path_part`) in any sliding one-second window."""
        with self._lock:
            times = sorted(h[0] for h in self.hits if path_part in h[2])
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def rate(self, path_part: str = "") -> float:
        """Requests per second between the first and the last request to matching paths."""
        with self._lock:
            times = sorted(h[0] for h in self.hits if path_part in h[2])
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def summary(self) -> dict[str, Any]:
        return {"requests": len(self.hits), "statuses": dict(self.statuses())}
