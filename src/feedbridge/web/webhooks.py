"""Webhook receivers. Each delivery is stored as received (raw body, headers, verified flag) before anything
acts on it; only verified deliveries create work; a repeated delivery id is acknowledged and ignored.
"""

from __future__ import annotations

import hashlib
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedbridge.db.models import StoreConnection, TikTokShop, WebhookEvent
from feedbridge.db.session import transaction
from feedbridge.errors import DataError
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for
from feedbridge.sync.events import handle_store_events, handle_tiktok_event
from feedbridge.tiktok.signing import verify_webhook
from feedbridge.tiktok.webhooks import parse_webhook

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"], include_in_schema=False)
MAX_BODY = 1_000_000
KEPT_HEADERS = ("content-type", "user-agent", "x-shopify-topic", "x-shopify-webhook-id", "x-shopify-shop-domain",
                "x-wc-webhook-topic", "x-wc-webhook-delivery-id", "x-wc-webhook-source", "webhook-id",
                "webhook-timestamp", "x-tts-notification-id")


def _headers(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}


def _store_event(session: Session, event: WebhookEvent) -> bool:
    """Insert the delivery; False when this (source, connection, id) was already received."""
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
        return True
    except IntegrityError:
        return False


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


@router.post("/tiktok")
async def tiktok_webhook(request: Request) -> Response:
    """TikTok Shop webhooks (all shops of this app): verified with the app secret, then de-duplicated."""
    runtime: Runtime = request.app.state.runtime
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "too_large", "Webhook body is too large.")
    settings = runtime.settings
    verified = verify_webhook(settings.tiktok_app_key, settings.tiktok_app_secret, body,
                              request.headers.get("authorization"))
    digest = hashlib.sha256(body).hexdigest()
    if not verified:
        with transaction(runtime.sessions) as session:
            _store_event(session, WebhookEvent(source="tiktok", event_id=f"unverified:{digest}", body=body,
                                               headers=_headers(request), verified=False,
                                               error="signature did not match"))
        return _error(401, "bad_signature", "The webhook signature is not valid for this app.")
    try:
        event = parse_webhook(body)
    except DataError as exc:
        with transaction(runtime.sessions) as session:
            _store_event(session, WebhookEvent(source="tiktok", event_id=f"malformed:{digest}", body=body,
                                               headers=_headers(request), verified=True, error=exc.message))
        return _error(400, "malformed", exc.message)
    with transaction(runtime.sessions) as session:
        found = session.scalars(select(TikTokShop).where(TikTokShop.shop_id == event.shop_id)).all()
        targets: list[TikTokShop | None] = list(found) or [None]
        for shop in targets:
            stored = _store_event(session, WebhookEvent(
                merchant_id=shop.merchant_id if shop else None, source="tiktok",
                connection_id=shop.id if shop else 0, event_id=event.notification_id, topic=event.topic,
                body=body, headers=_headers(request), verified=True,
                error="" if shop else f"no connected shop {event.shop_id}"))
            if stored and shop is not None:
                handle_tiktok_event(session, shop, event)
    return Response(status_code=200)


@router.post("/store/{connection_id}")
async def store_webhook(connection_id: int, request: Request) -> Response:
    """A store's webhooks, verified with that connection's secret, then de-duplicated by delivery id."""
    runtime: Runtime = request.app.state.runtime
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "too_large", "Webhook body is too large.")
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
    if connection is None:
        return _error(404, "unknown_connection", "No such store connection.")
    headers = {k.lower(): v for k, v in request.headers.items()}
    store = store_for(runtime, connection)
    digest = hashlib.sha256(body).hexdigest()
    try:
        ping = getattr(store, "is_ping", None)
        if ping is not None and ping(headers, body):
            return Response(status_code=200)  # WooCommerce checks a new webhook with an unsigned ping
        if not store.verify_webhook(headers, body):
            with transaction(runtime.sessions) as session:
                _store_event(session, WebhookEvent(
                    merchant_id=connection.merchant_id, source=connection.platform, connection_id=connection.id,
                    event_id=f"unverified:{digest}", body=body, headers=_headers(request), verified=False,
                    error="signature did not match"))
            return _error(401, "bad_signature", "The webhook signature is not valid for this store.")
        try:
            events = store.parse_webhook(headers, body)
        except Exception as exc:
            # A signed body the parser cannot read is stored and refused, never a 500 (found by fuzzing).
            message = exc.message if isinstance(exc, DataError) else f"unreadable payload ({type(exc).__name__})"
            if not isinstance(exc, DataError):
                log.warning("%s webhook could not be parsed: %s: %s", connection.platform, type(exc).__name__, exc)
            with transaction(runtime.sessions) as session:
                _store_event(session, WebhookEvent(
                    merchant_id=connection.merchant_id, source=connection.platform, connection_id=connection.id,
                    event_id=f"malformed:{digest}", body=body, headers=_headers(request), verified=True,
                    error=message))
            return _error(400, "malformed", message)
    finally:
        await store.aclose()
    event_id = next((e.event_id for e in events if e.event_id), None) or f"body:{digest}"
    with transaction(runtime.sessions) as session:
        if _store_event(session, WebhookEvent(
                merchant_id=connection.merchant_id, source=connection.platform, connection_id=connection.id,
                event_id=event_id, topic=headers.get("x-shopify-topic") or headers.get("x-wc-webhook-topic", ""),
                body=body, headers=_headers(request), verified=True)):
            handle_store_events(session, connection, events)
    return Response(status_code=200)
