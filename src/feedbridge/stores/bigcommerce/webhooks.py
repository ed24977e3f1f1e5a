"""BigCommerce webhooks (store → feedbridge): Standard Webhooks signatures, thin payloads, change events.

BigCommerce signs HTTPS webhooks per the Standard Webhooks spec: `webhook-signature` holds space-separated
`v1,<base64 HMAC-SHA256>` entries over `{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the app's
client secret (BigCommerce's samples hand `base64(client_secret)` to the standardwebhooks library, which
decodes it back, so the HMAC key is the client secret's bytes). Payloads only name the object
(`{scope, store_id, data: {type, id}, hash, created_at, producer}`): the engine re-reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feedbridge.domain.catalog import ChangeEvent, ChangeKind
from feedbridge.errors import DataError
from feedbridge.http.hmac_tools import same

# The scopes feedbridge subscribes to, and the change each one means.
SCOPES: dict[str, ChangeKind] = {
    "store/product/created": ChangeKind.PRODUCT_UPDATED,
    "store/product/updated": ChangeKind.PRODUCT_UPDATED,
    "store/product/deleted": ChangeKind.PRODUCT_DELETED,
    "store/product/inventory/updated": ChangeKind.INVENTORY_UPDATED,
    "store/product/inventory/order/updated": ChangeKind.INVENTORY_UPDATED,
    "store/sku/updated": ChangeKind.PRODUCT_UPDATED,
    "store/sku/inventory/updated": ChangeKind.INVENTORY_UPDATED,
    "store/sku/inventory/order/updated": ChangeKind.INVENTORY_UPDATED,
    "store/shipment/created": ChangeKind.FULFILMENT_CREATED,
    "store/order/statusUpdated": ChangeKind.ORDER_UPDATED,
}

DEFAULT_TOLERANCE = 300  # seconds; Standard Webhooks' recommended replay window


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def sign_with_key(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """A Standard Webhooks `v1,<base64>` signature with raw key bytes."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def sign(client_secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """The `webhook-signature` value BigCommerce sends for one message (key: the client secret's bytes)."""
    return sign_with_key(client_secret.encode(), msg_id, timestamp, body)


def verify(client_secret: str, headers: Mapping[str, str], body: bytes, *,
           tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> bool:
    """True when one `v1` signature matches and the timestamp is within `tolerance` seconds of now."""
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not client_secret or not msg_id or not timestamp or not signatures or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = sign(client_secret, msg_id, timestamp, body)
    return any(same(candidate, expected) for candidate in signatures.split() if candidate.startswith("v1,"))


def parse(headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
    """A verified delivery → change events; the event id is the `webhook-id` (stable across redeliveries)."""
    try:
        payload: Any = json.loads(body)
    except ValueError as exc:
        raise DataError("the BigCommerce webhook body is not JSON", field="body") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict) or "scope" not in payload:
        raise DataError("the BigCommerce webhook has no scope or data", field="body")
    scope = str(payload["scope"])
    kind = SCOPES.get(scope)
    if kind is None:
        return []
    data = payload["data"]
    event_id = _header(headers, "webhook-id") or f"{payload.get('hash', '')}:{payload.get('created_at', '')}"
    occurred = _occurred(payload.get("created_at"))
    if scope.startswith("store/sku/"):
        detail = data.get("sku") or data.get("inventory")
        product_id = _object_id(detail.get("product_id") if isinstance(detail, dict) else None)
        if product_id is None:
            raise DataError(f"the {scope} webhook does not name its product", field="data")
        variant_id = _object_id(detail.get("variant_id")) if isinstance(detail, dict) else None
        return [ChangeEvent(kind=kind, object_id=product_id, variant_id=variant_id, occurred_at=occurred,
                            event_id=event_id)]
    object_id = _object_id(data.get("orderId", data.get("id")) if scope.startswith("store/shipment/")
                           else data.get("id"))
    if object_id is None:
        raise DataError(f"the {scope} webhook does not name its object", field="data.id")
    return [ChangeEvent(kind=kind, object_id=object_id, occurred_at=occurred, event_id=event_id)]


def _object_id(value: object) -> str | None:
    """A BigCommerce id (a positive integer, sometimes sent as a string); None when absent or malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return value
    return None


def _occurred(value: object) -> datetime | None:
    """The delivery's `created_at` (Unix seconds); None when missing or unreadable."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
