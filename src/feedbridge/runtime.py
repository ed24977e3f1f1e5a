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

    @event.listens_for(sessions, "after_commit")
    def _queue_new_intents(session: Session) -> None:
        for intent_id, delay in session.info.pop("new_intents", []):
            runtime.enqueue(intent_id, delay)

    @event.listens_for(sessions, "after_rollback")
    def _forget_new_intents(session: Session) -> None:
        session.info.pop("new_intents", None)

    return runtime
