"""Delivers webhooks the way platforms do: POST with signed headers, retried with backoff on failure.

Deliveries run on the sandbox's event loop as background tasks; `drain()` waits for the queue to empty,
so tests can wait for delivery instead of sleeping. Faults can drop or duplicate deliveries by topic.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx

from feedbridge_sandbox.core.faults import FaultInjector


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle costs ~17 ms of CPU; once per process, not once per delivery.
    return ssl.create_default_context()

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    url: str
    topic: str
    body: bytes
    headers: dict[str, str]
    attempts: int = 0
    status: int | None = None
    error: str = ""
    delivered: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class WebhookSender:
    """Queues and sends webhook deliveries with retries (`retry_delays` seconds between attempts)."""

    def __init__(
        self,
        faults: FaultInjector | None = None,
        retry_delays: tuple[float, ...] = (0.2, 1.0, 5.0),
        timeout: float = 5.0,
    ) -> None:
        self.faults = faults or FaultInjector()
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.log: list[Delivery] = []
        self._pending: set[asyncio.Task[None]] = set()
        self.enabled = True

    def send(self, url: str, topic: str, body: bytes, headers: dict[str, str],
             on_result: Callable[[Delivery], None] | None = None) -> None:
        """Schedule a delivery on the running loop. Must be called from inside the sandbox's event loop."""
        if not self.enabled:
            return
        if self.faults.take(("drop_webhook",), topic=topic) is not None:
            self.log.append(Delivery(url, topic, body, headers, error="dropped by fault"))
            return
        copies = 2 if self.faults.take(("duplicate_webhook",), topic=topic) is not None else 1
        for _ in range(copies):
            delivery = Delivery(url, topic, body, dict(headers))
            self.log.append(delivery)
            task = asyncio.get_running_loop().create_task(self._deliver(delivery, on_result))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _deliver(self, delivery: Delivery, on_result: Callable[[Delivery], None] | None) -> None:
        async with httpx.AsyncClient(timeout=self.timeout, verify=_tls()) as client:
            for attempt, delay in enumerate((0.0, *self.retry_delays)):
                if delay:
                    await asyncio.sleep(delay)
                delivery.attempts = attempt + 1
                try:
                    response = await client.post(delivery.url, content=delivery.body, headers=delivery.headers)
                    delivery.status = response.status_code
                    if 200 <= response.status_code < 300:
                        delivery.delivered = True
                        break
                    delivery.error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    delivery.error = type(exc).__name__
        if on_result:
            on_result(delivery)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued delivery finished (delivered or gave up)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)

    def summary(self) -> list[dict[str, Any]]:
        return [
            {"url": d.url, "topic": d.topic, "attempts": d.attempts, "status": d.status,
             "delivered": d.delivered, "error": d.error}
            for d in self.log
        ]
