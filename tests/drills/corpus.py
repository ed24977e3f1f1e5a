"""Seed corpora for fuzzing, read from the shared specs (real captured payloads and documented examples), and
hypothesis strategies that mutate them: replace any value with arbitrary JSON, drop keys, truncate bytes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The shared folder: the repository's sibling `../shared` first, then /work/shared."""
    for candidate in (ROOT.parent / "shared", Path("/work/shared")):
        if (candidate / "specs").is_dir():
            return candidate
    raise FileNotFoundError("no shared/specs folder next to the repository or at /work/shared")


@cache
def fixtures(platform: str) -> dict[str, Any]:
    """Every JSON fixture of one platform by file name; a documented example's `body` is unwrapped."""
    folder = shared_dir() / "specs" / platform / "fixtures"
    found: dict[str, Any] = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "body" in data and "_meta" in data:
            data = data["body"]
        found[path.name] = data
    return found


@cache
def tiktok_webhook_examples() -> list[dict[str, Any]]:
    """TikTok's documented webhook event examples (one per webhook type)."""
    spec = json.loads((shared_dir() / "specs" / "tiktok" / "tiktok-shop-webhooks.json").read_text())
    examples = []
    for hook in spec["webhooks"]:
        try:
            example = json.loads(hook.get("event_example_text") or "")
        except ValueError:
            continue
        if isinstance(example, dict):
            examples.append(example)
    return examples


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64) |
    st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, seed: Any, max_changes: int = 4) -> Any:
    """`seed` with up to `max_changes` values replaced by arbitrary JSON or keys removed."""
    value = json.loads(json.dumps(seed))
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        paths = list(_paths(value))
        if not paths:
            return draw(json_values)
        path = draw(st.sampled_from(paths))
        if not path:
            value = draw(json_values)
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


@st.composite
def body_bytes(draw: st.DrawFn, seeds: list[Any]) -> bytes:
    """A request body: a mutated seed as JSON, that JSON truncated, or arbitrary bytes."""
    choice = draw(st.integers(min_value=0, max_value=3))
    if choice == 3:
        return draw(st.binary(max_size=300))
    text = json.dumps(draw(mutated(draw(st.sampled_from(seeds))))).encode()
    if choice == 2:
        return text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text
