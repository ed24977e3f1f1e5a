"""Loads the stored Admin GraphQL 2026-04 SDL once per process and caches validation results per document."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_schema, parse, validate

from feedbridge_sandbox.shared import shared_path

SCHEMA_NAME = "admin-graphql-2026-04.schema.graphql"
SHARED_SPECS = shared_path("specs", "shopify")


def schema_path() -> Path:
    """Where the SDL lives: $FEEDBRIDGE_SHOPIFY_SCHEMA, a `specs/shopify/` folder above this file, or the shared
    specs folder."""
    explicit = os.environ.get("FEEDBRIDGE_SHOPIFY_SCHEMA")
    if explicit:
        return Path(explicit)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "specs" / "shopify" / SCHEMA_NAME
        if candidate.exists():
            return candidate
    bundled = Path(__file__).with_name("data") / SCHEMA_NAME
    if bundled.exists():
        return bundled
    return SHARED_SPECS / SCHEMA_NAME


@functools.lru_cache(maxsize=1)
def load_schema() -> GraphQLSchema:
    """The Admin API schema (about 2 s to build, so once per process)."""
    return build_schema(schema_path().read_text(), assume_valid=True)


@functools.lru_cache(maxsize=512)
def parse_and_validate(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate a document against the schema; errors instead of a document when it is invalid."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (exc,)
    errors = validate(load_schema(), document)
    return (document, ()) if not errors else (None, tuple(errors))
