"""Installing feedbridge in a Shopify store: authorization code grant for an offline token.

1. `authorize_url(...)` — send the merchant there; Shopify asks them to approve the scopes.
2. Shopify redirects to our callback with code, shop, state, timestamp and a hex `hmac`;
   `verify_callback(...)` checks that HMAC (constant time), the state we issued and the shop's host name.
3. `exchange_code(...)` turns the code into an offline access token (optionally the expiring kind, which comes
   with a refresh token); `refresh_access_token(...)` renews an expiring one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from feedbridge.errors import AuthError, DataError
from feedbridge.http.hmac_tools import hmac_sha256_hex, same
from feedbridge.http.redaction import register_secret

SCOPES = (
    "read_products", "read_inventory", "read_locations",
    "read_orders", "write_orders",
    "read_merchant_managed_fulfillment_orders", "write_merchant_managed_fulfillment_orders",
)
_SHOP = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")
CALLBACK_MAX_AGE = 24 * 3600


@dataclass(frozen=True, slots=True)
class OfflineToken:
    """What Shopify issues for a store: the token, its scopes, and for expiring tokens the refresh token."""

    access_token: str
    scope: str
    expires_at: float | None = None
    refresh_token: str | None = None
    refresh_token_expires_at: float | None = None

    def credentials(self, client_secret: str, client_id: str = "") -> dict[str, Any]:
        """The credentials mapping ShopifyAdapter takes."""
        data: dict[str, Any] = {"access_token": self.access_token, "client_secret": client_secret}
        if self.refresh_token:
            data.update(refresh_token=self.refresh_token, client_id=client_id, expires_at=self.expires_at)
        return data


def valid_shop_domain(shop: str) -> bool:
    """True for a `<name>.myshopify.com` host name (the only shops Shopify redirects from)."""
    return bool(_SHOP.match(shop or ""))


def authorize_url(shop: str, client_id: str, redirect_uri: str, state: str,
                  scopes: Sequence[str] = SCOPES, *, base_url: str | None = None) -> str:
    """The URL that asks the merchant to install the app with `scopes` (offline access)."""
    if base_url is None and not valid_shop_domain(shop):
        raise DataError(f"{shop!r} is not a Shopify store address; enter <name>.myshopify.com", field="shop")
    root = (base_url or f"https://{shop}").rstrip("/")
    query = urlencode({"client_id": client_id, "scope": ",".join(scopes), "redirect_uri": redirect_uri,
                       "state": state})
    return f"{root}/admin/oauth/authorize?{query}"


def callback_hmac(params: Mapping[str, str], client_secret: str) -> str:
    """Shopify's callback HMAC: hex HMAC-SHA256 of the other parameters, sorted, joined as k=v with &."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac_sha256_hex(client_secret, message)


def verify_callback(params: Mapping[str, str], client_secret: str, expected_state: str, *,
                    now: float | None = None, check_shop: bool = True) -> bool:
    """True when the callback comes from Shopify for the install we started (HMAC, state, shop, age)."""
    if not same(callback_hmac(params, client_secret), params.get("hmac")):
        return False
    if not same(params.get("state"), expected_state):
        return False
    if check_shop and not valid_shop_domain(params.get("shop", "")):
        return False
    timestamp = params.get("timestamp", "")
    return not (timestamp.isdigit() and abs((now or time.time()) - int(timestamp)) > CALLBACK_MAX_AGE)


def _token(data: Mapping[str, Any], now: float) -> OfflineToken:
    register_secret(data.get("access_token"))
    register_secret(data.get("refresh_token"))
    expires = data.get("expires_in")
    refresh_expires = data.get("refresh_token_expires_in")
    return OfflineToken(access_token=data["access_token"], scope=data.get("scope", ""),
                        expires_at=now + float(expires) if expires else None,
                        refresh_token=data.get("refresh_token"),
                        refresh_token_expires_at=now + float(refresh_expires) if refresh_expires else None)


async def _post_token(base_url: str, form: dict[str, str], http: httpx.AsyncClient | None) -> OfflineToken:
    client = http or httpx.AsyncClient(timeout=30)
    try:
        response = await client.post(f"{base_url.rstrip('/')}/admin/oauth/access_token", json=form,
                                     headers={"Accept": "application/json"})
    finally:
        if http is None:
            await client.aclose()
    if response.status_code != 200:
        raise AuthError(f"Shopify refused the token request: {response.text[:200]}", platform="Shopify",
                        status=response.status_code, action="Start the installation again from feedbridge.")
    return _token(response.json(), time.time())


async def exchange_code(base_url: str, client_id: str, client_secret: str, code: str, *, expiring: bool = False,
                        http: httpx.AsyncClient | None = None) -> OfflineToken:
    """Exchange the callback's code for an offline access token."""
    register_secret(client_secret)
    form = {"client_id": client_id, "client_secret": client_secret, "code": code}
    if expiring:
        form["expiring"] = "1"
    return await _post_token(base_url, form, http)


async def refresh_access_token(base_url: str, client_id: str, client_secret: str, refresh_token: str, *,
                               http: httpx.AsyncClient | None = None) -> OfflineToken:
    """Renew an expiring offline token; Shopify returns a new refresh token too."""
    register_secret(client_secret)
    form = {"client_id": client_id, "client_secret": client_secret, "grant_type": "refresh_token",
            "refresh_token": refresh_token}
    return await _post_token(base_url, form, http)
