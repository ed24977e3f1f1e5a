"""Store → feedbridge: our copy of the store catalog (store_products), refreshed on changes and on demand.

One direction: the store is the source of truth; we only read it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedbridge.db.models import StoreConnection, StoreProduct, utcnow
from feedbridge.db.session import transaction
from feedbridge.domain.catalog import Product, ProductStatus, Variant, WeightUnit
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def product_to_json(product: Product) -> dict[str, Any]:
    """A JSON-safe dict of a product (Decimals as strings, datetimes ISO)."""
    return {f.name: _plain(getattr(product, f.name)) for f in dataclasses.fields(product)
            if f.name != "variants"} | {"variants": [
                {f.name: _plain(getattr(v, f.name)) for f in dataclasses.fields(v)} for v in product.variants]}


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _dt(value: Any) -> datetime | None:
    return None if not value else datetime.fromisoformat(value)


def product_from_json(data: dict[str, Any]) -> Product:
    """The inverse of product_to_json."""
    variants = [
        Variant(**{**v, "price": Decimal(str(v["price"])), "compare_at_price": _dec(v.get("compare_at_price")),
                   "weight": _dec(v.get("weight")), "weight_unit": WeightUnit(v.get("weight_unit", "kg")),
                   "updated_at": _dt(v.get("updated_at"))})
        for v in data.get("variants", [])
    ]
    fields = {k: v for k, v in data.items() if k != "variants"}
    fields["status"] = ProductStatus(fields.get("status", "active"))
    fields["updated_at"] = _dt(fields.get("updated_at"))
    return Product(**fields, variants=variants)


def save_product(session: Session, connection: StoreConnection, product: Product) -> StoreProduct:
    """Insert or update our copy of one store product."""
    row = session.scalars(select(StoreProduct).where(
        StoreProduct.store_connection_id == connection.id, StoreProduct.product_id == product.id)).first()
    if row is None:
        row = StoreProduct(merchant_id=connection.merchant_id, store_connection_id=connection.id,
                           product_id=product.id)
        session.add(row)
    row.title = product.title[:500]
    row.skus = " ".join(v.sku for v in product.variants)[:5000]
    row.category_ids = list(product.category_ids)
    row.data = product_to_json(product)
    row.deleted = False
    row.updated_at = product.updated_at
    row.fetched_at = utcnow()
    return row


def mark_deleted(session: Session, connection: StoreConnection, product_id: str) -> None:
    row = session.scalars(select(StoreProduct).where(
        StoreProduct.store_connection_id == connection.id, StoreProduct.product_id == product_id)).first()
    if row is not None:
        row.deleted = True
        row.fetched_at = utcnow()


async def refresh_catalog(runtime: Runtime, connection_id: int, page_size: int = 100) -> int:
    """Re-read the whole catalog page by page (never all in memory); returns how many products were read."""
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        assert connection is not None
    store = store_for(runtime, connection)
    seen: set[str] = set()
    try:
        async for page in store.products(page_size=page_size):
            with transaction(runtime.sessions) as session:
                for product in page:
                    save_product(session, connection, product)
                    seen.add(product.id)
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        for row in session.scalars(select(StoreProduct).where(
                StoreProduct.store_connection_id == connection_id, StoreProduct.deleted.is_(False))):
            if row.product_id not in seen:
                row.deleted = True
    return len(seen)


async def refresh_product(runtime: Runtime, connection: StoreConnection, product_id: str) -> Product | None:
    """Re-read one product from the store into our copy; None (and marked deleted) when it is gone."""
    store = store_for(runtime, connection)
    try:
        product = await store.get_product(product_id)
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        if product is None:
            mark_deleted(session, connection, product_id)
        else:
            save_product(session, connection, product)
    return product


def cached_product(session: Session, connection_id: int, product_id: str) -> Product | None:
    row = session.scalars(select(StoreProduct).where(
        StoreProduct.store_connection_id == connection_id, StoreProduct.product_id == product_id)).first()
    if row is None or row.deleted:
        return None
    return product_from_json(row.data)
