"""Shared fixtures for the Shopify unit tests: the stored schema and the captured payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema

from feedbridge_sandbox.shared import shared_path
from feedbridge_sandbox.shopify.schema import load_schema

FIXTURES = shared_path("specs", "shopify", "fixtures")
for parent in Path(__file__).resolve().parents:
    if (parent / "specs" / "shopify" / "fixtures").is_dir():
        FIXTURES = parent / "specs" / "shopify" / "fixtures"
        break


def fixture(name: str) -> Any:
    """A captured payload from specs/shopify/fixtures/."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    return load_schema()
