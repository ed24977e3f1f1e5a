"""Run every benchmark module (bench/bench_*.py) in turn: `python -m bench [--size full] [name ...]`.

`--size full` is the same as BENCH_SIZE=full (the full sizes each module documents)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    if "--size" in argv:
        at = argv.index("--size")
        os.environ["BENCH_SIZE"] = argv[at + 1] if at + 1 < len(argv) else "full"
        argv = argv[:at] + argv[at + 2:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = [n for n in names if not argv or any(a in n for a in argv)]
    for name in chosen:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
