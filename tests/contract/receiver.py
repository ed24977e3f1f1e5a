"""A tiny webhook receiver on a real loopback port that records what platforms POST to it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feedbridge_sandbox.core import RunningServer, serve


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    server: RunningServer | None = None
    event: threading.Event = field(default_factory=threading.Event)

    def start(self) -> str:
        async def hook(request: Request) -> Response:
            self.received.append(Received(request.url.path, dict(request.headers), await request.body()))
            self.event.set()
            return Response(status_code=200)

        app = Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])
        self.server = serve(app)
        return self.server.url

    def stop(self) -> None:
        if self.server:
            self.server.stop()
