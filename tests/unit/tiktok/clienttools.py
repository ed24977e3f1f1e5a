"""Helpers for respx-based tests of the TikTok client edge: envelopes and signature checks."""

from __future__ import annotations

import json
from typing import Any

import httpx

from feedbridge.tiktok.signing import sign

API_URL = "https://open-api.tiktok.test"
APP_KEY = "appkey-29a39d"
APP_SECRET = "secret-e59af819cc"
ACCESS_TOKEN = "access-token-one"
SHOP_CIPHER = "ROW_cipher_abc"


def ok(data: dict[str, Any] | None = None, request_id: str = "req-ok") -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": request_id, "data": data or {}})


def fail(code: int, message: str, *, status: int = 200, request_id: str = "req-fail", **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"code": code, "message": message, "request_id": request_id, "data": None}, headers=headers
    )


def is_multipart(request: httpx.Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


def expected_sign(request: httpx.Request, secret: str = APP_SECRET) -> str:
    """Recompute the sign of a captured request from its decoded query, path and body bytes."""
    params = {k: v for k, v in request.url.params.multi_items()}
    body = b"" if is_multipart(request) else request.content
    return sign(secret, request.url.path, params, body)


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None
