"""The `feedbridge` command: run, worker, db upgrade, sandbox, demo, sync."""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

import feedbridge
from feedbridge.cli_sync import sync_app
from feedbridge.logs import setup_logging
from feedbridge.settings import Settings, load_settings

app = typer.Typer(help="feedbridge: sell your store's catalog on TikTok Shop.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database commands.")
app.add_typer(db_app, name="db")
app.add_typer(sync_app, name="sync")
log = logging.getLogger("feedbridge")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feedbridge {feedbridge.__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """feedbridge: sell your store's catalog on TikTok Shop."""


def _settings(**overrides: object) -> Settings:
    settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    setup_logging(settings.log_level, settings.log_json)
    return settings


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the job worker in this process.")] = True,
) -> None:
    """Run the web app with an in-process worker (the embedded default: SQLite, no other services)."""
    from feedbridge.jobs.worker import start_embedded_worker
    from feedbridge.runtime import build_runtime
    from feedbridge.web.app import create_app

    settings = _settings()
    runtime = build_runtime(settings)
    consumer = start_embedded_worker(runtime, settings.worker_threads) if worker else None
    web = create_app(runtime)
    typer.echo(f"feedbridge {feedbridge.__version__} is running. Open http://{host}:{port}/ in your browser.")
    try:
        uvicorn.run(web, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                    log_config=None)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@app.command("worker")
def worker_command(
    workers: Annotated[int, typer.Option(help="Worker threads or processes.")] = 4,
    worker_type: Annotated[str, typer.Option(help="thread or process.")] = "thread",
    periodic: Annotated[bool, typer.Option(help="Also run periodic tasks; exactly one process should.")] = False,
    shutdown_timeout: Annotated[float, typer.Option(help="On SIGTERM, seconds to let running jobs finish.")] = 60.0,
) -> None:
    """Run a job worker (production: PostgreSQL + Redis, several of these). SIGTERM stops it gracefully."""
    from feedbridge.jobs.worker import run_worker
    from feedbridge.runtime import build_runtime

    settings = _settings()
    runtime = build_runtime(settings)
    run_worker(runtime, workers=workers, worker_type=worker_type, periodic=periodic,
               shutdown_timeout=shutdown_timeout)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply database migrations (also done automatically on start)."""
    from feedbridge.db.session import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"Database is at {revision}.")


@app.command()
def sandbox(
    manifest: Annotated[Path | None, typer.Option(help="Write base URLs and credentials to this JSON file.")] = None,
    empty: Annotated[bool, typer.Option(help="Start the stores empty instead of seeded.")] = False,
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the platform sandboxes (TikTok Shop and the stores) on loopback."""
    from feedbridge_sandbox.launcher import start_fleet, write_manifest

    _settings()
    fleet = start_fleet(seed=not empty, host=host)
    for name, server in fleet.servers.items():
        typer.echo(f"{name:12} {server.url}")
    if manifest:
        write_manifest(fleet, manifest)
        typer.echo(f"Manifest written to {manifest}")
    else:
        typer.echo(json.dumps(fleet.manifest(), indent=2))
    try:
        wait_for_signal()
    finally:
        fleet.stop()


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
) -> None:
    """Start the sandboxes and feedbridge on loopback, with a demo merchant connected to them."""
    from feedbridge.demo import run_demo

    settings = _settings(sandbox_mode=True)
    run_demo(settings, port=port)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
