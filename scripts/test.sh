#!/usr/bin/env bash
# The whole suite: lint, types, tests on SQLite, then the database tests again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
export PATH="$BIN:$PATH"

bash scripts/services.sh

echo "== ruff"; "$BIN/ruff" check src tests bench
echo "== mypy"; "$BIN/mypy"
echo "== tests on SQLite"
FEEDBRIDGE_TEST_DB=sqlite "$BIN/pytest" -q -p no:cacheprovider "$@"
echo "== database tests on PostgreSQL"
FEEDBRIDGE_TEST_DB=postgresql "$BIN/pytest" -q -p no:cacheprovider -m db "$@"
