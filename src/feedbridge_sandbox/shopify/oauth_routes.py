"""Shopify's OAuth endpoints as the sandbox serves them.

GET /admin/oauth/authorize redirects straight back (the merchant "approves") with code, shop, state, timestamp,
host and a hex `hmac` over the sorted query string. POST /admin/oauth/access_token exchanges a code (offline token,
optionally expiring with `expiring=1`) or a refresh token (`grant_type=refresh_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from feedbridge_sandbox.shopify.app import ShopifySandboxApp

ACCESS_TOKEN_LIFETIME = 3600
REFRESH_TOKEN_LIFETIME = 90 * 24 * 3600


def sign_query(params: dict[str, str], secret: str) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def routes(sandbox: ShopifySandboxApp) -> list[Route]:
    codes: dict[str, str] = {}  # code -> granted scopes

    async def authorize(request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != sandbox.app_install.client_id or not params.get("redirect_uri"):
            return JSONResponse({"errors": "Oauth error invalid_request: The client_id or redirect_uri is invalid"},
                                status_code=400)
        code = secrets.token_hex(16)
        codes[code] = params.get("scope") or sandbox.app_install.scopes
        back = {"code": code, "shop": sandbox.state.domain, "state": params.get("state", ""),
                "timestamp": str(int(sandbox.clock.now())),
                "host": base64.b64encode(f"{sandbox.state.domain}/admin".encode()).decode().rstrip("=")}
        back["hmac"] = sign_query(back, sandbox.app_install.client_secret)
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode(back)}", status_code=302)

    def issue(expiring: bool, scope: str) -> dict[str, Any]:
        token = "shpat_" + secrets.token_hex(16)
        sandbox.app_install.token_scopes[token] = set(scope.split(","))
        answer: dict[str, Any] = {"access_token": token, "scope": scope}
        if not expiring:
            sandbox.app_install.access_tokens[token] = None
            return answer
        sandbox.app_install.access_tokens[token] = sandbox.clock.now() + ACCESS_TOKEN_LIFETIME
        refresh = "shprt_" + secrets.token_hex(16)
        sandbox.app_install.refresh_tokens[refresh] = (sandbox.clock.now() + REFRESH_TOKEN_LIFETIME, scope)
        answer.update(expires_in=ACCESS_TOKEN_LIFETIME, refresh_token=refresh,
                      refresh_token_expires_in=REFRESH_TOKEN_LIFETIME)
        return answer

    async def access_token(request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            data: dict[str, Any] = dict(await request.json())
        else:
            data = dict(await request.form())
        app = sandbox.app_install
        if data.get("client_id") != app.client_id or not hmac.compare_digest(
                str(data.get("client_secret", "")), app.client_secret):
            return JSONResponse({"error": "invalid_client", "error_description": "Client credentials are invalid"},
                                status_code=400)
        if data.get("grant_type") == "refresh_token":
            refresh = str(data.get("refresh_token", ""))
            expiry, scope = app.refresh_tokens.pop(refresh, (None, ""))
            if expiry is None or expiry < sandbox.clock.now():
                return JSONResponse({"error": "invalid_grant", "error_description": "Refresh token is invalid"},
                                    status_code=400)
            return JSONResponse(issue(expiring=True, scope=scope))
        code = str(data.get("code", ""))
        if code not in codes:
            return JSONResponse({"error": "invalid_request",
                                 "error_description": "The authorization code was not found or was already used"},
                                status_code=400)
        scope = codes.pop(code)
        return JSONResponse(issue(expiring=str(data.get("expiring", "0")) == "1", scope=scope))

    return [
        Route("/admin/oauth/authorize", authorize, methods=["GET"]),
        Route("/admin/oauth/access_token", access_token, methods=["POST"]),
    ]
