"""Authorization: the auth host's token endpoints, the seller's consent page, and the shop lists.

The auth host (`/api/v2/token/get`, `/api/v2/token/refresh`) takes app_key + app_secret in the query and no
signature, as TikTok's does. Auth codes are single use and expire after 30 minutes; access tokens after seven
days of sandbox time; refreshing issues a new access token and keeps the refresh token.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.tiktok.api import COMMON_PARAM, ApiError, envelope, fail
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import ACCESS_TOKEN_TTL, Grant

INVALID_AUTH_CODE = 36004004
INVALID_REFRESH_TOKEN = 36004005
SCOPES = ["seller.authorization.info", "seller.product.basic", "seller.product.write", "seller.product.delete",
          "seller.order.info", "seller.fulfillment.basic", "seller.fulfillment.package.write",
          "seller.logistics", "seller.return_refund.basic", "seller.shop.info"]


def token_data(runtime: Runtime, grant: Grant) -> dict[str, Any]:
    """The `data` of a token answer (expiry fields are Unix timestamps, not lifetimes)."""
    shop = runtime.state.shops[grant.shop_ids[0]]
    return {"access_token": grant.access_token, "access_token_expire_in": int(grant.access_expires),
            "refresh_token": grant.refresh_token, "refresh_token_expire_in": int(grant.refresh_expires),
            "open_id": shop.open_id, "seller_name": shop.seller_name, "seller_base_region": shop.region,
            "user_type": 0, "granted_scopes": SCOPES}


def _check_app(runtime: Runtime, request: Request) -> None:
    app = runtime.state.app
    if request.query_params.get("app_key") != app.app_key or request.query_params.get(
            "app_secret") != app.app_secret:
        raise ApiError(COMMON_PARAM, "Invalid app_key or app_secret.", status=401)


def token_routes(runtime: Runtime) -> list[Route]:
    """GET /api/v2/token/get and /api/v2/token/refresh on the auth host."""

    async def get_token(request: Request) -> Response:
        state = runtime.state   # looked up per call: a reset swaps the state object
        try:
            _check_app(runtime, request)
            if request.query_params.get("grant_type") != "authorized_code":
                raise ApiError(COMMON_PARAM, "grant_type must be authorized_code.", status=400)
            code = state.codes.get(request.query_params.get("auth_code", ""))
            if code is None or code.used or code.expires <= state.clock.now():
                raise ApiError(INVALID_AUTH_CODE, "invalid auth code", status=400)
            code.used = True
            grant = state.issue_grant(code.shop_ids)
        except ApiError as error:
            return fail(error)
        return JSONResponse(envelope(token_data(runtime, grant)))

    async def refresh(request: Request) -> Response:
        state = runtime.state
        try:
            _check_app(runtime, request)
            if request.query_params.get("grant_type") != "refresh_token":
                raise ApiError(COMMON_PARAM, "grant_type must be refresh_token.", status=400)
            old = state.grant_for_refresh_token(request.query_params.get("refresh_token", ""))
            if old is None or old.revoked or old.refresh_expires <= state.clock.now():
                raise ApiError(INVALID_REFRESH_TOKEN, "invalid refresh token", status=400)
            grant = state.issue_grant(old.shop_ids)
            grant.refresh_token, grant.refresh_expires = old.refresh_token, old.refresh_expires
            grant.access_expires = state.clock.now() + ACCESS_TOKEN_TTL
        except ApiError as error:
            return fail(error)
        return JSONResponse(envelope(token_data(runtime, grant)))

    return [Route("/api/v2/token/get", get_token, methods=["GET"]),
            Route("/api/v2/token/refresh", refresh, methods=["GET"])]


def consent_routes(runtime: Runtime) -> list[Route]:
    """The seller's consent page (/oauth/authorize, /open/authorize): approve → redirect with ?code&state.

    Query: app_key or service_id, state, optional redirect_uri (else the app's configured redirect) and
    shop_id (default: the first shop). With no redirect target the page shows the code.
    """

    async def authorize(request: Request) -> Response:
        state = runtime.state
        params = request.query_params
        if params.get("app_key", state.app.app_key) != state.app.app_key or params.get(
                "service_id", state.app.service_id) != state.app.service_id:
            return HTMLResponse("<h1>Unknown app</h1>", status_code=400)
        shop_id = params.get("shop_id") or next(iter(state.shops))
        if shop_id not in state.shops:
            return HTMLResponse("<h1>Unknown shop</h1>", status_code=400)
        if params.get("deny"):
            target = params.get("redirect_uri") or runtime.redirect_url
            denied = urlencode({"code": "null", "error": "auth_denied", "state": params.get("state", "")})
            return RedirectResponse(f"{target}?{denied}", status_code=302)
        code = state.new_auth_code([shop_id])
        target = params.get("redirect_uri") or runtime.redirect_url
        if target:
            query = {"code": code.code, **({"state": params["state"]} if "state" in params else {})}
            return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{urlencode(query)}",
                                    status_code=302)
        shop = state.shops[shop_id]
        return HTMLResponse(f"<h1>Authorized {html.escape(shop.name)}</h1><p>code: <code>{code.code}</code></p>")

    return [Route("/oauth/authorize", authorize, methods=["GET"]),
            Route("/open/authorize", authorize, methods=["GET"])]


async def authorized_shops(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /authorization/202309/shops: every shop the token was granted for."""
    return {"shops": [runtime.state.shops[i].as_api() for i in ctx.grant.shop_ids]}


async def active_shops(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /seller/202309/shops."""
    return {"shops": [{"id": i, "region": runtime.state.shops[i].region} for i in ctx.grant.shop_ids]}


async def permissions(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /seller/202309/permissions."""
    return {"permissions": ["CAN_USE_SELLER_SHIPPING", "CAN_USE_TIKTOK_SHIPPING"]}


EXPIRY_NOTICE_WINDOW = 30 * 86400


def expiry_notice_ticker(runtime: Runtime) -> None:
    """From 30 days before an authorization ends, send UPCOMING_AUTHORIZATION_EXPIRATION (type 7) once a day."""
    state = runtime.state
    now = state.clock.now()
    for grant in state.grants:
        if grant.revoked or not now < grant.refresh_expires <= now + EXPIRY_NOTICE_WINDOW:
            continue
        if now - grant.expiry_notice_at < 86400:
            continue
        if any(g is not grant and g.refresh_token == grant.refresh_token and g.expiry_notice_at >= now - 86400
               for g in state.grants):
            continue   # one notice per authorization, not per refreshed access token
        grant.expiry_notice_at = now
        for shop_id in grant.shop_ids:
            runtime.notify(shop_id, "UPCOMING_AUTHORIZATION_EXPIRATION", {
                "message": "The seller authorization for your app expires soon. Ask the seller to authorize "
                           "the app again.", "expiration_time": int(grant.refresh_expires)})
