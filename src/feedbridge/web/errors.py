"""Errors of the web layer and the handlers that turn every error into one consistent shape.

The JSON API answers `{"error": {"code": "...", "message": "...", "field": ...}}` for every 4xx and 5xx; the
dashboard shows the same message on an error page (or sends a logged-out visitor to the login page).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from feedbridge.errors import AuthError, ConfigError, DataError, PlatformError, RetryableError

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


class ErrorDetail(BaseModel):
    """What went wrong, in words a merchant understands; `field` names the input at fault."""

    code: str
    message: str
    field: str | None = None
    action: str | None = None


class ErrorBody(BaseModel):
    """The body of every error answer of the JSON API."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": CODES[status].replace("_", " ")}
    for status in (400, 401, 403, 404, 409, 422)
}


class WebError(Exception):
    """An error answer: HTTP status, a stable code, a message and optionally the field at fault."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.action = action
        if code:
            self.code = code


class Unauthorized(WebError):
    """Not logged in, or the API token is missing, wrong or revoked."""

    status, code = 401, "unauthorized"


class Forbidden(WebError):
    """Logged in but not allowed (e.g. a form without a valid CSRF token)."""

    status, code = 403, "forbidden"


class NotFound(WebError):
    """No such thing among the current merchant's things (another merchant's rows are 'not found' too)."""

    status, code = 404, "not_found"


class Conflict(WebError):
    """The thing already exists."""

    status, code = 409, "conflict"


def wants_json(request: Request) -> bool:
    """True for the JSON API and for clients that ask for JSON rather than HTML."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, code: str, message: str, field: str | None = None,
                   action: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """The error as JSON for API clients, or as a page for the dashboard."""
    if wants_json(request):
        body = ErrorBody(error=ErrorDetail(code=code, message=message, field=field, action=action))
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)
    if status == 401 and request.method in ("GET", "HEAD"):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(target, status_code=303)
    if status == 401:
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)
    from feedbridge.web.render import render

    return render(request, "error.html", {"status": status, "message": message, "action": action}, status=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if not errors:
        return "The request is not valid.", None
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "The request body is not valid JSON.", None
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header", "form")]
    field = ".".join(loc) or None
    message = str(first.get("msg", "is not valid"))
    if first.get("type") == "missing":
        message = "This field is required"
    return (f"{field}: {message}." if field else f"{message}."), field


def install_error_handlers(app: FastAPI) -> None:
    """Make every error answer take the consistent shape."""

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.code, exc.message, exc.field, exc.action)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        if exc.status_code == 405:
            message = "This address does not accept that method."
        return error_response(request, exc.status_code, CODES.get(exc.status_code, "error"), message,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, field = _validation_message(exc)
        return error_response(request, 422, "invalid", message, field)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        return error_response(request, 422, "invalid", exc.message, exc.field, exc.action)

    @app.exception_handler(ConfigError)
    async def _config_error(request: Request, exc: ConfigError) -> Response:
        return error_response(request, 400, "config_error", exc.message, None, exc.action)

    @app.exception_handler(AuthError)
    async def _auth_error(request: Request, exc: AuthError) -> Response:
        # A platform refused access (e.g. the merchant declined on TikTok): the merchant can act on it.
        return error_response(request, 400, "platform_refused", exc.message, None, exc.action)

    @app.exception_handler(PlatformError)
    async def _platform_error(request: Request, exc: PlatformError) -> Response:
        return error_response(request, 502, "platform_error", str(exc), None, exc.action)

    @app.exception_handler(RetryableError)
    async def _retryable(request: Request, exc: RetryableError) -> Response:
        return error_response(request, 503, "try_again", exc.message, None, exc.action or "Try again in a minute.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("Unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal_error",
                              "Something went wrong on our side. The error was logged; try again.")
