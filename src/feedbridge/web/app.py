"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

import feedbridge
from feedbridge.db.session import ping
from feedbridge.jobs.queue import pending_count
from feedbridge.runtime import Runtime

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def create_app(runtime: Runtime) -> FastAPI:
    """The web app for one runtime."""
    app = FastAPI(title="feedbridge", version=feedbridge.__version__, docs_url="/api/docs",
                  openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from feedbridge.web.webhooks import router as webhook_router

    app.include_router(webhook_router)

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

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "home.html", {"version": feedbridge.__version__})

    return app
