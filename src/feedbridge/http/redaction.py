"""A logging filter that keeps secrets out of every log line.

Known secret values (registered when a client is built) are replaced, and so are values that look like
secrets by their key name (token, secret, password, authorization, sign, key) in `key=value`, JSON and
header forms.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_known: set[str] = set()

_KEY_WORDS = r"(?:access[_-]?token|refresh[_-]?token|x-tts-access-token|token|secret|password|passwd|authorization|x-auth-token|x-shopify-access-token|app_secret|consumer_secret|api[_-]?key|sign|oauth_signature)"
_PATTERNS = [
    # "key": "value"  (JSON)
    re.compile(r'(?i)("' + _KEY_WORDS + r'"\s*:\s*")([^"]+)(")'),
    # key=value (query strings, forms)
    re.compile(r"(?i)\b(" + _KEY_WORDS + r"=)([^&\s'\"]+)()"),
    # Header: value
    re.compile(r"(?i)\b(" + _KEY_WORDS + r":\s*)(?:Bearer\s+|Basic\s+)?([^\s,'\"]+)()"),
]
MASK = "***"


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it appears in a log line."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Return `text` with registered secrets and secret-looking values masked."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    return text


class RedactionFilter(logging.Filter):
    """Masks secrets in the formatted message of every record that passes through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
