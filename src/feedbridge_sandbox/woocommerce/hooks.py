"""Webhook delivery as WooCommerce does it.

Each active webhook whose topic matches gets one POST (WooCommerce does not retry a failed delivery) with the
resource as JSON and the headers X-WC-Webhook-Source/-Topic/-Resource/-Event/-Signature/-ID/-Delivery-ID, where
the signature is base64(HMAC-SHA256(raw body, webhook secret)). A 2xx, 301 or 302 answer counts as delivered and
resets the webhook's failure count; after 5 consecutive failures the webhook is set to `disabled`
(filter `woocommerce_max_webhook_delivery_failures`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx

from feedbridge_sandbox.core import WebhookSender
from feedbridge_sandbox.core.webhooks import Delivery
from feedbridge_sandbox.woocommerce.store import Webhook, WooStore, delivery_id, wc_time

MAX_FAILURES = 5
USER_AGENT = "WooCommerce/8.9.3 Hookshot (WordPress/6.5.3)"
TOPICS = {
    "product": ("created", "updated", "deleted", "restored"),
    "order": ("created", "updated", "deleted", "restored"),
    "customer": ("created", "updated", "deleted"),
    "coupon": ("created", "updated", "deleted", "restored"),
}


# The WordPress actions behind each core topic (WC_Webhook::get_topic_hooks).
TOPIC_HOOKS = {
    "product.created": ["woocommerce_process_product_meta", "woocommerce_new_product",
                        "woocommerce_new_product_variation"],
    "product.updated": ["woocommerce_process_product_meta", "woocommerce_update_product",
                        "woocommerce_update_product_variation"],
    "product.deleted": ["wp_trash_post"], "product.restored": ["untrashed_post"],
    "order.created": ["woocommerce_new_order"], "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"], "order.restored": ["untrashed_post"],
}


def valid_topic(topic: str) -> bool:
    """Whether WooCommerce accepts this webhook topic."""
    resource, _, event = topic.partition(".")
    return event in TOPICS.get(resource, ()) or (resource == "action" and bool(event))


class HookDispatcher:
    """Sends a resource change to every matching active webhook and keeps the failure count."""

    def __init__(self, store: WooStore, sender: WebhookSender) -> None:
        self.store = store
        self.sender = sender
        self.faults = sender.faults
        self._seq = itertools.count(1)

    def fire(self, topic: str, payload: dict[str, Any]) -> None:
        """Send `payload` to every active webhook on `topic`."""
        resource, _, event = topic.partition(".")
        for hook in list(self.store.webhooks.values()):
            if hook.status != "active" or hook.topic != topic:
                continue
            body = json.dumps(payload, separators=(",", ":")).encode()
            signature = base64.b64encode(hmac.new(hook.secret.encode(), body, hashlib.sha256).digest()).decode()
            headers = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "X-WC-Webhook-Source": self.store.home + "/",
                "X-WC-Webhook-Topic": topic,
                "X-WC-Webhook-Resource": resource,
                "X-WC-Webhook-Event": event,
                "X-WC-Webhook-Signature": signature,
                "X-WC-Webhook-ID": str(hook.id),
                "X-WC-Webhook-Delivery-ID": delivery_id(hook.id, self.store.clock.now(), str(next(self._seq))),
            }
            self.sender.send(hook.delivery_url, topic, body, headers, on_result=self._result(hook))

    async def ping(self, hook: Webhook) -> bool:
        """The ping WooCommerce sends a new webhook before answering its create: a form body `webhook_id=<id>`,
        no signature. A failed ping does not fail the create or count as a delivery failure."""
        if self.faults.take(("drop_webhook",), topic="ping") is not None:
            return False
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                answer = await client.post(hook.delivery_url, content=f"webhook_id={hook.id}".encode(),
                                           headers={"content-type": "application/x-www-form-urlencoded",
                                                    "user-agent": USER_AGENT})
        except httpx.HTTPError:
            return False
        return 200 <= answer.status_code < 300 or answer.status_code in (301, 302)

    def _result(self, hook: Webhook) -> Callable[[Delivery], None]:
        def record(delivery: Delivery) -> None:
            """Log the delivery and count failures."""
            ok = delivery.delivered or delivery.status in (301, 302)
            hook.deliveries.append({"id": len(hook.deliveries) + 1, "duration": "0.01", "summary": "",
                                    "request_url": delivery.url, "request_headers": delivery.headers,
                                    "request_body": delivery.body.decode(), "response_code": str(delivery.status or 0),
                                    "response_message": delivery.error or "OK", "response_headers": {},
                                    "response_body": "", "date_created": wc_time(self.store.now()),
                                    "date_created_gmt": wc_time(self.store.now())})
            if ok:
                hook.failure_count = 0
                return
            hook.failure_count += 1
            if hook.failure_count >= MAX_FAILURES:
                hook.status = "disabled"
        return record
