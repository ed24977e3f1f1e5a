"""The intent lifecycle: record (in the caller's transaction), claim, complete, fail with backoff, sweep.

Every change we must act on is first written as an intent; a job then processes it. Claiming is an atomic
UPDATE, so two workers never run the same intent at once, and a job delivered twice does nothing the
second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedbridge.db.models import Activity, Intent, utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


@dataclass(frozen=True, slots=True)
class ClaimedIntent:
    """A snapshot of an intent taken when a worker claimed it."""

    id: int
    merchant_id: int | None
    kind: str
    key: str
    payload: dict[str, Any]
    revision: int
    attempts: int


def record_intent(
    session: Session, kind: str, key: str, payload: dict[str, Any] | None = None, *,
    merchant_id: int | None = None, delay: float = 0.0,
) -> Intent:
    """Write (or refresh) the intent for (kind, key) in the caller's transaction; queued after commit.

    A newer change to the same (kind, key) replaces the payload and bumps the revision, so many changes
    coalesce into one job that acts on the latest value.
    """
    now = utcnow()
    intent = session.scalars(select(Intent).where(Intent.kind == kind, Intent.key == key)).first()
    if intent is None and session.get_bind().dialect.name == "sqlite":
        # SQLite lets one writer at a time in; pysqlite also cannot nest a savepoint in its implicit transaction.
        intent = Intent(kind=kind, key=key, payload=payload or {}, merchant_id=merchant_id, state=PENDING,
                        next_attempt_at=now + timedelta(seconds=delay), revision=1, attempts=0)
        session.add(intent)
    elif intent is None:
        try:
            # In a savepoint: another transaction may record the same (kind, key) at the same moment
            # (PostgreSQL); the loser then updates the winner's row instead of failing its whole transaction.
            with session.begin_nested():
                created = Intent(kind=kind, key=key, payload=payload or {}, merchant_id=merchant_id,
                                 state=PENDING, next_attempt_at=now + timedelta(seconds=delay), revision=1,
                                 attempts=0)
                session.add(created)
                session.flush()
            intent = created
        except IntegrityError:
            intent = session.scalars(select(Intent).where(Intent.kind == kind, Intent.key == key)
                                     .execution_options(populate_existing=True)).one()
            _refresh(intent, payload, delay, now)
    else:
        _refresh(intent, payload, delay, now)
    session.flush()
    session.info.setdefault("new_intents", []).append((intent.id, delay))
    return intent


def _refresh(intent: Intent, payload: dict[str, Any] | None, delay: float, now: datetime) -> None:
    """A newer change to an intent that exists: new payload, next revision, due again."""
    intent.payload = payload or {}
    intent.revision += 1
    due = now + timedelta(seconds=delay)
    if intent.state == RUNNING:
        # Acted on when the running job completes (see complete), but not before `delay` is over: a job
        # that reschedules itself (e.g. waiting for a quota) must not run again at once.
        intent.next_attempt_at = due
    else:
        if intent.state == PENDING and not intent.last_error and intent.next_attempt_at <= due:
            due = intent.next_attempt_at  # already due sooner: more changes never postpone the work
        intent.state = PENDING
        intent.attempts = 0
        intent.last_error = ""
        intent.next_attempt_at = due


def claim(session: Session, intent_id: int, lease_seconds: float) -> ClaimedIntent | None:
    """Take the intent for this worker if it is due and nobody holds it; None otherwise."""
    now = utcnow()
    result = session.execute(
        update(Intent)
        .where(Intent.id == intent_id, Intent.state == PENDING, Intent.next_attempt_at <= now)
        .values(state=RUNNING, lease_until=now + timedelta(seconds=lease_seconds),
                attempts=Intent.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.get(Intent, intent_id, populate_existing=True)
    assert row is not None
    return ClaimedIntent(row.id, row.merchant_id, row.kind, row.key, dict(row.payload), row.revision, row.attempts)


def complete(session: Session, claimed: ClaimedIntent) -> bool:
    """Mark done. If a newer change arrived while it ran, it goes back to pending; returns True then."""
    now = utcnow()
    done = session.execute(
        update(Intent).where(Intent.id == claimed.id, Intent.revision == claimed.revision, Intent.state == RUNNING)
        .values(state=DONE, done_at=now, lease_until=None, last_error="", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(Intent).where(Intent.id == claimed.id, Intent.state == RUNNING)
        .values(state=PENDING, lease_until=None, attempts=0, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # Due now, unless the newer change asked for later (its own delayed job is queued for that time).
    session.execute(
        update(Intent).where(Intent.id == claimed.id, Intent.state == PENDING, Intent.next_attempt_at < now)
        .values(next_attempt_at=now).execution_options(synchronize_session=False)
    )
    return True


def backoff_delay(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base … capped."""
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


def fail(
    session: Session, claimed: ClaimedIntent, error: str, *, retry_in: float | None, action: str = "",
) -> str:
    """Record the error; schedule a retry in `retry_in` seconds, or end in FAILED when it is None.

    Returns the new state. A terminal failure is also written to the activity log.
    """
    now = utcnow()
    if retry_in is not None:
        session.execute(
            update(Intent).where(Intent.id == claimed.id, Intent.state == RUNNING)
            .values(state=PENDING, last_error=error, lease_until=None,
                    next_attempt_at=now + timedelta(seconds=retry_in), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return PENDING
    session.execute(
        update(Intent).where(Intent.id == claimed.id, Intent.state == RUNNING)
        .values(state=FAILED, last_error=error, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.add(Activity(merchant_id=claimed.merchant_id, level="error", kind=f"{claimed.kind}.failed",
                         subject=claimed.key, message=error, action=action,
                         details={"intent_id": claimed.id, "attempts": claimed.attempts}))
    return FAILED


def retry_failed(session: Session, intent_id: int, merchant_id: int | None = None) -> bool:
    """Put a failed intent back in the queue (the merchant's retry button). True when it was failed."""
    conditions = [Intent.id == intent_id, Intent.state == FAILED]
    if merchant_id is not None:
        conditions.append(Intent.merchant_id == merchant_id)
    result = session.execute(
        update(Intent).where(*conditions)
        .values(state=PENDING, attempts=0, next_attempt_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        session.info.setdefault("new_intents", []).append((intent_id, 0.0))
        return True
    return False


def sweep(session: Session, *, now: datetime | None = None, grace_seconds: float = 30.0) -> list[int]:
    """Release intents whose worker died (lease expired) and list every due intent to queue again."""
    now = now or utcnow()
    session.execute(
        update(Intent).where(Intent.state == RUNNING, Intent.lease_until < now)
        .values(state=PENDING, lease_until=None, next_attempt_at=now, updated_at=now,
                last_error="The worker stopped while working on this; it was queued again.")
        .execution_options(synchronize_session=False)
    )
    due = select(Intent.id).where(
        Intent.state == PENDING,
        or_(Intent.next_attempt_at <= now - timedelta(seconds=grace_seconds),
            and_(Intent.last_error != "", Intent.next_attempt_at <= now)),
    ).order_by(Intent.next_attempt_at).limit(5000)
    return list(session.scalars(due))
