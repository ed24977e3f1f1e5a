"""The BigCommerce sandbox's ASGI app: auth, the per-store 30-second quota, signed webhooks, routes.

Requests go to `/stores/{store_hash}/v3/...` and `/stores/{store_hash}/v2/...` with `X-Auth-Token`. Every API
answer carries the `X-Rate-Limit-*` headers; once the window's quota is spent the answer is 429 until it
resets. Webhooks are signed as BigCommerce signs them (Standard Webhooks, keyed with the app's client secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from feedbridge_sandbox.bigcommerce.shapes import error_for, v3_error
from feedbridge_sandbox.bigcommerce.state import ApiError, StoreState
from feedbridge_sandbox.control import control_routes
from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender, WindowLimiter
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.core.media import MediaMiddleware

DEFAULT_QUOTA = 150
DEFAULT_WINDOW_MS = 30_000

Handler = Callable[[Request], Awaitable[Response]]


def api(handler: Handler) -> Handler:
    """Turn ApiError and bad JSON into BigCommerce's error envelopes."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as exc:
            return error_for(request.url.path, exc.status, exc.title, exc.errors or None)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error_for(request.url.path, 400, "The request body is not valid JSON.")

    return wrapped


async def body_of(request: Request) -> Any:
    """The JSON body (400 on bad JSON via `api`)."""
    raw = await request.body()
    return json.loads(raw) if raw else {}


class BigCommerceSandbox:
    """Shared pieces every route module uses: state, clock, credentials, quota, webhook sender."""

    def __init__(self, *, store_hash: str = "sbx1a2b3c", access_token: str = "bc-sandbox-token-0001",
                 client_secret: str = "bc-sandbox-client-secret", client_id: str = "bc-sandbox-client-id",
                 quota: int = DEFAULT_QUOTA, window_ms: int = DEFAULT_WINDOW_MS) -> None:
        self.store_hash = store_hash
        self.access_token = access_token
        self.client_secret = client_secret
        self.client_id = client_id
        self.clock = Clock()
        self.faults = FaultInjector()
        self.webhooks = WebhookSender(self.faults)
        self.state = StoreState(self.clock)
        self.default_quota = quota
        self.default_window_ms = window_ms
        self.rejected = 0  # 429 answers given, so tests can check a client does not storm
        self.set_quota(quota, window_ms)

    def set_quota(self, quota: int, window_ms: int) -> None:
        """Replace the quota (a fresh window starts)."""
        self.quota = quota
        self.window_ms = window_ms
        self.limiter = WindowLimiter(quota, window_ms / 1000.0)

    # ---- webhooks ------------------------------------------------------------------------------------------

    def sign(self, msg_id: str, timestamp: int, body: bytes) -> str:
        """`webhook-signature` per Standard Webhooks, key = the client secret's bytes."""
        digest = hmac.new(self.client_secret.encode(), f"{msg_id}.{timestamp}.".encode() + body,
                          hashlib.sha256).digest()
        return "v1," + base64.b64encode(digest).decode()

    def emit(self, scope: str, data: dict[str, Any]) -> None:
        """Deliver `scope` to every active hook subscribed to it (exact scope or a `/*` wildcard)."""
        for hook in list(self.state.hooks.values()):
            wanted = str(hook["scope"])
            if not hook["is_active"]:
                continue
            if wanted != scope and not (wanted.endswith("/*") and scope.startswith(wanted[:-1])):
                continue
            created_at = int(self.clock.now())
            payload = {"scope": scope, "store_id": "1001", "data": data,
                       "hash": hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest(),
                       "created_at": created_at, "producer": f"stores/{self.store_hash}"}
            body = json.dumps(payload).encode()
            msg_id = f"msg_{uuid.uuid4().hex}"
            headers = {"content-type": "application/json", "webhook-id": msg_id,
                       "webhook-timestamp": str(created_at),
                       "webhook-signature": self.sign(msg_id, created_at, body)}
            headers.update({str(k): str(v) for k, v in (hook.get("headers") or {}).items()})
            self.webhooks.send(str(hook["destination"]), scope, body, headers)


class Gate:
    """ASGI middleware: store hash + `X-Auth-Token` check, then the quota with its `X-Rate-Limit-*` headers."""

    def __init__(self, app: ASGIApp, sandbox: BigCommerceSandbox) -> None:
        self.app = app
        self.sb = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/stores/"):
            await self.app(scope, receive, send)
            return
        parts = path.split("/")
        if len(parts) < 4 or parts[2] != self.sb.store_hash:
            await error_for(path, 404, "The requested store was not found.")(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        token = headers.get("x-auth-token", "")
        if not token or not hmac.compare_digest(token.encode(), self.sb.access_token.encode()):
            await v3_error(401, "Unauthorized: the X-Auth-Token is missing or invalid.")(scope, receive, send)
            return
        allowed = self.sb.limiter.hit(self.sb.store_hash)
        left, reset = self.sb.limiter.remaining(self.sb.store_hash)
        rate_headers = [
            (b"x-rate-limit-requests-quota", str(self.sb.quota).encode()),
            (b"x-rate-limit-requests-left", str(max(0, left)).encode()),
            (b"x-rate-limit-time-reset-ms", str(max(1, int(reset * 1000))).encode()),
            (b"x-rate-limit-time-window-ms", str(self.sb.window_ms).encode()),
        ]
        if not allowed:
            self.sb.rejected += 1
            response = v3_error(429, "Too many requests: the store's API quota for this window is used up.")
            response.raw_headers.extend(rate_headers)
            response.raw_headers.append((b"x-retry-after", str(max(1, int(reset + 0.999))).encode()))
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + rate_headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def build_app(sb: BigCommerceSandbox, api_routes: list[Route]) -> ASGIApp:
    """The routes under /stores/{hash}, the shared control API and /_sandbox/ratelimit, wrapped in faults."""

    async def ratelimit(request: Request) -> JSONResponse:
        if request.method == "POST":
            data = await request.json()
            quota = int(data.get("quota", data.get("limit", 0)) or sb.default_quota)
            window_ms = int(data.get("window_ms", 0) or sb.default_window_ms)
            sb.set_quota(quota, window_ms)
        left, reset = sb.limiter.remaining(sb.store_hash)
        return JSONResponse({"quota": sb.quota, "window_ms": sb.window_ms, "left": left,
                             "reset_ms": int(reset * 1000), "rejected": sb.rejected})

    def state() -> dict[str, Any]:
        st = sb.state
        return {"products": len(st.products), "variants": len(st.variants), "orders": len(st.orders),
                "hooks": len(st.hooks), "locations": sorted(st.locations), "channels": sorted(st.channels),
                "time": time.time()}

    routes = list(api_routes) + control_routes(
        faults=sb.faults, clock=sb.clock, webhooks=sb.webhooks, reset=sb.state.reset, state=state,
    ) + [Route("/_sandbox/ratelimit", ratelimit, methods=["GET", "POST"])]
    async def not_found(request: Request, exc: Exception) -> Response:
        status = int(getattr(exc, "status_code", 404))
        title = "The requested resource was not found." if status == 404 else "The method is not allowed."
        return error_for(request.url.path, status, title)

    inner = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    gated = Gate(inner, sb)
    return MediaMiddleware(FaultMiddleware(gated, sb.faults, error_body=lambda status: {
        "status": status, "title": "Injected fault", "type": "https://developer.bigcommerce.com/api-docs"}))
