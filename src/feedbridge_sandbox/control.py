"""Control API routes every sandbox mounts under /_sandbox: faults, clock, webhook log, reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender
from feedbridge_sandbox.core.faults import read_fault


def control_routes(
    *, faults: FaultInjector, clock: Clock, webhooks: WebhookSender, reset: Callable[[], None],
    state: Callable[[], dict[str, Any]] | None = None,
) -> list[Route]:
    """Routes: POST/DELETE /_sandbox/faults, POST /_sandbox/clock/advance, GET /_sandbox/webhooks,
    POST /_sandbox/webhooks/drain, POST /_sandbox/reset, GET /_sandbox/state."""

    async def add_fault(request: Request) -> JSONResponse:
        faults.add(await read_fault(request))
        return JSONResponse({"faults": faults.list()})

    async def clear_faults(request: Request) -> JSONResponse:
        faults.clear()
        return JSONResponse({"faults": []})

    async def list_faults(request: Request) -> JSONResponse:
        return JSONResponse({"faults": faults.list()})

    async def advance(request: Request) -> JSONResponse:
        data = await request.json()
        clock.advance(float(data.get("seconds", 0)))
        return JSONResponse({"now": clock.now()})

    async def webhook_log(request: Request) -> JSONResponse:
        return JSONResponse({"deliveries": webhooks.summary()})

    async def drain(request: Request) -> JSONResponse:
        await webhooks.drain()
        return JSONResponse({"deliveries": len(webhooks.log)})

    async def do_reset(request: Request) -> JSONResponse:
        reset()
        faults.clear()
        webhooks.log.clear()
        return JSONResponse({"reset": True})

    async def get_state(request: Request) -> JSONResponse:
        return JSONResponse(state() if state else {})

    return [
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/faults", list_faults, methods=["GET"]),
        Route("/_sandbox/clock/advance", advance, methods=["POST"]),
        Route("/_sandbox/webhooks", webhook_log, methods=["GET"]),
        Route("/_sandbox/webhooks/drain", drain, methods=["POST"]),
        Route("/_sandbox/reset", do_reset, methods=["POST"]),
        Route("/_sandbox/state", get_state, methods=["GET"]),
    ]
