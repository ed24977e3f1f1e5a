"""Drill options: `--drill-size=small|large` (or FEEDBRIDGE_DRILL_SIZE); small runs in CI."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--drill-size", default=None, choices=("small", "large"),
                     help="How much load the failure drills apply (default: FEEDBRIDGE_DRILL_SIZE or small).")


@pytest.fixture
def drill_size(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--drill-size") or os.environ.get("FEEDBRIDGE_DRILL_SIZE", "small"))
