"""Logging set-up: plain or JSON lines, always through the redaction filter."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from feedbridge.http.redaction import RedactionFilter, redact


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)


def setup_logging(level: str = "INFO", as_json: bool = False) -> None:
    """Configure the root logger once; every handler gets the redaction filter."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactionFilter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
