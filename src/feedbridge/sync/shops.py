"""Connecting TikTok shops: the merchant authorizes feedbridge on TikTok, we store the shops and their tokens.

TikTok → feedbridge only: shops, ciphers and tokens come from TikTok; nothing is changed on TikTok except the
webhook subscriptions for the shop. A reconnect updates the same rows; nothing is ever deleted here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import select

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import StoreFeed, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.tiktok.adapter import TikTokAdapter
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.oauth import (
    authorization_url,
    authorized_shops,
    exchange_code,
    make_state,
    parse_callback,
)
from feedbridge.tiktok.regions import region as region_info
from feedbridge.tiktok.webhooks import SUBSCRIBED

log = logging.getLogger(__name__)


def start_authorization(runtime: Runtime, merchant_id: int, region: str) -> str:
    """The TikTok link the merchant opens to authorize feedbridge; `state` binds the answer to this merchant."""
    settings = runtime.settings
    state = make_state(settings.secret_key, str(merchant_id))
    host = settings.tiktok_auth_url if settings.sandbox_mode else None
    url = authorization_url(settings.tiktok_service_id, state, region_code=region, host=host)
    if settings.sandbox_mode:
        url += f"&redirect_uri={settings.public_url.rstrip('/')}/connect/tiktok/callback"
    return url


async def finish_authorization(runtime: Runtime, merchant_id: int, query: Mapping[str, str]) -> list[int]:
    """Check TikTok's redirect (state must name this merchant) and connect the shops it authorized."""
    callback = parse_callback(query, runtime.settings.secret_key)
    if callback.claims is not None and callback.claims.merchant_id != str(merchant_id):
        from feedbridge.errors import DataError

        raise DataError("This authorization was started by another account; start it again while logged in.",
                        field="state")
    return await connect_with_code(runtime, merchant_id, callback.auth_code)


async def connect_with_code(runtime: Runtime, merchant_id: int, auth_code: str) -> list[int]:
    """Trade the one-time code for tokens and store every shop they cover. Returns the shop rows' ids."""
    settings = runtime.settings
    tokens = await exchange_code(settings.tiktok_auth_url, settings.tiktok_app_key, settings.tiktok_app_secret,
                                 auth_code)
    client = TikTokClient(settings.tiktok_api_url, settings.tiktok_app_key, settings.tiktok_app_secret,
                          access_token=tokens.access_token, shop_cipher="")
    try:
        shops = await authorized_shops(client)
    finally:
        await client.aclose()
    connected: list[int] = []
    for shop in shops:
        info = region_info(shop.region)
        adapter = TikTokAdapter(
            TikTokClient(settings.tiktok_api_url, settings.tiktok_app_key, settings.tiktok_app_secret,
                         access_token=tokens.access_token, shop_cipher=shop.cipher),
            region=info.code, currency=info.currency)
        problems: list[str] = []
        try:
            warehouse = await adapter.warehouse_id()
        except Exception as exc:  # a shop without a warehouse is connected, but cannot list yet
            warehouse, problems = "", [f"No warehouse: {exc}"]
        try:
            await adapter.register_webhooks(f"{settings.public_url.rstrip('/')}/webhooks/tiktok",
                                            [t.name for t in SUBSCRIBED])
        except Exception as exc:  # polling still finds orders; say so instead of failing the connection
            problems.append(f"Webhooks could not be registered ({exc}); feedbridge polls TikTok instead.")
        finally:
            await adapter.aclose()
        with transaction(runtime.sessions) as session:
            row = session.scalars(select(TikTokShop).where(TikTokShop.merchant_id == merchant_id,
                                                           TikTokShop.shop_id == shop.id)).first()
            if row is None:
                row = TikTokShop(merchant_id=merchant_id, shop_id=shop.id)
                session.add(row)
            row.region, row.name, row.cipher, row.currency = info.code, shop.name, shop.cipher, info.currency
            row.tokens = runtime.vault.encrypt({"access_token": tokens.access_token,
                                                "refresh_token": tokens.refresh_token})
            row.access_expires_at = tokens.access_token_expires_at
            row.refresh_expires_at = tokens.refresh_token_expires_at
            row.default_warehouse_id = warehouse or row.default_warehouse_id
            row.status, row.status_reason = "connected", " ".join(problems)
            session.flush()
            connected.append(row.id)
            for kind in ("categories.refresh", "orders.poll", "aftersales.sync"):
                record_intent(session, kind, str(row.id), {"shop": row.id}, merchant_id=merchant_id)
            for feed in session.scalars(select(StoreFeed).where(StoreFeed.tiktok_shop_id == row.id)):
                record_intent(session, "link.by_sku", str(feed.id), {"feed": feed.id}, merchant_id=merchant_id)
            log_activity(session, merchant_id, "tiktok.connected",
                         f"TikTok shop {shop.name} ({info.name}) is connected." + (
                             f" {row.status_reason}" if problems else ""),
                         subject=f"tiktok_shop:{row.id}", level="warning" if problems else "info",
                         action="Check the delivery settings of the shop in TikTok Seller Center." if problems else "")
    return connected
