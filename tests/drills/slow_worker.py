"""`feedbridge worker` with one extra intent kind for shutdown drills: `drill.slow` writes "start <pid>" to a
file, sleeps, then writes "end <pid>", so a test sees which process began and which finished the job.

Run as `python -m tests.drills.slow_worker [--periodic]` with the same FEEDBRIDGE_* environment as a worker.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from feedbridge.db.intents import ClaimedIntent
from feedbridge.jobs.worker import run_worker
from feedbridge.logs import setup_logging
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import load_settings


def note(path: str, line: str) -> None:
    with Path(path).open("a") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


async def slow(runtime: Runtime, intent: ClaimedIntent) -> None:
    """A job that takes `seconds` and leaves a trace of who started and who finished it."""
    note(intent.payload["path"], f"start {os.getpid()}")
    await asyncio.sleep(float(intent.payload["seconds"]))
    note(intent.payload["path"], f"end {os.getpid()}")


def main(argv: list[str]) -> None:
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_json)
    runtime = build_runtime(settings, handlers={"drill.slow": slow})
    run_worker(runtime, workers=2, worker_type="thread", periodic="--periodic" in argv, shutdown_timeout=30)


if __name__ == "__main__":
    main(sys.argv[1:])
