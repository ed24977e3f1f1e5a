"""The runtime of one process: settings, database, vault and job queue, wired together.

Built once per process (`feedbridge run`, `feedbridge worker`, tests); passed explicitly, never global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from huey import Huey
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from feedbridge.db import session as db
from feedbridge.db.crypto import Vault
from feedbridge.db.intents import ClaimedIntent
from feedbridge.http.ratelimit import Limiter
from feedbridge.metrics import Registry, instrument_adapter
from feedbridge.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[["Runtime", ClaimedIntent], Coroutine[Any, Any, None]]


@dataclass
class Runtime:
    """Everything a request handler or a job needs, for one process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    huey: Huey | None = None
    handlers: dict[str, Handler] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    metrics: Registry = field(default_factory=Registry)
    redis: Any = None

    def shared_limiter(self, scope: str, rate: float) -> Limiter | None:
        """A request budget of `rate`/s per API shared by every process (Redis queue only), keys under `scope`.

        None in the embedded mode: one process, so the client's own in-process buckets are the budget.
        """
        if self.redis is None:
            return None
        from feedbridge.http.shared_limits import RedisLimiter

        return RedisLimiter(self.redis, rate, prefix=f"{scope}:")

    def instrument(self, adapter: Any, platform: str, *, budget_scope: str = "", rate: float | None = None) -> Any:
        """Count the API calls of an adapter's HTTP clients in this process's metrics; when `rate` is given,
        also pace every request of them through the shared budget `budget_scope` (e.g. one store's quota)."""
        instrument_adapter(adapter, self.metrics, platform)
        limiter = self.shared_limiter(budget_scope, rate) if rate and budget_scope else None
        if limiter is not None:
            from feedbridge.metrics import find_http_clients

            async def wait_for_budget(request: Any) -> None:
                await limiter.acquire("all")

            for client in find_http_clients(adapter):
                client.event_hooks["request"].insert(0, wait_for_budget)
        return adapter

    def flush_metrics(self) -> None:
        """Add what this process counted to the shared metrics (Redis queue only); never raises."""
        if self.redis is None:
            return
        from feedbridge.metrics import flush_to_redis

        try:
            flush_to_redis(self.metrics, self.redis)
        except Exception as exc:
            log.warning("could not store metrics in Redis: %s", type(exc).__name__)

    def enqueue(self, intent_id: int, delay: float = 0.0) -> None:
        """Queue the job that processes an intent (after its transaction committed)."""
        if self.huey is None:
            return
        from feedbridge.jobs.queue import enqueue_intent

        enqueue_intent(self.huey, intent_id, delay)


def build_runtime(settings: Settings, *, migrate: bool = True, with_queue: bool = True,
                  handlers: dict[str, Handler] | None = None) -> Runtime:
    """Open the database (migrating it), the vault and the queue for this process."""
    if migrate:
        db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    sessions = db.make_sessionmaker(engine)
    runtime = Runtime(settings=settings, engine=engine, sessions=sessions, vault=Vault(settings.secret_key))
    from feedbridge.jobs.handlers import default_handlers

    runtime.handlers.update(default_handlers())
    runtime.handlers.update(handlers or {})
    if with_queue:
        from feedbridge.jobs.queue import build_huey

        runtime.huey = build_huey(settings.queue_url, runtime)
        if settings.queue_url.startswith(("redis://", "rediss://")):
            from feedbridge.http.shared_limits import redis_client

            runtime.redis = redis_client(settings.queue_url)

    @event.listens_for(sessions, "after_commit")
    def _queue_new_intents(session: Session) -> None:
        for intent_id, delay in session.info.pop("new_intents", []):
            runtime.enqueue(intent_id, delay)

    @event.listens_for(sessions, "after_rollback")
    def _forget_new_intents(session: Session) -> None:
        session.info.pop("new_intents", None)

    return runtime
