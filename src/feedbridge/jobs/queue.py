"""The huey queue: SqliteHuey embedded, RedisHuey in production; tasks are registered per runtime."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Task

from feedbridge.errors import ConfigError

if TYPE_CHECKING:
    from feedbridge.runtime import Runtime

log = logging.getLogger(__name__)


def make_huey(queue_url: str, name: str = "feedbridge") -> Huey:
    """A huey instance for `sqlite:///path` or `redis://host:port/db`."""
    scheme = urlsplit(queue_url).scheme
    if scheme == "sqlite":
        path = queue_url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name=name, filename=path, utc=True, timeout=30)
    if scheme in ("redis", "rediss"):
        return RedisHuey(name=name, url=queue_url, utc=True, blocking=True, read_timeout=1)
    raise ConfigError(f"Queue URL {queue_url!r} is not supported.",
                      action="Use sqlite:///path/queue.db or redis://host:6379/0 in FEEDBRIDGE_QUEUE_URL.")


def build_huey(queue_url: str, runtime: Runtime) -> Huey:
    """Create the queue and register this process's tasks on it."""
    from feedbridge.jobs import runner

    huey = make_huey(queue_url)

    @huey.task(name="process_intent", retries=0)
    def process_intent(intent_id: int) -> str:
        return runner.run_intent(runtime, intent_id)

    @huey.periodic_task(crontab(minute="*"), name="sweep_intents")
    def sweep_intents() -> int:
        return runner.sweep(runtime)

    huey._feedbridge_process_intent = process_intent  # type: ignore[attr-defined]
    for name, (schedule, func) in periodic_jobs(runtime).items():
        huey.periodic_task(schedule, name=name)(func)
    return huey


def periodic_jobs(runtime: Runtime) -> dict[str, tuple[Any, Any]]:
    """Periodic tasks besides the sweeper: every minute, queue the polls and reconciliations that are due."""
    from feedbridge.sync.polling import run_schedules

    return {"schedule_polls": (crontab(minute="*"), lambda: run_schedules(runtime))}


def enqueue_intent(huey: Huey, intent_id: int, delay: float = 0.0) -> None:
    task: Task = huey._feedbridge_process_intent  # type: ignore[attr-defined]
    if delay > 0:
        task.schedule(args=(intent_id,), delay=delay)
    else:
        task(intent_id)


def pending_count(huey: Huey) -> int:
    """Messages waiting in the queue (raises if the queue's storage cannot be reached)."""
    return int(huey.pending_count())
