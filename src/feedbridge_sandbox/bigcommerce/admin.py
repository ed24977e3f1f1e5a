"""v3 channel and webhook (hooks) routes of the BigCommerce sandbox."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.bigcommerce.app import BigCommerceSandbox, api, body_of
from feedbridge_sandbox.bigcommerce.shapes import listing
from feedbridge_sandbox.bigcommerce.state import ApiError

V3 = "/stores/{store_hash}/v3"
CHANNEL_TYPES = ("pos", "marketplace", "storefront", "marketing")
CHANNEL_STATUSES = ("active", "prelaunch", "inactive", "connected", "disconnected", "archived")


def admin_routes(sb: BigCommerceSandbox) -> list[Route]:
    """Routes for /v3/channels and /v3/hooks."""
    st = sb.state

    @api
    async def list_channels(request: Request) -> Response:
        q = request.query_params
        rows = sorted(st.channels.values(), key=lambda c: c["id"])
        for param, key in (("platform:in", "platform"), ("type:in", "type"), ("status:in", "status")):
            if q.get(param):
                wanted = set(q[param].split(","))
                rows = [c for c in rows if c[key] in wanted]
        return listing([dict(c) for c in rows], request)

    @api
    async def create_channel(request: Request) -> Response:
        data = await body_of(request)
        missing = {k: f"{k} is required" for k in ("name", "type", "platform") if not data.get(k)}
        if missing:
            raise ApiError(422, "JSON data is missing or invalid", missing)
        if data["type"] not in CHANNEL_TYPES:
            raise ApiError(422, "JSON data is missing or invalid", {"type": "type is not valid"})
        status = str(data.get("status", "active"))
        if status not in CHANNEL_STATUSES:
            raise ApiError(422, "JSON data is missing or invalid", {"status": "status is not valid"})
        cid = st.next_id("channel")
        now = st.now_iso()
        channel = {"id": cid, "name": str(data["name"]), "type": data["type"], "platform": str(data["platform"]),
                   "status": status, "external_id": str(data.get("external_id", "")),
                   "is_listable_from_ui": bool(data.get("is_listable_from_ui", True)),
                   "is_enabled": status in ("active", "connected", "prelaunch"),
                   "is_visible": bool(data.get("is_visible", True)), "date_created": now, "date_modified": now,
                   "icon_url": "https://example.com/icon.svg"}
        st.channels[cid] = channel
        return JSONResponse({"data": dict(channel), "meta": {}})

    @api
    async def get_channel(request: Request) -> Response:
        channel = st.channels.get(int(request.path_params["channel_id"]))
        if channel is None:
            raise ApiError(404, "The requested channel was not found.")
        return JSONResponse({"data": dict(channel), "meta": {}})

    def render_hook(hook: dict[str, Any]) -> dict[str, Any]:
        return dict(hook)

    @api
    async def list_hooks(request: Request) -> Response:
        q = request.query_params
        rows = sorted(st.hooks.values(), key=lambda h: h["id"])
        for param in ("scope", "destination"):
            if q.get(param):
                rows = [h for h in rows if h[param] == q[param]]
        if q.get("is_active") in ("true", "false"):
            rows = [h for h in rows if h["is_active"] == (q["is_active"] == "true")]
        return listing([render_hook(h) for h in rows], request)

    def validate(data: Any, partial: bool) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ApiError(422, "JSON data is missing or invalid", {"body": "must be an object"})
        if not partial:
            missing = {k: f"{k} is required" for k in ("scope", "destination") if not data.get(k)}
            if missing:
                raise ApiError(422, "JSON data is missing or invalid", missing)
        destination = data.get("destination")
        # The real store only calls https on port 443; the sandbox also calls http so tests can listen locally.
        if destination is not None and not str(destination).startswith(("https://", "http://")):
            raise ApiError(422, "JSON data is missing or invalid", {"destination": "must be an https URL"})
        headers = data.get("headers")
        if headers is not None and not (isinstance(headers, dict) and all(isinstance(v, str)
                                                                          for v in headers.values())):
            raise ApiError(422, "JSON data is missing or invalid", {"headers": "must map names to strings"})
        return data

    @api
    async def create_hook(request: Request) -> Response:
        data = validate(await body_of(request), partial=False)
        same = [h for h in st.hooks.values() if h["scope"] == data["scope"]]
        if len(same) >= 10:
            raise ApiError(422, "A store may have at most 10 hooks for one scope.", {"scope": data["scope"]})
        hid = st.next_id("hook")
        now = int(sb.clock.now())
        hook = {"id": hid, "client_id": sb.client_id, "store_hash": sb.store_hash, "scope": str(data["scope"]),
                "destination": str(data["destination"]), "headers": dict(data.get("headers") or {}),
                "is_active": bool(data.get("is_active", True)), "created_at": now, "updated_at": now}
        st.hooks[hid] = hook
        return JSONResponse({"data": render_hook(hook), "meta": {}})

    def find(request: Request) -> dict[str, Any]:
        hook = st.hooks.get(int(request.path_params["hook_id"]))
        if hook is None:
            raise ApiError(404, "The requested webhook was not found.")
        return hook

    @api
    async def get_hook(request: Request) -> Response:
        return JSONResponse({"data": render_hook(find(request)), "meta": {}})

    @api
    async def update_hook(request: Request) -> Response:
        hook = find(request)
        data = validate(await body_of(request), partial=True)
        for key in ("scope", "destination", "is_active", "headers"):
            if key in data:
                hook[key] = data[key]
        hook["updated_at"] = int(sb.clock.now())
        return JSONResponse({"data": render_hook(hook), "meta": {}})

    @api
    async def delete_hook(request: Request) -> Response:
        hook = find(request)
        del st.hooks[hook["id"]]
        return JSONResponse({"data": render_hook(hook), "meta": {}})

    return [
        Route(V3 + "/channels", list_channels, methods=["GET"]),
        Route(V3 + "/channels", create_channel, methods=["POST"]),
        Route(V3 + "/channels/{channel_id:int}", get_channel, methods=["GET"]),
        Route(V3 + "/hooks", list_hooks, methods=["GET"]),
        Route(V3 + "/hooks", create_hook, methods=["POST"]),
        Route(V3 + "/hooks/{hook_id:int}", get_hook, methods=["GET"]),
        Route(V3 + "/hooks/{hook_id:int}", update_hook, methods=["PUT"]),
        Route(V3 + "/hooks/{hook_id:int}", delete_hook, methods=["DELETE"]),
    ]
