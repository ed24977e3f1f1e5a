"""Shopify webhooks: the topics feedbridge subscribes to, signature checks and change events.

Store → feedbridge only: a webhook tells us what changed; the sync engine then re-reads the object.
Shopify signs the raw body with the app's client secret: `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256). Each
delivery has an `X-Shopify-Webhook-Id`, the same on redeliveries, which we use as the event id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from feedbridge.domain.catalog import ChangeEvent, ChangeKind
from feedbridge.errors import DataError
from feedbridge.http.hmac_tools import hmac_sha256_b64, same
from feedbridge.stores.payload import iso_time, text

# GraphQL topic enum -> the topic name Shopify puts in X-Shopify-Topic.
TOPICS: dict[str, str] = {
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_UPDATE": "products/update",
    "PRODUCTS_DELETE": "products/delete",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "FULFILLMENTS_UPDATE": "fulfillments/update",
}

KINDS: dict[str, ChangeKind] = {
    "products/create": ChangeKind.PRODUCT_UPDATED,
    "products/update": ChangeKind.PRODUCT_UPDATED,
    "products/delete": ChangeKind.PRODUCT_DELETED,
    "inventory_levels/update": ChangeKind.INVENTORY_UPDATED,
    "inventory_levels/connect": ChangeKind.INVENTORY_UPDATED,
    "inventory_levels/disconnect": ChangeKind.INVENTORY_UPDATED,
    "orders/create": ChangeKind.ORDER_UPDATED,
    "orders/updated": ChangeKind.ORDER_UPDATED,
    "orders/cancelled": ChangeKind.ORDER_UPDATED,
    "orders/fulfilled": ChangeKind.ORDER_UPDATED,
    "orders/partially_fulfilled": ChangeKind.ORDER_UPDATED,
    "orders/paid": ChangeKind.ORDER_UPDATED,
    "fulfillments/create": ChangeKind.FULFILMENT_CREATED,
    "fulfillments/update": ChangeKind.FULFILMENT_CREATED,
}


def header(headers: Mapping[str, str], *names: str) -> str | None:
    """A header value by any of `names`, case-insensitively."""
    wanted = {n.lower() for n in names}
    for key, value in headers.items():
        if key.lower() in wanted:
            return value
    return None


def verify(headers: Mapping[str, str], body: bytes, secrets: Iterable[str]) -> bool:
    """True when the body's HMAC matches under one of the app's client secrets (old and new during rotation)."""
    provided = header(headers, "X-Shopify-Hmac-Sha256", "Shopify-Hmac-Sha256")
    if not provided:
        return False
    return any(same(hmac_sha256_b64(secret, body), provided.strip()) for secret in secrets if secret)


def inventory_item_gid(inventory_item_id: Any) -> str:
    return f"gid://shopify/InventoryItem/{inventory_item_id}"


def parse(headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
    """Change events for one verified delivery.

    An inventory change names the inventory item (gid://shopify/InventoryItem/<id>), because Shopify's payload
    carries no product id; the adapter's `get_product` accepts that id and returns the product it belongs to.
    """
    topic = (header(headers, "X-Shopify-Topic", "Shopify-Topic") or "").strip().lower()
    kind = KINDS.get(topic)
    if kind is None:
        raise DataError(f"feedbridge does not handle Shopify {topic or 'untitled'} webhooks", field="topic")
    event_id = header(headers, "X-Shopify-Webhook-Id", "Shopify-Webhook-Id", "X-Shopify-Event-Id")
    if not event_id:
        raise DataError("The Shopify webhook has no X-Shopify-Webhook-Id header", field="X-Shopify-Webhook-Id")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise DataError("The Shopify webhook body is not JSON", field="body") from exc
    if not isinstance(payload, dict):
        raise DataError("The Shopify webhook body is not a JSON object", field="body")
    occurred = iso_time(header(headers, "X-Shopify-Triggered-At") or payload.get("updated_at"), "updated_at",
                        what=f"Shopify {topic} webhook")
    if kind == ChangeKind.INVENTORY_UPDATED:
        item = text(payload.get("inventory_item_id"), "inventory_item_id", what="Shopify inventory webhook")
        if not item:
            raise DataError("The inventory webhook has no inventory_item_id", field="inventory_item_id")
        return [ChangeEvent(kind, inventory_item_gid(item), occurred_at=occurred, event_id=event_id)]
    if kind == ChangeKind.FULFILMENT_CREATED:
        order_id = text(payload.get("order_id"), "order_id", what="Shopify fulfillment webhook")
        if not order_id:
            raise DataError("The fulfillment webhook has no order_id", field="order_id")
        return [ChangeEvent(kind, str(order_id), occurred_at=occurred, event_id=event_id)]
    object_id = text(payload.get("id"), "id", what=f"Shopify {topic} webhook")
    if not object_id:
        raise DataError(f"The Shopify {topic} webhook has no id", field="id")
    return [ChangeEvent(kind, str(object_id), occurred_at=occurred, event_id=event_id)]
