"""Runs one intent: claim it, call its handler, then complete it or record the failure with backoff."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db import intents
from feedbridge.db.models import Intent, utcnow
from feedbridge.db.session import transaction
from feedbridge.errors import ConfigError, DataError, FeedbridgeError, RetryableError
from feedbridge.logs import log_context
from feedbridge.runtime import Runtime

log = logging.getLogger(__name__)


def run_intent(runtime: Runtime, intent_id: int) -> str:
    """Process intent `intent_id` once. Safe to call twice or from two workers: only one claims it.

    Returns what happened: "skipped" (not due or held by another worker), "done", "requeued" (a newer
    change arrived while it ran), "retry" or "failed".
    """
    with transaction(runtime.sessions) as session:
        requested_at = _requested_at(session, intent_id)
        claimed = intents.claim(session, intent_id, runtime.settings.intent_lease_seconds)
    if claimed is None:
        runtime.metrics.inc("feedbridge_intents_processed_total", kind="", outcome="skipped")
        return "skipped"
    with log_context(intent_id=claimed.id, intent_kind=claimed.kind):
        outcome = _run_claimed(runtime, claimed)
        runtime.metrics.inc("feedbridge_intents_processed_total", kind=claimed.kind, outcome=outcome)
        if outcome == "done" and requested_at is not None:
            runtime.metrics.observe("feedbridge_sync_latency_seconds",
                                    max(0.0, (utcnow() - requested_at).total_seconds()), kind=claimed.kind)
        log.info("intent %s (%s): %s after %d attempt(s)", claimed.id, claimed.kind, outcome, claimed.attempts)
    runtime.flush_metrics()
    return outcome


def _requested_at(session: Session, intent_id: int) -> datetime | None:
    """When the current round of this intent was asked for, read before claiming it (for sync latency).

    A fresh round (no attempt yet) was asked for at its due time; a retried one at its creation or, for an
    intent reused by a later change, at the end of its previous round (an upper bound of the wait).
    """
    row = session.execute(select(Intent.created_at, Intent.done_at, Intent.next_attempt_at, Intent.attempts)
                          .where(Intent.id == intent_id)).first()
    if row is None:
        return None
    created_at, done_at, due, attempts = row
    if attempts == 0:
        return max(due, created_at)  # type: ignore[no-any-return]
    return max(created_at, done_at) if done_at else created_at  # type: ignore[no-any-return]


def _run_claimed(runtime: Runtime, claimed: intents.ClaimedIntent) -> str:
    settings = runtime.settings
    handler = runtime.handlers.get(claimed.kind)
    try:
        if handler is None:
            raise ConfigError(f"No handler for work of kind {claimed.kind!r}.",
                              action="Upgrade feedbridge on every worker to the same version.")
        asyncio.run(handler(runtime, claimed))
    except (DataError, ConfigError) as exc:
        # Retrying cannot help until the merchant fixes something: fail now, visibly.
        with transaction(runtime.sessions) as session:
            intents.fail(session, claimed, exc.message, retry_in=None, action=exc.action or "")
        _gave_up(runtime, claimed, exc.message)
        return "failed"
    except Exception as exc:
        message = str(exc) if isinstance(exc, FeedbridgeError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, FeedbridgeError):
            log.exception("intent %s (%s) raised", claimed.id, claimed.kind)
        if claimed.attempts >= settings.intent_max_attempts:
            with transaction(runtime.sessions) as session:
                intents.fail(session, claimed, f"Gave up after {claimed.attempts} attempts: {message}",
                             retry_in=None, action="Use Retry once the cause is fixed.")
            _gave_up(runtime, claimed, f"feedbridge gave up after {claimed.attempts} attempts: {message}")
            return "failed"
        delay = intents.backoff_delay(claimed.attempts, settings.retry_base_seconds, settings.retry_cap_seconds)
        if isinstance(exc, RetryableError) and exc.delay is not None:
            delay = min(settings.retry_cap_seconds, max(delay, exc.delay))
        with transaction(runtime.sessions) as session:
            intents.fail(session, claimed, message, retry_in=delay)
        runtime.enqueue(claimed.id, delay)
        return "retry"
    with transaction(runtime.sessions) as session:
        again = intents.complete(session, claimed)
    if again:
        runtime.enqueue(claimed.id)
        return "requeued"
    return "done"


def _gave_up(runtime: Runtime, claimed: intents.ClaimedIntent, message: str) -> None:
    """Let the flow mark its own row failed (a listing, an order) so the merchant sees why, not "queued"."""
    from feedbridge.jobs.handlers import failure_hooks

    hook = failure_hooks().get(claimed.kind)
    if hook is None:
        return
    try:
        hook(runtime, claimed, message)
    except Exception:  # the intent is already failed and logged; a broken hook must not hide that
        log.exception("failure hook of %s (%s) raised", claimed.id, claimed.kind)


def sweep(runtime: Runtime) -> int:
    """Release intents of dead workers and queue every due intent again. Returns how many were queued."""
    with transaction(runtime.sessions) as session:
        due = intents.sweep(session)
    for intent_id in due:
        runtime.enqueue(intent_id)
    return len(due)
