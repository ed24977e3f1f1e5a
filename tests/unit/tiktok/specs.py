"""Locates the TikTok spec files (signing vectors, endpoints, webhooks) for the tests.

Looked up in order: $FEEDBRIDGE_SPECS/tiktok, <repo>/specs/tiktok, /work/shared/specs/tiktok. A missing spec
folder fails the test run: these files are the ground truth the tests check against.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from feedbridge_sandbox.shared import shared_path

REPO = Path(__file__).resolve().parents[3]


def spec_dir() -> Path:
    candidates = []
    if os.environ.get("FEEDBRIDGE_SPECS"):
        candidates.append(Path(os.environ["FEEDBRIDGE_SPECS"]) / "tiktok")
    candidates += [REPO / "specs" / "tiktok", shared_path("specs", "tiktok")]
    for path in candidates:
        if (path / "tiktok-shop-endpoints.json").exists():
            return path
    raise FileNotFoundError(f"TikTok specs not found; set FEEDBRIDGE_SPECS (looked in {candidates})")


@functools.cache
def load(name: str) -> Any:
    """Parse one JSON file of the spec folder (cached)."""
    return json.loads((spec_dir() / name).read_text(encoding="utf-8"))


def endpoints() -> list[dict[str, Any]]:
    return list(load("tiktok-shop-endpoints.json")["endpoints"])


def endpoint(method: str, path: str) -> dict[str, Any]:
    for item in endpoints():
        if item["method"] == method and item["path"] == path:
            return item
    raise KeyError(f"{method} {path} is not in tiktok-shop-endpoints.json")


def sample_response(method: str, path: str) -> dict[str, Any]:
    """The documented sample response envelope of one endpoint."""
    return dict(json.loads(endpoint(method, path)["sample_response_body"]))
