"""Benchmarks: each prints its figures and the ratio to its bound. Not part of the test run.

Importing the package puts this worktree's src/ first on sys.path, so `python -m bench` measures this code.
"""

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parent.parent / "src")
if _SRC not in sys.path[:1]:
    sys.path.insert(0, _SRC)
