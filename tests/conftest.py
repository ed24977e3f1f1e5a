"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with FEEDBRIDGE_TEST_DB=postgresql),
a runtime with a real SQLite huey queue, and settings in a temporary home.

Tests that use the database are marked `db` automatically; the PostgreSQL pass runs `-m db`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from feedbridge.db import session as db
from feedbridge.db.models import Base
from feedbridge.runtime import Runtime, build_runtime
from feedbridge.settings import Settings, load_settings

DB_FIXTURES = {"database_url", "runtime", "settings", "sessions"}
PG_ADMIN = os.environ.get("FEEDBRIDGE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def backend() -> str:
    return os.environ.get("FEEDBRIDGE_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    import psycopg

    name = f"feedbridge_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    db.upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test."""
    if backend() == "postgresql":
        url: str = request.getfixturevalue("_pg_database")
        engine = db.make_engine(url)
        with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield url
    else:
        path = tmp_path / "feedbridge.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home", database_url=database_url,
                         queue_url=f"sqlite:///{tmp_path / 'queue.db'}", sandbox_mode=True,
                         retry_base_seconds=0.05, retry_cap_seconds=0.5)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(settings, migrate=False)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def sessions(runtime: Runtime):  # type: ignore[no-untyped-def]
    return runtime.sessions
