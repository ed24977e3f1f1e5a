"""Logging set-up: plain or JSON lines, always through the redaction filter, with the current job's context.

While a worker runs an intent, every log record (from feedbridge, httpx, huey...) carries `intent_id` and
`intent_kind`, so a log shipper can group one job's lines; see `log_context`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from feedbridge.http.redaction import RedactionFilter, redact

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("feedbridge_log_context",
                                                                               default=None)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Attach `fields` (e.g. intent_id, intent_kind) to every record logged inside the block, in this thread
    and in the asyncio tasks it starts."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    """The fields `log_context` attached here (empty outside a job)."""
    return dict(_context.get() or {})


class ContextFilter(logging.Filter):
    """Copies the job context onto each record (as attributes), plus the process id."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        record.feedbridge_context = context
        for key, value in context.items():
            setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process or os.getpid(),
        }
        entry.update(getattr(record, "feedbridge_context", None) or {})
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class PlainFormatter(logging.Formatter):
    """Human-readable lines; a job's context is appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = getattr(record, "feedbridge_context", None)
        if context:
            text += " [" + " ".join(f"{k}={v}" for k, v in context.items()) + "]"
        return text


def setup_logging(level: str = "INFO", as_json: bool = False) -> None:
    """Configure the root logger once; every handler gets the context and redaction filters."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else PlainFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactionFilter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    # uvicorn and huey install their own handlers; route their records through ours (JSON in production).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "huey", "huey.consumer"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
