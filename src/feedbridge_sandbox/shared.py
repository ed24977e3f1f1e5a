"""Where the project's shared reference material lives (specs, fixtures, sample catalogs).

Looked up in order: $FEEDBRIDGE_SHARED, the `shared/` folder beside the repository (as the project workspace and
CI lay it out), then /work/shared. These files are third-party data and are not packaged.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The shared folder; the first candidate that exists (the last one when none does)."""
    candidates = [Path(p) for p in [os.environ.get("FEEDBRIDGE_SHARED", "")] if p]
    candidates += [REPO.parent / "shared", Path("/work/shared")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def shared_path(*parts: str) -> Path:
    """A path inside the shared folder, e.g. shared_path("specs", "shopify", "fixtures")."""
    return shared_dir().joinpath(*parts)
