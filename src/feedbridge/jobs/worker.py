"""Starting huey consumers: in-process threads for `feedbridge run`, a blocking consumer for `feedbridge worker`."""

from __future__ import annotations

import logging

from huey.consumer import Consumer

from feedbridge.runtime import Runtime

log = logging.getLogger(__name__)


def start_embedded_worker(runtime: Runtime, threads: int, *, periodic: bool = True) -> Consumer:
    """Start worker threads in this process (embedded mode). Call `.stop(graceful=True)` to end them."""
    assert runtime.huey is not None
    consumer = runtime.huey.create_consumer(workers=threads, worker_type="thread", periodic=periodic,
                                            initial_delay=0.05, max_delay=0.5, check_worker_health=True)
    consumer.start()
    return consumer


def run_worker(runtime: Runtime, *, workers: int, worker_type: str, periodic: bool) -> None:
    """Run a consumer in the foreground until SIGINT/SIGTERM; in-flight jobs finish (graceful shutdown).

    Only one process should run with periodic=True (it queues the sweeper and the pollers).
    """
    assert runtime.huey is not None
    consumer = runtime.huey.create_consumer(workers=workers, worker_type=worker_type, periodic=periodic,
                                            initial_delay=0.05, max_delay=1.0)
    log.info("worker started: %d %s worker(s), periodic=%s", workers, worker_type, periodic)
    consumer.run()
