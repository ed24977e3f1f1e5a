"""The gate every Open API request passes: app_key, timestamp window, signature, token, shop_cipher, rate limit.

`api_route` wraps a handler `(runtime, ctx) -> data` into a Starlette route that answers with TikTok's
envelope; handlers raise `ApiError` for TikTok error answers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.tiktok.api import (
    COMMON_PARAM,
    EXPIRED_TOKEN,
    INVALID_SIGN,
    INVALID_TOKEN,
    MISSING_SHOP_CIPHER,
    RATE_LIMITED,
    ApiError,
    fail,
    new_request_id,
    ok,
)
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.signing import sign_matches
from feedbridge_sandbox.tiktok.state import Grant, Shop

log = logging.getLogger(__name__)

TIMESTAMP_PAST = 300     # a request may be signed up to 5 minutes ago
TIMESTAMP_FUTURE = 30    # ... or 30 seconds ahead of TikTok's clock

REQUIRED, OPTIONAL, NONE = "required", "optional", "none"


@dataclass
class Ctx:
    """One verified request."""

    request: Request
    query: dict[str, str]
    raw_body: bytes
    grant: Grant
    shop: Shop | None
    path_params: dict[str, str] = field(default_factory=dict)
    _json: Any = None

    def body(self) -> dict[str, Any]:
        """The JSON body as an object ({} when empty); a non-object body is an invalid-parameter error."""
        if self._json is None:
            if not self.raw_body.strip():
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.raw_body)
                except ValueError as exc:
                    raise ApiError(COMMON_PARAM, f"The request body is not valid JSON: {exc}",
                                   status=400) from exc
            if not isinstance(self._json, dict):
                raise ApiError(COMMON_PARAM, "The request body must be a JSON object.", status=400)
        body: dict[str, Any] = self._json
        return body

    def need_shop(self) -> Shop:
        """The shop of the request; 106013 when no shop_cipher was sent."""
        if self.shop is None:
            raise ApiError(MISSING_SHOP_CIPHER, status=400)
        return self.shop


Handler = Callable[[Runtime, Ctx], Awaitable[Any]]


def _unauthorized(code: int, message: str | None = None) -> ApiError:
    return ApiError(code, message, status=401)


async def verify(runtime: Runtime, request: Request, shop_mode: str, template: str) -> Ctx:
    """Check a request the way TikTok's gateway does; raise ApiError on the first problem found."""
    state = runtime.state
    query = dict(request.query_params)
    raw = await request.body()
    app_key = query.get("app_key", "")
    if not app_key:
        raise _unauthorized(COMMON_PARAM, "Missing required common parameter: app_key.")
    if app_key != state.app.app_key:
        raise _unauthorized(COMMON_PARAM, "Invalid app_key. Check the app_key of your app.")
    if not query.get("sign"):
        raise _unauthorized(COMMON_PARAM, "Missing required common parameter: sign.")
    stamp = query.get("timestamp", "")
    if not stamp.isdigit():
        raise _unauthorized(COMMON_PARAM, "Missing or invalid common parameter: timestamp.")
    # The signing window is checked against wall time: advancing the sandbox clock simulates business time
    # passing (reviews, on-hold windows, token expiry), not a client whose clock is wrong.
    wall = time.time()
    if not wall - TIMESTAMP_PAST <= int(stamp) <= wall + TIMESTAMP_FUTURE:
        raise _unauthorized(COMMON_PARAM, "Invalid timestamp. The timestamp must be within 5 minutes before "
                                          "and 30 seconds after the current time.")
    multipart = request.headers.get("content-type", "").lower().startswith("multipart/form-data")
    if not sign_matches(state.app.app_secret, request.url.path, query, raw, multipart, query["sign"]):
        raise _unauthorized(INVALID_SIGN)
    access_token = request.headers.get("x-tts-access-token", "")
    grant = state.grant_for_access_token(access_token) if access_token else None
    if grant is None or grant.revoked:
        raise _unauthorized(INVALID_TOKEN)
    if grant.access_expires <= state.clock.now():
        raise _unauthorized(EXPIRED_TOKEN)
    cipher = query.get("shop_cipher", "")
    shop: Shop | None = None
    if cipher and shop_mode == NONE:
        raise ApiError(COMMON_PARAM, "Unexpected identifier. The `shop_cipher` query parameter is not required "
                                     "for this request.", status=400)
    if cipher:
        shop = state.shop_by_cipher(cipher)
        if shop is None or shop.id not in grant.shop_ids:
            raise _unauthorized(COMMON_PARAM, "Invalid shop_cipher: the access token was not granted for "
                                              "this shop.")
    elif shop_mode == REQUIRED:
        raise ApiError(MISSING_SHOP_CIPHER, status=400)
    limit_key = f"{app_key}|{shop.id if shop else grant.access_token}|{request.method} {template}"
    if not runtime.limiter.hit(limit_key):
        raise ApiError(RATE_LIMITED, status=429)
    return Ctx(request, query, raw, grant, shop, dict(request.path_params))


def api_route(runtime: Runtime, method: str, path: str, handler: Handler, shop_mode: str = REQUIRED) -> Route:
    """A Starlette route for one Open API endpoint."""

    async def endpoint(request: Request) -> Response:
        runtime.tick()
        runtime.base_url = str(request.base_url).rstrip("/")
        request_id = new_request_id()
        try:
            ctx = await verify(runtime, request, shop_mode, path)
            data = await handler(runtime, ctx)
        except ApiError as error:
            return fail(error, request_id)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A field of the wrong type or shape: TikTok answers a parameter error, never a bare 500.
            log.info("bad parameters on %s %s: %r", method, path, exc)
            return fail(ApiError(COMMON_PARAM, f"Invalid request parameters: {exc}", status=400), request_id)
        if isinstance(data, JSONResponse):
            return data
        return ok(data, request_id)

    return Route(path, endpoint, methods=[method], name=f"{method} {path}")
