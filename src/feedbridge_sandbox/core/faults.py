"""Fault injection on demand: 5xx answers, slow answers, timeouts after acting, dropped or duplicated webhooks.

A fault matches requests by method and a path substring and fires `count` times (or forever with -1).
Kinds:
  status    answer with `status` instead of handling the request
  delay     sleep `seconds`, then handle normally
  after     handle the request (the effect happens), then answer with `status` (a timeout-after-acting drill
            uses status 504 or a delay longer than the client's timeout)
  drop_webhook / duplicate_webhook   applied by the webhook sender to matching topics
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass
class Fault:
    kind: str
    path: str = ""
    method: str = ""
    status: int = 500
    seconds: float = 0.0
    count: int = 1
    topic: str = ""
    fired: int = 0
    body: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method.upper() == method.upper()) and self.path in path


class FaultInjector:
    """Holds the active faults; thread-safe because the control API and the app share it."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, kinds: tuple[str, ...], method: str = "", path: str = "", topic: str = "") -> Fault | None:
        """The first matching active fault of one of `kinds`, counted as fired; None if there is none."""
        with self._lock:
            for fault in self._faults:
                if fault.kind not in kinds:
                    continue
                if topic and fault.topic and fault.topic != topic:
                    continue
                if not topic and not fault.matches(method, path):
                    continue
                fault.fired += 1
                if fault.count != -1 and fault.fired >= fault.count:
                    self._faults.remove(fault)
                return fault
        return None

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [vars(f).copy() for f in self._faults]


class FaultMiddleware:
    """ASGI middleware applying status / delay / after faults to API paths (never to /_sandbox)."""

    def __init__(self, app: ASGIApp, faults: FaultInjector, error_body: Any = None) -> None:
        self.app = app
        self.faults = faults
        self.error_body = error_body or (lambda status: {"error": f"injected fault {status}"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        fault = self.faults.take(("status", "delay", "after"), method, path)
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            await self.app(scope, receive, send)
            return
        if fault.kind == "after":
            async def discard(message: Any) -> None:
                return None

            await self.app(scope, receive, discard)
            if fault.seconds:
                await asyncio.sleep(fault.seconds)
        response: Response = JSONResponse(self.error_body(fault.status), status_code=fault.status)
        await response(scope, receive, send)


async def read_fault(request: Request) -> Fault:
    """Parse a fault from a control-API JSON body."""
    data = await request.json()
    allowed = {k: v for k, v in data.items() if k in Fault.__dataclass_fields__ and k != "fired"}
    return Fault(**allowed)
