"""Caches the names of a store's categories (store_connection.settings["category_names"]) for the mapping page.

Products carry only category ids; the names come from the store's own category list, read when the mapping
page first needs them and again at most every ten minutes while some id still has no name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from feedbridge.db.models import StoreConnection, utcnow
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for

RETRY_AFTER = timedelta(minutes=10)
MAX_CATEGORIES = 5000


def names_due(connection: StoreConnection, wanted: set[str]) -> bool:
    """Whether the store's category names should be read (never read, or ids unnamed and the last read is old)."""
    settings = connection.settings or {}
    if "category_names" not in settings:
        return True
    if not wanted - set(settings["category_names"]):
        return False
    try:
        last = datetime.fromisoformat(str(settings.get("category_names_at", "")))
    except ValueError:
        return True
    return utcnow() - last > RETRY_AFTER


async def cache_category_names(runtime: Runtime, merchant_id: int, connection_id: int) -> None:
    """Read the store's categories and keep id → name (a full path when the store gives one)."""
    with runtime.sessions() as session:
        connection = session.scalars(select(StoreConnection).where(
            StoreConnection.id == connection_id, StoreConnection.merchant_id == merchant_id)).first()
        if connection is None:
            return
    names: dict[str, str] = {}
    try:
        store = store_for(runtime, connection)
        try:
            async for category in store.categories():
                names[str(category.id)] = " > ".join(category.path) if category.path else category.name
                if len(names) >= MAX_CATEGORIES:
                    break
        finally:
            await store.aclose()
    except Exception:  # names are a convenience: the page shows ids until the store answers
        pass
    with transaction(runtime.sessions) as session:
        row = session.get(StoreConnection, connection_id)
        if row is not None:
            kept = dict((row.settings or {}).get("category_names", {}))
            row.settings = {**(row.settings or {}), "category_names": {**kept, **names},
                            "category_names_at": utcnow().isoformat()}
