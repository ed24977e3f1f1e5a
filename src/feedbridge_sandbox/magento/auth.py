"""Request authentication as Magento does it: OAuth 1.0a signatures (HMAC-SHA256 or HMAC-SHA1) for
integrations, and bearer tokens (admin tokens, or integration tokens when the store allows them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

PARAM = re.compile(r'(\w+)="([^"]*)"')
MAX_SKEW = 600  # seconds a timestamp may differ from the store's clock


def enc(value: str) -> str:
    return quote(value, safe="-._~")


@dataclass
class Integration:
    """One activated integration: its four OAuth values and whether its token may be used as a bearer."""

    consumer_key: str = field(default_factory=lambda: secrets.token_hex(16))
    consumer_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    access_token: str = field(default_factory=lambda: secrets.token_hex(16))
    access_token_secret: str = field(default_factory=lambda: secrets.token_hex(16))

    def credentials(self) -> dict[str, str]:
        return {"consumer_key": self.consumer_key, "consumer_secret": self.consumer_secret,
                "access_token": self.access_token, "access_token_secret": self.access_token_secret}


def signature(method: str, url: str, query: list[tuple[str, str]], oauth: dict[str, str],
              consumer_secret: str, token_secret: str) -> str:
    """The OAuth 1.0a signature over method, URL (no query) and query + oauth parameters (RFC 5849)."""
    pairs = [(enc(k), enc(v)) for k, v in query] + [(enc(k), enc(v)) for k, v in oauth.items()
                                                      if k not in ("oauth_signature", "realm")]
    normalized = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    base = f"{method.upper()}&{enc(url)}&{enc(normalized)}"
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    digest = hashlib.sha1 if oauth.get("oauth_signature_method") == "HMAC-SHA1" else hashlib.sha256
    return base64.b64encode(hmac.new(key, base.encode(), digest).digest()).decode()


class Authenticator:
    """Checks the Authorization header of each API request; remembers nonces to refuse replays."""

    def __init__(self, integration: Integration, *, allow_bearer: bool = False,
                 admin_tokens: set[str] | None = None) -> None:
        self.integration = integration
        self.allow_bearer = allow_bearer
        self.admin_tokens = admin_tokens or set()
        self._nonces: dict[str, float] = {}

    def check(self, method: str, url: str, query: list[tuple[str, str]], header: str) -> str | None:
        """None when the request is authorized, else the reason."""
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
            if token in self.admin_tokens:
                return None
            if self.allow_bearer and hmac.compare_digest(token, self.integration.access_token):
                return None
            return "bearer token refused"
        if not header.startswith("OAuth "):
            return "no credentials"
        oauth = {k: unquote(v) for k, v in PARAM.findall(header)}
        it = self.integration
        if oauth.get("oauth_consumer_key") != it.consumer_key or oauth.get("oauth_token") != it.access_token:
            return "unknown consumer or token"
        if oauth.get("oauth_signature_method") not in ("HMAC-SHA256", "HMAC-SHA1"):
            return "unsupported signature method"
        try:
            stamp = int(oauth.get("oauth_timestamp", "0"))
        except ValueError:
            return "bad timestamp"
        now = time.time()
        if abs(now - stamp) > MAX_SKEW:
            return "timestamp outside the allowed window"
        nonce = oauth.get("oauth_nonce", "")
        if not nonce or nonce in self._nonces:
            return "nonce reused"
        expected = signature(method, url, query, oauth, it.consumer_secret, it.access_token_secret)
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            return "signature mismatch"
        self._nonces = {n: t for n, t in self._nonces.items() if now - t < MAX_SKEW}
        self._nonces[nonce] = now
        return None


def sign_header(method: str, url: str, query: list[tuple[str, str]], integration: Integration) -> str:
    """An OAuth 1.0a Authorization header for one request (used by the seeder and control tools)."""
    oauth = {"oauth_consumer_key": integration.consumer_key, "oauth_nonce": secrets.token_hex(12),
             "oauth_signature_method": "HMAC-SHA256", "oauth_timestamp": str(int(time.time())),
             "oauth_token": integration.access_token, "oauth_version": "1.0"}
    oauth["oauth_signature"] = signature(method, url, query, oauth, integration.consumer_secret,
                                         integration.access_token_secret)
    return "OAuth " + ", ".join(f'{k}="{enc(v)}"' for k, v in oauth.items())
