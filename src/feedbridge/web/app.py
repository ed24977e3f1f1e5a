"""The FastAPI application factory: dashboard, JSON API v1, webhooks, static files, /healthz."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import feedbridge
from feedbridge.db.session import ping
from feedbridge.jobs.queue import pending_count
from feedbridge.runtime import Runtime
from feedbridge.web import accounts, api, pages
from feedbridge.web.errors import install_error_handlers
from feedbridge.web.render import templates
from feedbridge.web.security import session_key

HERE = Path(__file__).parent
SESSION_MAX_AGE = 14 * 24 * 3600

__all__ = ["create_app", "templates"]


def create_app(runtime: Runtime) -> FastAPI:
    """The web app for one runtime."""
    app = FastAPI(title="feedbridge", version=feedbridge.__version__, docs_url="/api/docs",
                  openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.add_middleware(SessionMiddleware, secret_key=session_key(runtime.settings.secret_key),
                       session_cookie="feedbridge_session", max_age=SESSION_MAX_AGE, same_site="lax",
                       https_only=runtime.settings.public_url.startswith("https://"))
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from feedbridge.web.webhooks import router as webhook_router

    app.include_router(webhook_router)
    app.include_router(importlib.import_module("feedbridge.web.ops").router)  # /readyz, /metrics

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
    if importlib.util.find_spec("feedbridge.web.webhooks") is not None:
        app.include_router(importlib.import_module("feedbridge.web.webhooks").router)
    app.include_router(api.router)
    app.include_router(accounts.router)
    app.include_router(pages.router)
    return app
