"""TikTok Shop webhooks, TikTok → feedbridge: verify the signature, then parse the envelope into an event.

Envelope: {"type": int, "tts_notification_id": str, "shop_id": str, "timestamp": unix, "data": {...}}.
Ids may arrive as JSON numbers and are turned into strings. Types we do not know are kept (topic
"UNKNOWN_<type>"), never dropped; a malformed envelope raises DataError. De-duplicate on `notification_id`
(some documented examples lack `tts_notification_id`; a digest of the body stands in, so a redelivery of the
same body still de-duplicates). Creator- and seller-level topics carry `creator_open_id` / `seller_open_id`
instead of `shop_id`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from feedbridge.errors import DataError
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import WebhookSignatureError
from feedbridge.tiktok.signing import verify_webhook


class WebhookType(IntEnum):
    """Webhook type ids; the names are the `event_type` values of PUT /event/202309/webhooks."""

    ORDER_STATUS_CHANGE = 1
    REVERSE_STATUS_UPDATE = 2
    RECIPIENT_ADDRESS_UPDATE = 3
    PACKAGE_UPDATE = 4
    PRODUCT_STATUS_CHANGE = 5
    SELLER_DEAUTHORIZATION = 6
    UPCOMING_AUTHORIZATION_EXPIRATION = 7
    CANCELLATION_STATUS_CHANGE = 11
    RETURN_STATUS_CHANGE = 12
    NEW_CONVERSATION = 13
    NEW_MESSAGE = 14
    PRODUCT_INFORMATION_CHANGE = 15
    PRODUCT_CREATION = 16
    PRODUCT_CATEGORY_CHANGE = 18
    INVENTORY_STATUS_CHANGE = 27
    PRODUCT_AUDIT_STATUS_CHANGE = 37


# The event types feedbridge subscribes a shop to.
SUBSCRIBED = (
    WebhookType.ORDER_STATUS_CHANGE,
    WebhookType.RECIPIENT_ADDRESS_UPDATE,
    WebhookType.PACKAGE_UPDATE,
    WebhookType.PRODUCT_STATUS_CHANGE,
    WebhookType.SELLER_DEAUTHORIZATION,
    WebhookType.UPCOMING_AUTHORIZATION_EXPIRATION,
    WebhookType.CANCELLATION_STATUS_CHANGE,
    WebhookType.RETURN_STATUS_CHANGE,
    WebhookType.PRODUCT_AUDIT_STATUS_CHANGE,
)


def _normalise(value: Any, key: str = "") -> Any:
    """Ids (keys ending in `_id`, and `*_id_list` entries) become strings; everything else is kept as is."""
    if isinstance(value, Mapping):
        return {k: _normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, key) for v in value]
    if (key.endswith("_id") or key.endswith("_id_list")) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One delivery from TikTok; `data` is the topic-specific object with ids as strings."""

    type: int
    notification_id: str
    shop_id: str  # empty for creator- or seller-level topics, which name `open_id` instead
    timestamp: datetime
    data: Mapping[str, Any]
    open_id: str = ""

    @property
    def known(self) -> bool:
        return self.type in WebhookType._value2member_map_

    @property
    def topic(self) -> str:
        """The event_type name, or UNKNOWN_<type> for a type feedbridge does not know yet."""
        return WebhookType(self.type).name if self.known else f"UNKNOWN_{self.type}"

    def _get(self, key: str) -> str:
        value = self.data.get(key)
        return "" if value is None else str(value)

    @property
    def order_id(self) -> str:
        return self._get("order_id")

    @property
    def product_id(self) -> str:
        return self._get("product_id")

    @property
    def status(self) -> str:
        """The new status the event reports (order, product, cancellation, return or audit status)."""
        for key in ("order_status", "status", "cancel_status", "return_status"):
            if self.data.get(key):
                return self._get(key)
        audit = self.data.get("audit")
        if isinstance(audit, Mapping) and audit.get("status"):
            return str(audit["status"])
        return ""

    @property
    def is_on_hold_order(self) -> bool:
        return bool(self.data.get("is_on_hold_order"))


def _field_str(envelope: Mapping[str, Any], key: str) -> str:
    """An id field as a string; "" when absent; DataError when present but not an id."""
    value = envelope.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise DataError(f"The TikTok webhook has no valid {key}.", field=key)
    return str(value)


def parse_webhook(raw_body: bytes | str) -> WebhookEvent:
    """Parse a webhook body that has already been verified; DataError when it is not a TikTok envelope."""
    try:
        envelope = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError("The TikTok webhook body is not valid JSON.", field="body") from exc
    if not isinstance(envelope, dict):
        raise DataError("The TikTok webhook body is not a JSON object.", field="body")
    kind = envelope.get("type")
    if isinstance(kind, str) and kind.isdigit():
        kind = int(kind)
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise DataError("The TikTok webhook has no numeric type.", field="type")
    stamp = envelope.get("timestamp")
    try:
        moment = datetime.fromtimestamp(int(stamp), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise DataError("The TikTok webhook has no valid timestamp.", field="timestamp") from exc
    data = envelope.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataError("The TikTok webhook data is not an object.", field="data")
    shop_id = _field_str(envelope, "shop_id")
    open_id = _field_str(envelope, "creator_open_id") or _field_str(envelope, "seller_open_id")
    if not shop_id and not open_id:
        raise DataError("The TikTok webhook names no shop_id (nor creator or seller open id).", field="shop_id")
    body = raw_body.encode() if isinstance(raw_body, str) else raw_body
    notification_id = _field_str(envelope, "tts_notification_id") or "sha256:" + hashlib.sha256(body).hexdigest()
    return WebhookEvent(
        type=kind,
        notification_id=notification_id,
        shop_id=shop_id,
        timestamp=moment,
        data=_normalise(data),
        open_id=open_id,
    )


def verified_event(app_key: str, app_secret: str, raw_body: bytes, authorization: str | None) -> WebhookEvent:
    """Verify the Authorization header over the raw body, then parse; WebhookSignatureError when it fails."""
    if not verify_webhook(app_key, app_secret, raw_body, authorization):
        raise WebhookSignatureError("The TikTok webhook signature is missing or wrong; the delivery was refused.")
    return parse_webhook(raw_body)


async def subscribe(
    client: TikTokClient, address: str, event_types: tuple[WebhookType, ...] = SUBSCRIBED
) -> list[str]:
    """Point the shop's webhooks for `event_types` at `address`; returns the event types now set.

    Types already pointing at `address` are left alone, so calling this on every reconnect is cheap.
    """
    current = {str(w.get("event_type")): str(w.get("address")) for w in await client.get_webhooks()}
    done = []
    for kind in event_types:
        if current.get(kind.name) != address:
            await client.update_webhook(kind.name, address)
        done.append(kind.name)
    return done
