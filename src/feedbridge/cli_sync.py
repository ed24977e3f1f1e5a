"""`feedbridge sync …`: run a sync from the command line with a progress bar (the dashboard does the same)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy import select

from feedbridge.db.intents import record_intent
from feedbridge.db.models import StoreFeed, StoreProduct, SyncRun
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.settings import load_settings

sync_app = typer.Typer(help="Run syncs from the command line.", no_args_is_help=True)


def _runtime(worker: bool) -> tuple[Runtime, object | None]:
    from feedbridge.jobs.worker import start_embedded_worker
    from feedbridge.logs import setup_logging
    from feedbridge.runtime import build_runtime

    settings = load_settings()
    setup_logging("WARNING", settings.log_json)
    runtime = build_runtime(settings)
    return runtime, (start_embedded_worker(runtime, settings.worker_threads) if worker else None)


def _feed(runtime: Runtime, feed_id: int) -> StoreFeed:
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
    if feed is None:
        typer.echo(f"There is no feed {feed_id}. `feedbridge sync feeds` lists them.", err=True)
        raise typer.Exit(2)
    return feed


@sync_app.command("feeds")
def feeds() -> None:
    """List the feeds (a store feeding a TikTok shop) with their ids."""
    runtime, _ = _runtime(worker=False)
    with runtime.sessions() as session:
        for feed in session.scalars(select(StoreFeed).order_by(StoreFeed.id)):
            typer.echo(f"{feed.id:4}  store connection {feed.store_connection_id} → TikTok shop "
                       f"{feed.tiktok_shop_id}  ({feed.status})")


@sync_app.command("products")
def products(
    feed_id: Annotated[int, typer.Option("--feed", help="Feed id (see `feedbridge sync feeds`).")],
    product: Annotated[list[str] | None, typer.Option(help="Store product id; repeat for several.")] = None,
    all_mapped: Annotated[bool, typer.Option("--all", help="Every product that is mapped to a category.")] = False,
    worker: Annotated[bool, typer.Option(help="Process the work in this process (no separate worker).")] = True,
) -> None:
    """List products on TikTok Shop in the background and show the progress until the run ends."""
    from feedbridge.errors import DataError
    from feedbridge.sync.categories import category_for
    from feedbridge.sync.listings import start_listing

    runtime, consumer = _runtime(worker)
    try:
        feed = _feed(runtime, feed_id)
        with transaction(runtime.sessions) as session:
            chosen = list(product or [])
            if all_mapped:
                rows = session.scalars(select(StoreProduct).where(
                    StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.deleted.is_(False)))
                chosen += [r.product_id for r in rows if category_for(session, feed, r) is not None]
            if not chosen:
                typer.echo("Nothing to sync: give --product ID or --all (mapped products only).", err=True)
                raise typer.Exit(2)
            try:
                run = start_listing(session, feed, sorted(set(chosen)))
            except DataError as exc:
                typer.echo(f"{exc.message} {exc.action or ''}", err=True)
                raise typer.Exit(1) from exc
            run_id, total = run.id, run.total
        _follow(runtime, run_id, total)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)  # type: ignore[attr-defined]


def _follow(runtime: Runtime, run_id: int, total: int) -> None:
    with typer.progressbar(length=total, label="Listing on TikTok Shop") as bar:
        shown = 0
        while True:
            with runtime.sessions() as session:
                run = session.get(SyncRun, run_id)
                assert run is not None
                finished, state, note, failed = run.done + run.failed, run.state, run.note, run.failed
            bar.update(finished - shown)
            shown = finished
            if state == "done":
                break
            if state == "waiting_quota":
                typer.echo(f"\n{note} The rest continues by itself; you can stop this command.")
                return
            time.sleep(0.5)
    typer.echo(f"{total - failed} listed, {failed} failed" + (" (see Listings for the reasons)." if failed else "."))


@sync_app.command("catalog")
def catalog(connection_id: Annotated[int, typer.Option("--connection", help="Store connection id.")]) -> None:
    """Re-read a store's whole catalog now."""
    import asyncio

    from feedbridge.sync.catalog import refresh_catalog

    runtime, _ = _runtime(worker=False)
    count = asyncio.run(refresh_catalog(runtime, connection_id))
    typer.echo(f"Read {count} products.")


@sync_app.command("reconcile")
def reconcile(feed_id: Annotated[int, typer.Option("--feed", help="Feed id.")]) -> None:
    """Compare every linked SKU's price and stock on TikTok with the store now, and repair drift."""
    import asyncio

    from feedbridge.sync.price_stock import reconcile_feed

    runtime, _ = _runtime(worker=False)
    _feed(runtime, feed_id)
    result = asyncio.run(reconcile_feed(runtime, feed_id))
    typer.echo(f"Checked {result['checked']} SKUs; repaired {result['repaired']}.")


@sync_app.command("link")
def link(feed_id: Annotated[int, typer.Option("--feed", help="Feed id.")]) -> None:
    """Queue linking of existing TikTok products to store products with the same SKU."""
    runtime, _ = _runtime(worker=False)
    feed = _feed(runtime, feed_id)
    with transaction(runtime.sessions) as session:
        record_intent(session, "link.by_sku", str(feed.id), {"feed": feed.id}, merchant_id=feed.merchant_id)
    typer.echo("Linking by SKU is queued; a running worker does it.")
