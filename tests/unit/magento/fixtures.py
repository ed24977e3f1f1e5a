"""Loading the stored Magento fixtures (`{"_meta": ..., "body": ...}`)."""

from __future__ import annotations

import json
from typing import Any

from feedbridge_sandbox.shared import shared_path

FIXTURES = shared_path("specs", "magento", "fixtures")


def fixture(name: str) -> Any:
    """The `body` of specs/magento/fixtures/magento-<name>.docs-example.json."""
    return json.loads((FIXTURES / f"magento-{name}.docs-example.json").read_text())["body"]
