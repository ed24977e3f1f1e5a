"""WooCommerce sandbox routes for webhooks and their deliveries."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from feedbridge_sandbox.woocommerce.hooks import TOPIC_HOOKS, valid_topic
from feedbridge_sandbox.woocommerce.plumbing import (
    WooApiBase,
)
from feedbridge_sandbox.woocommerce.store import (
    ApiError,
    Webhook,
    wc_time,
)


class WebhookRoutes(WooApiBase):
    """Webhook handlers."""

    # ---- webhooks ---------------------------------------------------------------------------------------

    def webhook_json(self, hook: Webhook) -> dict[str, Any]:
        """A webhook as wc/v3 returns it (never its secret)."""
        resource, _, event = hook.topic.partition(".")
        return {"id": hook.id, "name": hook.name, "status": hook.status, "topic": hook.topic, "resource": resource,
                "event": event, "hooks": TOPIC_HOOKS.get(hook.topic, [f"woocommerce_{event}_{resource}"]),
                "delivery_url": hook.delivery_url,
                "date_created": wc_time(hook.created), "date_created_gmt": wc_time(hook.created),
                "date_modified": wc_time(hook.modified), "date_modified_gmt": wc_time(hook.modified),
                "_links": {"self": [{"href": self.store.link(f"webhooks/{hook.id}")}],
                           "collection": [{"href": self.store.link("webhooks")}]}}

    async def list_webhooks(self, request: Request) -> Response:
        """GET /webhooks."""
        hooks = list(self.store.webhooks.values())
        status = request.query_params.get("status", "all")
        if status != "all":
            hooks = [h for h in hooks if h.status == status]
        items = [self.webhook_json(h) for h in sorted(hooks, key=lambda h: h.id)]
        return self.page(request, items)

    async def create_webhook(self, request: Request) -> Response:
        """POST /webhooks."""
        data = await self.body(request)
        for required in ("topic", "delivery_url"):
            if not data.get(required):
                raise ApiError(400, "rest_missing_callback_param", f"Missing parameter(s): {required}")
        if not valid_topic(str(data["topic"])):
            raise ApiError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
        if not str(data["delivery_url"]).startswith(("http://", "https://")):
            raise ApiError(400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL.")
        status = data.get("status", "active")
        if status not in ("active", "paused", "disabled"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
        now = self.store.now()
        hook = Webhook(id=self.store.next_id(), name=str(data.get("name") or f"Webhook created on {now}"),
                       topic=str(data["topic"]), delivery_url=str(data["delivery_url"]),
                       secret=str(data.get("secret") or ""), status=status, created=now, modified=now)
        self.store.webhooks[hook.id] = hook
        response = JSONResponse(self.webhook_json(hook), status_code=201)
        if hook.status == "active":
            await self.hooks.ping(hook)
        return response

    def _hook(self, request: Request) -> Webhook:
        hook = self.store.webhooks.get(request.path_params["id"])
        if hook is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return hook

    async def get_webhook(self, request: Request) -> dict[str, Any]:
        """GET /webhooks/{id}."""
        return self.webhook_json(self._hook(request))

    async def update_webhook(self, request: Request) -> dict[str, Any]:
        """PUT /webhooks/{id} (re-activating resets failures)."""
        hook = self._hook(request)
        data = await self.body(request)
        if "status" in data:
            if data["status"] not in ("active", "paused", "disabled"):
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
            if data["status"] == "active" and hook.status != "active":
                hook.failure_count = 0
            hook.status = data["status"]
        if "topic" in data:
            if not valid_topic(str(data["topic"])):
                raise ApiError(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic must be valid.")
            hook.topic = str(data["topic"])
        for key in ("name", "secret", "delivery_url"):
            if key in data:
                setattr(hook, key, str(data[key]))
        hook.modified = self.store.now()
        return self.webhook_json(hook)

    async def delete_webhook(self, request: Request) -> dict[str, Any]:
        """DELETE /webhooks/{id}?force=true."""
        hook = self._hook(request)
        if request.query_params.get("force") not in ("true", "1"):
            raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
        del self.store.webhooks[hook.id]
        return self.webhook_json(hook)

    async def webhook_deliveries(self, request: Request) -> list[dict[str, Any]]:
        """GET /webhooks/{id}/deliveries."""
        hook = self.store.webhooks.get(request.path_params["webhook_id"])
        if hook is None:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return list(reversed(hook.deliveries))
