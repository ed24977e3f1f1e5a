"""Runs an ASGI app under uvicorn on loopback in a background thread (tests, demo, benchmarks)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop = self.server._feedbridge_loop  # type: ignore[attr-defined]
        return loop

    def call(self, factory: Callable[[], Awaitable[T]], timeout: float = 30.0) -> T:
        """Run a coroutine on the server's own loop (e.g. trigger a buyer action) and wait for its result."""
        return asyncio.run_coroutine_threadsafe(factory(), self.loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> RunningServer:
    """Start `app` on host:port (0 = a free port) and return once it accepts connections."""
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on",
                            access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    def run() -> None:
        loop = asyncio.new_event_loop()
        server._feedbridge_loop = loop  # type: ignore[attr-defined]
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, name=f"serve-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.01)
    return RunningServer(url=f"http://{host}:{port}", server=server, thread=thread)
