"""The FastAPI application factory: dashboard, JSON API v1, webhooks, static files, /healthz."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import feedbridge
from feedbridge.db.session import ping
from feedbridge.jobs.queue import pending_count
from feedbridge.runtime import Runtime
from feedbridge.web import (
    accounts,
    api,
    flow_api,
    flow_pages,
    ops,
    pages,
    settings_pages,
    tiktok_connect,
    webhooks,
)
from feedbridge.web.errors import install_error_handlers
from feedbridge.web.render import templates
from feedbridge.web.security import session_key
from feedbridge.web.throttle import LoginThrottle

HERE = Path(__file__).parent
SESSION_MAX_AGE = 14 * 24 * 3600
# The dashboard loads nothing from elsewhere and runs no inline script; the API docs page (CDN assets) is exempt.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

__all__ = ["create_app", "templates"]


def create_app(runtime: Runtime) -> FastAPI:
    """The web app for one runtime."""
    app = FastAPI(title="feedbridge", version=feedbridge.__version__, docs_url="/api/docs",
                  openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(SessionMiddleware, secret_key=session_key(runtime.settings.secret_key),
                       session_cookie="feedbridge_session", max_age=SESSION_MAX_AGE, same_site="lax",
                       https_only=runtime.settings.public_url.startswith("https://"))
    install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html") and request.url.path != "/api/docs":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """Liveness and readiness: the database and the queue both answer."""
        checks: dict[str, Any] = {}
        ok = True
        try:
            ping(runtime.engine)
            checks["database"] = "ok"
        except Exception as exc:
            ok = False
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            checks["queue"] = "ok" if runtime.huey is None else f"ok ({pending_count(runtime.huey)} waiting)"
        except Exception as exc:
            ok = False
            checks["queue"] = f"error: {type(exc).__name__}"
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                            status_code=200 if ok else 503)

    # Webhook receivers come first: they are authenticated by platform signatures, not sessions or CSRF.
    app.include_router(webhooks.router)
    app.include_router(ops.router)  # /readyz, /metrics
    app.include_router(tiktok_connect.router)
    app.include_router(api.router)
    app.include_router(flow_api.router)
    app.include_router(accounts.router)
    app.include_router(pages.router)
    app.include_router(flow_pages.router)
    app.include_router(settings_pages.router)
    return app
