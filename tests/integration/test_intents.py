"""The intent lifecycle on the real database and the real huey queue."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedbridge.db import intents
from feedbridge.db.models import Activity, Intent, Merchant, utcnow
from feedbridge.db.session import transaction
from feedbridge.errors import DataError, RetryableError
from feedbridge.jobs import runner
from feedbridge.jobs.worker import start_embedded_worker
from feedbridge.runtime import Runtime


def _wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def _state(runtime: Runtime, intent_id: int) -> Intent:
    with runtime.sessions() as session:
        intent = session.get(Intent, intent_id)
        assert intent is not None
        return intent


def test_intent_created_with_state_change_then_queued_and_done(runtime: Runtime) -> None:
    calls: list[dict] = []

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        calls.append(claimed.payload)

    runtime.handlers["test.echo"] = handle
    consumer = start_embedded_worker(runtime, 2, periodic=False)
    try:
        with transaction(runtime.sessions) as session:
            session.add(Merchant(email="a@example.com"))
            intent = intents.record_intent(session, "test.echo", "k1", {"n": 1})
            intent_id = intent.id
        _wait_for(lambda: _state(runtime, intent_id).state == "done")
    finally:
        consumer.stop(graceful=True)
    assert calls == [{"n": 1}]


def test_intent_not_queued_when_its_transaction_rolls_back(runtime: Runtime) -> None:
    try:
        with transaction(runtime.sessions) as session:
            intents.record_intent(session, "test.echo", "never", {})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with runtime.sessions() as session:
        assert session.scalars(select(Intent)).all() == []
    assert runtime.huey is not None and runtime.huey.pending_count() == 0


def test_job_delivered_twice_runs_the_intent_once(runtime: Runtime) -> None:
    calls: list[int] = []

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        calls.append(claimed.id)

    runtime.handlers["test.once"] = handle
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.once", "k", {}).id
    assert runner.run_intent(runtime, intent_id) == "done"
    assert runner.run_intent(runtime, intent_id) == "skipped"
    assert calls == [intent_id]


def test_crash_mid_job_is_requeued_by_the_sweeper_and_done_once(runtime: Runtime) -> None:
    calls: list[int] = []

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        calls.append(claimed.id)

    runtime.handlers["test.crash"] = handle
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.crash", "k", {}).id
    # A worker claims it and dies before finishing: the intent stays "running" with a lease.
    with transaction(runtime.sessions) as session:
        assert intents.claim(session, intent_id, lease_seconds=0.01) is not None
    assert runner.run_intent(runtime, intent_id) == "skipped"
    time.sleep(0.05)
    assert runner.sweep(runtime) >= 1
    assert _state(runtime, intent_id).state == "pending"
    assert runner.run_intent(runtime, intent_id) == "done"
    assert runner.run_intent(runtime, intent_id) == "skipped"
    assert calls == [intent_id]


def test_change_arriving_while_running_makes_the_intent_run_again(runtime: Runtime) -> None:
    seen: list[dict] = []

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        seen.append(claimed.payload)
        if len(seen) == 1:
            with transaction(rt.sessions) as session:
                intents.record_intent(session, "test.coalesce", "sku-1", {"price": "9.99"})

    runtime.handlers["test.coalesce"] = handle
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.coalesce", "sku-1", {"price": "5.00"}).id
        intents.record_intent(session, "test.coalesce", "sku-1", {"price": "7.00"})
    assert runner.run_intent(runtime, intent_id) == "requeued"
    assert runner.run_intent(runtime, intent_id) == "done"
    assert seen == [{"price": "7.00"}, {"price": "9.99"}]


def test_retryable_failures_back_off_then_end_failed_with_last_error(runtime: Runtime) -> None:
    runtime.settings.intent_max_attempts = 3

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        raise RetryableError(f"TikTok timed out (attempt {claimed.attempts})")

    runtime.handlers["test.flaky"] = handle
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.flaky", "k", {}).id
    results = []
    for _ in range(3):
        with transaction(runtime.sessions) as session:
            session.get(Intent, intent_id).next_attempt_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        results.append(runner.run_intent(runtime, intent_id))
    assert results == ["retry", "retry", "failed"]
    final = _state(runtime, intent_id)
    assert final.state == "failed"
    assert "attempt 3" in final.last_error and final.attempts == 3
    with runtime.sessions() as session:
        entry = session.scalars(select(Activity)).one()
    assert entry.level == "error" and "Gave up after 3 attempts" in entry.message


def test_backoff_grows_exponentially_and_is_capped() -> None:
    delays = [intents.backoff_delay(n, base=2, cap=60) for n in range(1, 8)]
    assert delays == [2, 4, 8, 16, 32, 60, 60]


def test_data_error_fails_at_once_and_retry_button_requeues(runtime: Runtime) -> None:
    attempts: list[int] = []

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        attempts.append(claimed.attempts)
        if len(attempts) == 1:
            raise DataError("Title is 270 characters; TikTok allows 255.", field="title",
                            action="Shorten the title in your store.")

    runtime.handlers["test.data"] = handle
    with transaction(runtime.sessions) as session:
        intent_id = intents.record_intent(session, "test.data", "k", {}).id
    assert runner.run_intent(runtime, intent_id) == "failed"
    assert _state(runtime, intent_id).last_error == "Title is 270 characters; TikTok allows 255."
    with runtime.sessions() as session:
        assert session.scalars(select(Activity)).one().action == "Shorten the title in your store."
    with transaction(runtime.sessions) as session:
        assert intents.retry_failed(session, intent_id)
    assert runner.run_intent(runtime, intent_id) == "done"


def test_two_workers_racing_claim_an_intent_once(runtime: Runtime) -> None:
    calls: list[int] = []
    lock = threading.Lock()

    async def handle(rt: Runtime, claimed: intents.ClaimedIntent) -> None:
        with lock:
            calls.append(claimed.id)

    runtime.handlers["test.race"] = handle
    with transaction(runtime.sessions) as session:
        ids = [intents.record_intent(session, "test.race", f"k{i}", {}).id for i in range(20)]
    results: list[str] = []

    def work() -> None:
        for intent_id in ids:
            results.append(runner.run_intent(runtime, intent_id))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(calls) == sorted(ids)
    assert results.count("done") == 20 and results.count("skipped") == 20


def test_two_transactions_recording_the_same_intent_at_once_both_commit_into_one_intent(runtime: Runtime) -> None:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite admits one writer at a time; this race is PostgreSQL's")
    first = runtime.sessions()
    first.begin()
    intents.record_intent(first, "test.same", "k", {"n": 1})
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with transaction(runtime.sessions) as session:  # waits for the first on PostgreSQL
                intents.record_intent(session, "test.same", "k", {"n": 2})
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    worker = threading.Thread(target=second)
    worker.start()
    time.sleep(0.3)
    first.commit()
    first.close()
    worker.join(timeout=30)
    assert errors == []
    with runtime.sessions() as session:
        [row] = session.scalars(select(Intent).where(Intent.kind == "test.same")).all()
    assert row.payload == {"n": 2} and row.revision == 2 and row.state == "pending"
