"""Reaching the production services of this machine for drills: PostgreSQL and Redis, or a clean skip.

FEEDBRIDGE_TEST_PG_ADMIN (default postgresql://postgres@127.0.0.1:5432/postgres) and FEEDBRIDGE_TEST_REDIS
(default redis://127.0.0.1:6379) point elsewhere; each test run gets its own database and Redis db number.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

PG_ADMIN = os.environ.get("FEEDBRIDGE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("FEEDBRIDGE_TEST_REDIS", "redis://127.0.0.1:6379").rstrip("/")
# Redis db numbers kept for these tests, so they never touch another db's queue.
REDIS_DBS = {"limits": 13, "ops": 12, "drill": 14, "shutdown": 11}


def redis_url_or_skip(purpose: str) -> str:
    """A flushed Redis db for `purpose`; skips the test when Redis does not answer."""
    try:
        import redis
    except ImportError:
        pytest.skip("the redis package is not installed (pip install feedbridge[redis])")
    url = f"{REDIS_BASE}/{REDIS_DBS[purpose]}"
    try:
        client: Any = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_BASE} ({type(exc).__name__})")
    return url


@contextmanager
def postgres_database_or_skip() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); skips the test when PostgreSQL does not answer."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install feedbridge[postgres])")
    name = f"feedbridge_drill_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN.rsplit('@', 1)[-1]} ({type(exc).__name__})")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
