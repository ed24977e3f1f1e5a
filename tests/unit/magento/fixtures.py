"""Loading the stored Magento fixtures (`{"_meta": ..., "body": ...}`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FIXTURES = Path(os.environ.get("FEEDBRIDGE_SHARED", "/work/shared")) / "specs/magento/fixtures"


def fixture(name: str) -> Any:
    """The `body` of specs/magento/fixtures/magento-<name>.docs-example.json."""
    return json.loads((FIXTURES / f"magento-{name}.docs-example.json").read_text())["body"]
