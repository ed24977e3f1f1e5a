"""Schemathesis fuzzes the JSON API from its own /openapi.json with a real API token: never a 5xx, and every
answer matches the documented schema and content type.

The operations are driven one by one with hypothesis (schemathesis' pytest integration does not run on this
pytest version).
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance  # noqa: E402

from feedbridge.runtime import Runtime  # noqa: E402
from feedbridge.stores import PLATFORMS  # noqa: E402
from tests.integration.web.helpers import Visitor, merchant_id, seed_rows  # noqa: E402

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Revoking the fuzzer's own token would leave nothing to fuzz with; revocation has its own tests.
SKIPPED = {("DELETE", "/api/v1/tokens/{token_id}")}


def test_the_api_never_answers_with_a_server_error_and_matches_its_schema(
        web: str, runtime: Runtime, visitor: Visitor, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the fake platform may be connected: fuzzed connections must never reach out to real hosts.
    for name in [p for p in PLATFORMS if p != "fakeshop"]:
        monkeypatch.delitem(PLATFORMS, name)
    visitor.sign_up("fuzz@example.com")
    token = visitor.new_api_token("fuzzer")
    seed_rows(runtime, merchant_id(runtime, "fuzz@example.com"), "Fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{web}/openapi.json")
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1") or (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
        fuzzed.append((operation.method.upper(), operation.path))
    assert len(fuzzed) >= 17, fuzzed
    assert visitor.http.get("/api/v1/me", headers=headers).status_code == 200
