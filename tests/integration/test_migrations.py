"""Migrations run on SQLite and PostgreSQL: upgrade from empty, downgrade one step and back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from feedbridge.db import session as db
from feedbridge.db.models import Base
from tests.conftest import PG_ADMIN, backend

pytestmark = pytest.mark.db


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    if backend() != "postgresql":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    import psycopg

    name = f"feedbridge_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_model_table(empty_url: str) -> None:
    db.upgrade(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)


def test_downgrade_one_step_and_back(empty_url: str) -> None:
    db.upgrade(empty_url)
    head_tables = _tables(empty_url)
    script = ScriptDirectory.from_config(db.alembic_config(empty_url))
    head = script.get_revision(script.get_current_head())
    db.downgrade(empty_url, head.down_revision or "base")
    assert _tables(empty_url) != head_tables
    db.upgrade(empty_url)
    assert _tables(empty_url) == head_tables


def test_models_match_migrations(empty_url: str) -> None:
    """Autogenerate finds nothing to add: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db.upgrade(empty_url)
    engine = db.make_engine(empty_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    significant = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
    assert significant == []


def test_postgres_url_is_used_when_configured() -> None:
    assert backend() in ("sqlite", "postgresql")
    if backend() == "postgresql":
        assert os.environ.get("FEEDBRIDGE_TEST_DB") == "postgresql"
