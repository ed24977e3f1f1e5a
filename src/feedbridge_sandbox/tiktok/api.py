"""TikTok's answer envelope, error codes and the typed error every handler raises.

Every answer is `{"code", "message", "request_id", "data"}`; `code != 0` is a failure. Signature and token
failures come back with HTTP 401, rate limits with 429, and business errors (validation, wrong state) with
HTTP 200 and a non-zero code, as TikTok does.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from starlette.responses import JSONResponse

_request_counter = itertools.count(1)

# Codes the sandbox answers with; names say what went wrong.
RATE_LIMITED = 36009002
INTERNAL_ERROR = 36009003
COMMON_PARAM = 36009004          # missing/invalid app_key, sign, timestamp; unexpected shop_cipher
INVALID_PATH = 36009009
INVALID_METHOD = 36009010
INVALID_TOKEN = 105001
EXPIRED_TOKEN = 105002
INVALID_SIGN = 106001
MISSING_SHOP_CIPHER = 106013
INVALID_PARAM = 12052910

MESSAGES = {
    RATE_LIMITED: "Too many requests. Please try again later.",
    INTERNAL_ERROR: "Internal error. Please try again. If the issue persists after multiple attempts, please "
                    "contact platform support.",
    INVALID_PATH: "Invalid path. Check the API path and version.",
    INVALID_METHOD: "Invalid method for this path.",
    INVALID_TOKEN: "Invalid credentials. The access token is invalid.",
    EXPIRED_TOKEN: "Expired credentials. The access token has expired; refresh it.",
    INVALID_SIGN: "Invalid credentials. The signature is invalid.",
    MISSING_SHOP_CIPHER: "The shop_cipher query parameter is required for this request.",
    INVALID_PARAM: "Invalid input parameters. Refer to the API documentation for details.",
}


class ApiError(Exception):
    """A TikTok error answer: `code`, `message`, HTTP `status`, optional `data`."""

    def __init__(self, code: int, message: str | None = None, *, status: int = 200,
                 data: Any = None) -> None:
        super().__init__(message or MESSAGES.get(code, "Request failed"))
        self.code = code
        self.message = message or MESSAGES.get(code, "Request failed")
        self.status = status
        self.data = data


def new_request_id() -> str:
    """A request id shaped like TikTok's (timestamp + counter, upper-case hex tail)."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"{stamp}{next(_request_counter):018X}"


def envelope(data: Any = None, code: int = 0, message: str = "Success",
             request_id: str | None = None) -> dict[str, Any]:
    """TikTok's response envelope."""
    return {"code": code, "message": message, "request_id": request_id or new_request_id(),
            "data": {} if data is None and code == 0 else data}


def ok(data: Any = None, request_id: str | None = None) -> JSONResponse:
    """A success answer."""
    return JSONResponse(envelope(data, request_id=request_id))


def fail(error: ApiError, request_id: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """An error answer with the error's HTTP status."""
    return JSONResponse(envelope(error.data, error.code, error.message, request_id), status_code=error.status,
                        headers=headers)


def fault_body(status: int) -> dict[str, Any]:
    """What FaultMiddleware answers with: TikTok's envelope with the matching code."""
    code = RATE_LIMITED if status == 429 else INTERNAL_ERROR
    return envelope(None, code, MESSAGES[code])
