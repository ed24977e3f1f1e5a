"""Writing the activity log: what happened, to what, and what to do about it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from feedbridge.db.models import Activity


def log_activity(session: Session, merchant_id: int | None, kind: str, message: str, *, level: str = "info",
                 subject: str = "", action: str = "", details: dict[str, Any] | None = None) -> None:
    """Add one entry in the caller's transaction."""
    session.add(Activity(merchant_id=merchant_id, kind=kind, message=message, level=level, subject=subject[:300],
                         action=action, details=details or {}))
