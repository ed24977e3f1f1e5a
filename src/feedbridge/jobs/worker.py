"""Starting huey consumers: in-process threads for `feedbridge run`, a blocking consumer for `feedbridge worker`.

Shutdown: SIGTERM (and SIGINT) stop a `feedbridge worker` gracefully: it takes no new job and waits up to
`shutdown_timeout` seconds for the jobs in flight. A job still running then, or one killed outright (SIGKILL,
a lost machine), keeps its intent's lease; when the lease expires the sweeper queues it again, and because
every job is safe to run twice, it is done once.
"""

from __future__ import annotations

import logging
import threading

from huey.consumer import Consumer

from feedbridge.jobs import runner
from feedbridge.runtime import Runtime

log = logging.getLogger(__name__)
DEFAULT_SHUTDOWN_TIMEOUT = 60.0


def start_embedded_worker(runtime: Runtime, threads: int, *, periodic: bool = True) -> Consumer:
    """Start worker threads in this process (embedded mode). Call `.stop(graceful=True)` to end them."""
    assert runtime.huey is not None
    consumer = runtime.huey.create_consumer(workers=threads, worker_type="thread", periodic=periodic,
                                            initial_delay=0.05, max_delay=0.5, check_worker_health=True)
    consumer.start()
    return consumer


class Sweeper(threading.Thread):
    """Runs the sweeper every `interval` seconds (huey's periodic tasks run at most once a minute)."""

    def __init__(self, runtime: Runtime, interval: float) -> None:
        super().__init__(name="feedbridge-sweeper", daemon=True)
        self.runtime = runtime
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                queued = runner.sweep(self.runtime)
                if queued:
                    log.info("sweeper queued %d intent(s) again", queued)
            except Exception:
                log.exception("sweep failed; trying again in %.0fs", self.interval)


def run_worker(runtime: Runtime, *, workers: int, worker_type: str, periodic: bool,
               shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT) -> None:
    """Run a consumer in the foreground until SIGTERM/SIGINT; in-flight jobs finish (graceful shutdown).

    Only one process should run with periodic=True: it queues the pollers and runs the sweeper every
    `sweep_interval_seconds`.
    """
    assert runtime.huey is not None
    consumer = runtime.huey.create_consumer(workers=workers, worker_type=worker_type, periodic=periodic,
                                            initial_delay=0.05, max_delay=1.0, graceful_signal="TERM",
                                            shutdown_timeout=shutdown_timeout)
    sweeper = Sweeper(runtime, float(runtime.settings.sweep_interval_seconds)) if periodic else None
    log.info("worker started: %d %s worker(s), periodic=%s", workers, worker_type, periodic)
    if sweeper is not None:
        sweeper.start()
    try:
        consumer.run()
    finally:
        if sweeper is not None:
            sweeper.stopped.set()
        runtime.flush_metrics()
        log.info("worker stopped")
