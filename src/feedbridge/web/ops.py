"""Operations routes: /readyz (database migrated to head, queue reachable) and /metrics (Prometheus text).

/healthz (in app.py) says the process answers; /readyz says it can do its work, so a load balancer sends
traffic only to ready instances. /metrics sums what every process counted (through Redis in production) and
adds gauges read at scrape time: queue depth, intents by kind and state, the oldest waiting intent.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import func, select

from feedbridge.db.models import Intent, utcnow
from feedbridge.db.session import alembic_config
from feedbridge.metrics import Labels, read_redis, render
from feedbridge.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def migration_state(runtime: Runtime) -> tuple[str | None, str | None]:
    """(revision the database is at, newest revision this code knows)."""
    head = ScriptDirectory.from_config(alembic_config(runtime.settings.database_url)).get_current_head()
    with runtime.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def queue_reachable(runtime: Runtime) -> int:
    """Jobs waiting in the queue; raises when the queue's storage does not answer."""
    if runtime.huey is None:
        return 0
    if runtime.redis is not None:
        runtime.redis.ping()
    return int(runtime.huey.pending_count())


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when the database is migrated to head and the queue answers; 503 with the reason otherwise."""
    runtime: Runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    ok = True
    try:
        current, head = migration_state(runtime)
        if current == head:
            checks["database"] = f"ok (revision {current})"
        else:
            ok = False
            checks["database"] = f"not migrated: at {current or 'nothing'}, code needs {head}; run feedbridge db upgrade"
    except Exception as exc:
        ok = False
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        checks["queue"] = f"ok ({queue_reachable(runtime)} waiting)"
    except Exception as exc:
        ok = False
        checks["queue"] = f"error: {type(exc).__name__}"
    return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks},
                        status_code=200 if ok else 503)


def gauges(runtime: Runtime) -> list[tuple[str, str, Labels, float]]:
    """Values read at scrape time (each source is skipped, with a log line, if it does not answer)."""
    out: list[tuple[str, str, Labels, float]] = []
    try:
        out.append(("feedbridge_queue_depth", "Jobs waiting in the queue.", (), float(queue_reachable(runtime))))
    except Exception as exc:
        log.warning("metrics: queue unavailable (%s)", type(exc).__name__)
    try:
        with runtime.sessions() as session:
            rows = session.execute(select(Intent.kind, Intent.state, func.count())
                                   .group_by(Intent.kind, Intent.state)).all()
            oldest = session.scalar(select(func.min(Intent.next_attempt_at)).where(Intent.state == "pending"))
        for kind, state, count in rows:
            out.append(("feedbridge_intents", "Intents by kind and state.",
                        (("kind", kind), ("state", state)), float(count)))
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        out.append(("feedbridge_oldest_pending_intent_seconds", "How long the oldest due intent has waited.",
                    (), max(0.0, age)))
    except Exception as exc:
        log.warning("metrics: database unavailable (%s)", type(exc).__name__)
    return out


def counters(runtime: Runtime) -> dict[tuple[str, Labels], float]:
    """Counters and histograms of every process: Redis totals in production, this process's alone otherwise."""
    series: dict[tuple[str, Labels], float]
    if runtime.redis is not None:
        runtime.flush_metrics()
        try:
            series = read_redis(runtime.redis)
        except Exception as exc:
            log.warning("metrics: Redis unavailable (%s); showing this process only", type(exc).__name__)
            series = runtime.metrics.snapshot()
    else:
        series = runtime.metrics.snapshot()
    # Requests that never got an answer (timeouts, refused connections) are errors too.
    platforms: dict[str, dict[str, float]] = {}
    for (name, labels), value in series.items():
        if name in ("feedbridge_api_requests_total", "feedbridge_api_responses_total"):
            platforms.setdefault(dict(labels).get("platform", ""), {})[name] = value
    for platform, values in platforms.items():
        missing = values.get("feedbridge_api_requests_total", 0.0) - values.get("feedbridge_api_responses_total", 0.0)
        series[("feedbridge_api_errors_total", (("platform", platform), ("reason", "no_answer")))] = max(0.0, missing)
    return series


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> Any:
    """Prometheus metrics (text exposition format 0.0.4)."""
    runtime: Runtime = request.app.state.runtime
    return PlainTextResponse(render(counters(runtime), gauges(runtime)), media_type=CONTENT_TYPE)
