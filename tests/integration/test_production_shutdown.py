"""Shutdown of `feedbridge worker` processes on PostgreSQL + Redis: SIGTERM lets the job in flight finish;
a job whose worker is killed outright (SIGKILL) is queued again by the sweeper once its lease expires, and is
done exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from feedbridge.db import intents
from feedbridge.db.models import Intent
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import load_settings
from tests.drills.services import postgres_database_or_skip, redis_url_or_skip

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(tmp_path: Path) -> Iterator[tuple[Runtime, dict[str, str]]]:
    """A migrated PostgreSQL database, a Redis db, and the environment worker processes run with."""
    redis_url = redis_url_or_skip("shutdown")
    with postgres_database_or_skip() as database_url:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "FEEDBRIDGE_HOME": str(tmp_path / "home"),
               "FEEDBRIDGE_DATABASE_URL": database_url, "FEEDBRIDGE_QUEUE_URL": redis_url,
               "FEEDBRIDGE_SECRET_KEY": Fernet.generate_key().decode(), "FEEDBRIDGE_LOG_JSON": "true",
               "FEEDBRIDGE_INTENT_LEASE_SECONDS": "3", "FEEDBRIDGE_SWEEP_INTERVAL_SECONDS": "1"}
        settings = load_settings(home=tmp_path / "home", database_url=database_url, queue_url=redis_url,
                                 secret_key=env["FEEDBRIDGE_SECRET_KEY"])
        runtime = build_runtime(settings)
        try:
            yield runtime, env
        finally:
            runtime.engine.dispose()


def start_worker(env: dict[str, str], log: Path, periodic: bool = True) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tests.drills.slow_worker"] + (["--periodic"] if periodic else [])
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_until(check, timeout: float = 60.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def trace(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def state(runtime: Runtime, intent_id: int) -> str:
    with runtime.sessions() as session:
        intent = session.get(Intent, intent_id)
        assert intent is not None
        return intent.state


def slow_intent(runtime: Runtime, path: Path, seconds: float) -> int:
    with transaction(runtime.sessions) as session:
        return intents.record_intent(session, "drill.slow", path.name, {"path": str(path), "seconds": seconds}).id


def test_sigterm_lets_the_job_in_flight_finish(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime, env = production
    marks = tmp_path / "marks.txt"
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        intent_id = slow_intent(runtime, marks, 2.0)
        wait_until(lambda: trace(marks), what="the job to start")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert trace(marks) == [f"start {worker.pid}", f"end {worker.pid}"]
    assert state(runtime, intent_id) == "done"


def test_job_of_a_killed_worker_is_swept_and_done_once(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime, env = production
    marks = tmp_path / "marks.txt"
    first = start_worker(env, tmp_path / "worker.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        intent_id = slow_intent(runtime, marks, 1.5)
        wait_until(lambda: trace(marks), what="the job to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert state(runtime, intent_id) == "running"  # the dead worker's lease still holds it
        second = start_worker(env, tmp_path / "worker.log")
        wait_until(lambda: state(runtime, intent_id) == "done", what="the swept job to be done")
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
    lines = trace(marks)
    assert lines[0] == f"start {first.pid}"
    assert second is not None
    assert lines[1:] == [f"start {second.pid}", f"end {second.pid}"], lines


def test_web_app_without_worker_is_ready_and_logs_json_lines(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`feedbridge run --no-worker` on PostgreSQL + Redis: /readyz is 200, /metrics answers, logs are JSON."""
    import httpx

    from feedbridge_sandbox.core.server import free_port

    _runtime, env = production
    port = free_port()
    log = tmp_path / "web.log"
    web = subprocess.Popen([sys.executable, "-m", "feedbridge.cli", "run", "--no-worker", "--port", str(port)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"))  # logs: stderr

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, what="the web app to be ready")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert "feedbridge_queue_depth 0" in metrics
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), lines[:5]
