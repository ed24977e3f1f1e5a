"""Webhook subscriptions per shop: GET / PUT / DELETE /event/202309/webhooks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.runtime import EVENT_TYPES, Runtime
from feedbridge_sandbox.tiktok.state import WebhookSubscription

INVALID_EVENT = 36009004


def _event_type(body: dict[str, Any]) -> str:
    event_type = str(body.get("event_type") or "")
    if event_type not in EVENT_TYPES:
        raise ApiError(INVALID_EVENT, f"Invalid event_type {event_type!r}; one of: {', '.join(EVENT_TYPES)}",
                       status=400)
    return event_type


async def list_webhooks(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /event/202309/webhooks."""
    subs = runtime.state.webhooks.get(ctx.need_shop().id, {})
    return {"webhooks": [{"event_type": s.event_type, "address": s.address, "create_time": s.create_time,
                          "update_time": s.update_time} for s in subs.values()], "total_count": len(subs)}


async def put_webhook(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """PUT /event/202309/webhooks: {address (≤255, http(s) URL), event_type}.

    TikTok requires https and a domain name; the sandbox also accepts http on loopback so tests can listen.
    """
    shop, body = ctx.need_shop(), ctx.body()
    event_type = _event_type(body)
    address = str(body.get("address") or "")
    parsed = urlparse(address)
    if len(address) > 255 or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ApiError(INVALID_EVENT, "Invalid address: a http(s) URL of at most 255 characters is required.",
                       status=400)
    now = runtime.state.now()
    subs = runtime.state.webhooks.setdefault(shop.id, {})
    old = subs.get(event_type)
    subs[event_type] = WebhookSubscription(event_type, address, old.create_time if old else now, now)
    return {}


async def delete_webhook(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """DELETE /event/202309/webhooks: {event_type}."""
    shop = ctx.need_shop()
    runtime.state.webhooks.get(shop.id, {}).pop(_event_type(ctx.body()), None)
    return {}
