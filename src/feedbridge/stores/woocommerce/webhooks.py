"""WooCommerce webhooks: signature check and change events.

`X-WC-Webhook-Signature` is base64(HMAC-SHA256(raw body, the webhook's secret)). The event id is built from
`X-WC-Webhook-Delivery-ID` plus a digest of the body: WooCommerce derives the delivery id from the webhook id and
the current second, so two different changes sent in the same second can share it, while a re-delivery of the
same payload keeps the same event id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from feedbridge.domain.catalog import ChangeEvent, ChangeKind
from feedbridge.errors import DataError
from feedbridge.http.hmac_tools import hmac_sha256_b64, same
from feedbridge.stores.woocommerce.mappers import parse_time

TOPICS = ("product.created", "product.updated", "product.deleted", "product.restored", "order.updated")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    """True when X-WC-Webhook-Signature matches the body (constant-time)."""
    signature = header(headers, "X-WC-Webhook-Signature")
    if not signature or not secret:
        return False
    return same(hmac_sha256_b64(secret, body), signature.strip())


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    """WooCommerce pings a new webhook with a form body `webhook_id=<id>` and no topic header."""
    return header(headers, "X-WC-Webhook-Topic") is None and body.startswith(b"webhook_id=")


def parse(headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
    """Change events in a verified delivery; DataError when the payload is not a WooCommerce resource."""
    if is_ping(headers, body):
        return []
    topic = header(headers, "X-WC-Webhook-Topic") or ""
    resource, _, event = topic.partition(".")
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError("The webhook body is not JSON.", field="body") from exc
    if not isinstance(payload, dict) or "id" not in payload:
        raise DataError("The webhook body has no resource id.", field="id")
    delivery = header(headers, "X-WC-Webhook-Delivery-ID") or ""
    event_id = f"wc:{delivery}:{hashlib.sha256(body).hexdigest()[:16]}"
    occurred = parse_time(payload.get("date_modified_gmt")) if payload.get("date_modified_gmt") else None
    object_id = str(payload["id"])
    if resource == "product":
        parent = payload.get("parent_id")
        if payload.get("type") == "variation" and parent:
            return [ChangeEvent(ChangeKind.PRODUCT_UPDATED, str(parent), variant_id=object_id,
                                occurred_at=occurred, event_id=event_id)]
        kind = ChangeKind.PRODUCT_DELETED if event == "deleted" else ChangeKind.PRODUCT_UPDATED
        return [ChangeEvent(kind, object_id, occurred_at=occurred, event_id=event_id)]
    if resource == "order":
        return [ChangeEvent(ChangeKind.ORDER_UPDATED, object_id, occurred_at=occurred, event_id=event_id)]
    raise DataError(f"feedbridge does not subscribe to the topic {topic!r}.", field="X-WC-Webhook-Topic")
