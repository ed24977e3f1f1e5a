"""Every GraphQL document feedbridge (and its Shopify sandbox tooling) sends is valid against the stored
Admin API 2026-04 schema."""

from __future__ import annotations

import pytest
from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql.validation import NoDeprecatedCustomRule

from feedbridge.stores.shopify import documents
from feedbridge_sandbox.shopify import seed
from tests.contract import harness_shopify

ADAPTER = sorted(documents.ALL.items())
TOOLING = sorted({**{f"seed.{k}": v for k, v in seed.DOCUMENTS.items()},
                  **{f"harness.{k}": v for k, v in harness_shopify.DOCUMENTS.items()}}.items())


def test_the_document_list_names_every_adapter_constant() -> None:
    constants = {name for name, value in vars(documents).items()
                 if isinstance(value, str) and ("query " in value or "mutation " in value) and name.isupper()}
    assert constants == set(documents.ALL)


@pytest.mark.parametrize(("name", "document"), ADAPTER, ids=[n for n, _ in ADAPTER])
def test_adapter_document_is_valid_against_the_2026_04_schema(schema: GraphQLSchema, name: str,
                                                              document: str) -> None:
    assert [e.message for e in validate(schema, parse(document))] == []


@pytest.mark.parametrize(("name", "document"), ADAPTER, ids=[n for n, _ in ADAPTER])
def test_adapter_document_uses_no_deprecated_field(schema: GraphQLSchema, name: str, document: str) -> None:
    assert [e.message for e in validate(schema, parse(document), [NoDeprecatedCustomRule])] == []


@pytest.mark.parametrize(("name", "document"), TOOLING, ids=[n for n, _ in TOOLING])
def test_seed_and_harness_documents_are_valid(schema: GraphQLSchema, name: str, document: str) -> None:
    assert [e.message for e in validate(schema, parse(document))] == []


def test_an_invalid_document_is_caught(schema: GraphQLSchema) -> None:
    errors = validate(schema, parse("query { shop { currency } }"))
    assert errors, "the validation must be able to fail"


def test_mutations_that_require_an_idempotency_key_carry_one(schema: GraphQLSchema) -> None:
    mutation = schema.mutation_type
    assert mutation is not None
    required = {name for name, field in mutation.fields.items()
                if field.description and "idempotency key is required" in field.description}
    checked = 0
    for _, document in ADAPTER + TOOLING:
        for definition in parse(document).definitions:
            if not isinstance(definition, OperationDefinitionNode) or definition.operation.value != "mutation":
                continue
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode) and selection.name.value in required:
                    checked += 1
                    assert any(d.name.value == "idempotent" for d in selection.directives or ()), selection.name.value
    assert "inventorySetQuantities" in required and checked >= 2  # the seed's and the harness's stock writes
