"""Error types shared by every layer; the dashboard shows their messages verbatim.

RetryableError: a transient failure; the job is tried again after `delay` seconds.
ConfigError: something the merchant or operator must change; says what.
DataError: invalid data; says which field and why.
PlatformError: a platform answered with an error code we do not treat specially.
"""

from __future__ import annotations


class FeedbridgeError(Exception):
    """Base of every error feedbridge raises on purpose."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action = action

    def __str__(self) -> str:
        return self.message if not self.action else f"{self.message} {self.action}"


class RetryableError(FeedbridgeError):
    """A transient failure (timeout, 5xx, rate limit). Retried after `delay` seconds."""

    def __init__(self, message: str, *, delay: float | None = None, action: str | None = None) -> None:
        super().__init__(message, action=action)
        self.delay = delay


class ConfigError(FeedbridgeError):
    """The merchant or operator must change a setting or reconnect; `action` says what."""


class DataError(FeedbridgeError):
    """Invalid data; `field` names it, the message says why."""

    def __init__(self, message: str, *, field: str | None = None, action: str | None = None) -> None:
        super().__init__(message, action=action)
        self.field = field


class PlatformError(FeedbridgeError):
    """A platform answered with an error; carries its code, message and request id."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        code: int | str | None = None,
        request_id: str | None = None,
        status: int | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(message, action=action)
        self.platform = platform
        self.code = code
        self.request_id = request_id
        self.status = status

    def __str__(self) -> str:
        parts = [f"{self.platform} error"]
        if self.code is not None:
            parts.append(f"{self.code}")
        text = " ".join(parts) + f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        if self.action:
            text += f" {self.action}"
        return text


class AuthError(PlatformError):
    """Credentials were refused or expired; the connection must be re-authorized."""
