"""Validate HTTP exchanges against a set of OpenAPI 3.0 files with openapi-core (shared by platform tests).

`OpenAPIIndex(files)` loads each file once and indexes every (method, server path + path template), so an
exchange is checked against the file that documents it. `RecordingApp` wraps an ASGI app (a sandbox) and
keeps every request/response pair it serves, so a whole test run's traffic can be validated afterwards.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from werkzeug.datastructures import ImmutableMultiDict

from feedbridge_sandbox.shared import shared_path

_VARIABLE = re.compile(r"\{[^/}]+\}")


@dataclass
class Exchange:
    """One request and the answer to it, as seen on the wire."""

    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}{'?' + self.query if self.query else ''} -> {self.status}"


@dataclass(frozen=True)
class Operation:
    """One documented operation: which file, its server host, and its full path template."""

    spec_file: Path
    host_url: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int


@functools.lru_cache(maxsize=64)
def _openapi(path: Path) -> OpenAPI:
    with path.open(encoding="utf-8") as handle:
        return OpenAPI.from_dict(yaml.safe_load(handle))


@functools.lru_cache(maxsize=64)
def _document(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _errors_of(exc: BaseException) -> list[str]:
    """Readable messages from an openapi-core error and the schema errors under it."""
    messages = [f"{type(exc).__name__}: {exc}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", None) or []:
            where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", []))
            messages.append(f"  at {where or '<root>'}: {getattr(schema_error, 'message', schema_error)}")
        current = current.__cause__ or current.__context__
    return messages


class OpenAPIIndex:
    """Every operation of a list of OpenAPI files, found by method and request path."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.operations: dict[str, list[Operation]] = {}
        for spec_file in files:
            document = _document(spec_file)
            server = urlsplit((document.get("servers") or [{"url": "/"}])[0]["url"])
            host_url = f"{server.scheme or 'https'}://{server.netloc or 'localhost'}"
            base = server.path.rstrip("/")
            for template, item in (document.get("paths") or {}).items():
                full = base + template
                regex = "^" + _VARIABLE.sub(r"[^/]+", re.escape(full).replace(r"\{", "{").replace(r"\}", "}")) + "$"
                literal = sum(1 for seg in full.split("/") if seg and not seg.startswith("{"))
                for method in item:
                    if method in ("get", "put", "post", "delete", "patch"):
                        self.operations.setdefault(method, []).append(
                            Operation(spec_file, host_url, full, re.compile(regex), literal))
        for ops in self.operations.values():
            ops.sort(key=lambda op: -op.literal_segments)  # /orders/count before /orders/{order_id}

    def find(self, method: str, path: str) -> Operation | None:
        """The operation documenting `method path`, preferring the most literal template."""
        for op in self.operations.get(method.lower(), []):
            if op.pattern.match(path):
                return op
        return None

    def check(self, exchange: Exchange, *, response: bool = True) -> list[str]:
        """Problems with one exchange (empty when the request, and the response if asked, match the spec)."""
        op = self.find(exchange.method, exchange.path)
        if op is None:
            return [f"{exchange.label}: no OpenAPI file documents {exchange.method} {exchange.path}"]
        headers = {k: v for k, v in exchange.request_headers.items() if k.lower() != "host"}
        request_type = headers.get("content-type", "application/json") if exchange.request_body else ""
        request = MockRequest(op.host_url, exchange.method.lower(), exchange.path,
                              args=ImmutableMultiDict(parse_qsl(exchange.query, keep_blank_values=True)),
                              headers=headers, data=exchange.request_body or None,
                              content_type=request_type.split(";")[0])
        problems: list[str] = []
        openapi = _openapi(op.spec_file)
        try:
            openapi.validate_request(request)
        except Exception as exc:  # openapi-core raises a family of errors; all are findings here
            problems.append("\n".join([f"{exchange.label} [{op.spec_file.name} {op.template}] request:",
                                        *_errors_of(exc)]))
        if response:
            answer_type = exchange.response_headers.get("content-type", "application/json").split(";")[0]
            reply = MockResponse(exchange.response_body, status_code=exchange.status,
                                 headers=exchange.response_headers, content_type=answer_type)
            try:
                openapi.validate_response(request, reply)
            except Exception as exc:
                problems.append("\n".join([f"{exchange.label} [{op.spec_file.name} {op.template}] response:",
                                            *_errors_of(exc)]))
        return problems

    def check_all(self, exchanges: Sequence[Exchange], *, undocumented: Iterable[str] = (),
                  known_deviations: Iterable[str] = (), response: bool = True) -> list[str]:
        """Problems over many exchanges, one string each.

        `undocumented` lists "METHOD /path-regex" the files do not cover; `known_deviations` lists regexes of
        findings where the files contradict the live API (each needs a reason where it is declared).
        """
        skip = [tuple(rule.split(" ", 1)) for rule in undocumented]
        tolerated = [re.compile(rule, re.S) for rule in known_deviations]
        problems: list[str] = []
        for exchange in exchanges:
            if any(exchange.method == m and re.search(p, exchange.path) for m, p in skip):
                continue
            for finding in self.check(exchange, response=response):
                if not any(rule.search(finding) for rule in tolerated):
                    problems.append(finding)
        return problems


class RecordingApp:
    """ASGI middleware that records every exchange whose path starts with `prefix`."""

    def __init__(self, app: ASGIApp, prefix: str = "/") -> None:
        self.app = app
        self.prefix = prefix
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        exchange = Exchange(
            method=scope["method"], path=scope["path"], query=scope.get("query_string", b"").decode(),
            request_headers={k.decode().lower(): v.decode() for k, v in scope.get("headers", [])},
            request_body=b"",
        )
        chunks: list[bytes] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                exchange.request_body = b"".join(chunks)
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = int(message["status"])
                exchange.response_headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                exchange.response_body += message.get("body", b"")
            await send(message)

        self.exchanges.append(exchange)
        await self.app(scope, recording_receive, recording_send)


def spec_dir(platform: str) -> Path | None:
    """Where a platform's OpenAPI files live: $FEEDBRIDGE_SPECS/<platform>, ./specs/<platform>, or the shared copy."""
    import os

    candidates = [Path(os.environ["FEEDBRIDGE_SPECS"]) / platform] if os.environ.get("FEEDBRIDGE_SPECS") else []
    candidates += [Path(__file__).resolve().parents[1] / "specs" / platform, shared_path("specs", platform)]
    return next((c for c in candidates if c.is_dir()), None)
