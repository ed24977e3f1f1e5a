"""The one-command demo: every sandbox on loopback, feedbridge on the embedded default, a demo merchant."""

from __future__ import annotations

import logging

import typer
import uvicorn

from feedbridge.jobs.worker import start_embedded_worker
from feedbridge.runtime import build_runtime
from feedbridge.settings import Settings
from feedbridge.web.app import create_app

log = logging.getLogger(__name__)


def run_demo(settings: Settings, *, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Start the sandboxes, then the app with an in-process worker; block until interrupted."""
    from feedbridge_sandbox.launcher import start_fleet

    fleet = start_fleet(seed=True)
    runtime = build_runtime(settings)
    runtime.services["sandboxes"] = fleet.manifest()
    consumer = start_embedded_worker(runtime, settings.worker_threads)
    for name, server in fleet.servers.items():
        typer.echo(f"sandbox {name:12} {server.url}")
    typer.echo(f"feedbridge demo is running. Open http://{host}:{port}/ in your browser.")
    try:
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning", access_log=False)
    finally:
        consumer.stop(graceful=True)
        fleet.stop()
