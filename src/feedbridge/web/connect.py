"""Connecting a store and choosing the TikTok shops it feeds; shared by the dashboard and the JSON API.

A store connection is only saved after the store answered with these credentials (`adapter.store_info()`), its
address passed the SSRF guard, and the credentials were encrypted with the runtime's vault.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from feedbridge.db.models import StoreConnection, StoreFeed, TikTokShop
from feedbridge.db.session import transaction
from feedbridge.domain.catalog import StoreInfo
from feedbridge.errors import AuthError, ConfigError, DataError, PlatformError, RetryableError
from feedbridge.http.ssrf import check_public_url
from feedbridge.runtime import Runtime
from feedbridge.stores import PLATFORMS, build_store
from feedbridge.sync.setup import set_up_feed, set_up_store
from feedbridge.web import repo
from feedbridge.web.errors import Conflict

log = logging.getLogger(__name__)
STORE_CHECK_TIMEOUT = 45.0


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One value the merchant pastes from the store's admin."""

    name: str
    label: str
    secret: bool = True
    help: str = ""


@dataclass(frozen=True, slots=True)
class PlatformForm:
    """What connecting one platform takes: the address and the credentials (one complete group of them)."""

    platform: str
    label: str
    url_label: str
    url_help: str
    fields: tuple[CredentialField, ...]
    groups: tuple[tuple[str, ...], ...]
    default_url: str = ""
    generated: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()

    def field(self, name: str) -> CredentialField | None:
        """The credential field called `name`."""
        return next((f for f in self.fields if f.name == name), None)


FORMS: dict[str, PlatformForm] = {
    "shopify": PlatformForm(
        "shopify", "Shopify", "Shop address", "For example https://your-shop.myshopify.com",
        (CredentialField("access_token", "Admin API access token",
                         help="From your custom app: Settings › Apps › Develop apps › API credentials."),
         CredentialField("client_secret", "API secret key", help="Used to check that webhooks come from Shopify.")),
        (("access_token", "client_secret"),)),
    "bigcommerce": PlatformForm(
        "bigcommerce", "BigCommerce", "API address", "Leave as is unless your API account says otherwise.",
        (CredentialField("store_hash", "Store hash", secret=False,
                         help="The part after /stores/ in your API path, e.g. abc123def."),
         CredentialField("access_token", "Access token"),
         CredentialField("client_secret", "Client secret")),
        (("store_hash", "access_token", "client_secret"),), default_url="https://api.bigcommerce.com",
        identity=("store_hash",)),
    "woocommerce": PlatformForm(
        "woocommerce", "WooCommerce", "Site address", "For example https://shop.example.com",
        (CredentialField("consumer_key", "Consumer key",
                         help="WooCommerce › Settings › Advanced › REST API; give it read/write access."),
         CredentialField("consumer_secret", "Consumer secret")),
        (("consumer_key", "consumer_secret"),), generated=("webhook_secret",)),
    "magento": PlatformForm(
        "magento", "Magento 2 (Adobe Commerce)", "Store address", "For example https://store.example.com",
        (CredentialField("consumer_key", "Consumer key", help="System › Integrations › your integration."),
         CredentialField("consumer_secret", "Consumer secret"),
         CredentialField("access_token", "Access token"),
         CredentialField("access_token_secret", "Access token secret"),
         CredentialField("bearer_token", "Or: integration bearer token",
                         help="Instead of the four values above, if your store allows integration tokens as "
                              "bearer tokens.")),
        (("consumer_key", "consumer_secret", "access_token", "access_token_secret"), ("bearer_token",))),
}


def platform_form(platform: str) -> PlatformForm:
    """The connect form of a platform; DataError for an unknown one."""
    form = FORMS.get(platform)
    if form is None or platform not in PLATFORMS:
        raise DataError(f"feedbridge does not connect to '{platform}' stores. Choose one of: "
                        f"{', '.join(f.label for f in FORMS.values() if f.platform in PLATFORMS)}.",
                        field="platform")
    return form


def clean_credentials(form: PlatformForm, given: Mapping[str, Any]) -> dict[str, str]:
    """Keep the form's fields, trimmed; DataError naming the first missing field when no group is complete."""
    values = {f.name: str(given.get(f.name) or "").strip() for f in form.fields}
    for group in form.groups:
        if all(values[name] for name in group):
            return {name: values[name] for name in group}
    first_group = form.groups[0]
    missing = next(name for name in first_group if not values[name])
    label = form.field(missing).label if form.field(missing) else missing  # type: ignore[union-attr]
    hint = " (or the bearer token)" if len(form.groups) > 1 else ""
    raise DataError(f"Enter the {label}{hint}.", field=missing)


def _same_identity(form: PlatformForm, runtime: Runtime, row: StoreConnection, creds: Mapping[str, str]) -> bool:
    if not form.identity:
        return True
    try:
        stored = runtime.vault.decrypt(row.credentials)
    except ConfigError:
        return False
    return all(stored.get(key) == creds.get(key) for key in form.identity)


async def check_store(platform: str, base_url: str, credentials: Mapping[str, str]) -> StoreInfo:
    """Ask the store who it is with these credentials; DataError/ConfigError saying why it failed."""
    try:
        adapter = build_store(platform, base_url, credentials)
    except ImportError as exc:
        raise ConfigError(f"The {platform} connector is not installed in this copy of feedbridge.",
                          action="Update feedbridge, or ask your operator.") from exc
    try:
        return await asyncio.wait_for(adapter.store_info(), STORE_CHECK_TIMEOUT)
    except AuthError as exc:
        raise DataError(f"The store refused these credentials: {exc.message}",
                        field=platform_form(platform).groups[0][0],
                        action="Check that you copied them completely and that they have the access listed.") from exc
    except PlatformError as exc:
        raise DataError(f"The store answered with an error: {exc}", field="base_url") from exc
    except (RetryableError, httpx.HTTPError, TimeoutError, OSError) as exc:
        reason = exc.message if isinstance(exc, RetryableError) else (str(exc) or type(exc).__name__)
        raise DataError(f"feedbridge could not reach the store at {base_url}: {reason}",
                        field="base_url", action="Check the address, then try again.") from exc
    finally:
        close = getattr(adapter, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:  # closing must not hide the answer
                log.debug("closing the %s adapter failed", platform, exc_info=True)


async def connect_store(runtime: Runtime, merchant_id: int, platform: str, base_url: str,
                        credentials: Mapping[str, Any], *, connection_id: int | None = None) -> StoreConnection:
    """Check and save a store connection (a new one, or new credentials for `connection_id`)."""
    form = platform_form(platform)
    creds = clean_credentials(form, credentials)
    url = await run_in_threadpool(check_public_url, base_url or form.default_url,
                                  allow_private=runtime.settings.sandbox_mode)

    def existing() -> dict[str, str]:
        with transaction(runtime.sessions) as session:
            if connection_id is not None:
                row = repo.owned(session, StoreConnection, merchant_id, connection_id, "store connection")
                if row.platform != platform:
                    raise DataError("A connection cannot change platform; connect the other store separately.",
                                    field="platform")
                return runtime.vault.decrypt(row.credentials)
            for row in repo.connections(session, merchant_id):
                if row.platform == platform and row.base_url == url and _same_identity(form, runtime, row, creds):
                    raise Conflict(f"This store is already connected ({row.name or row.base_url}). "
                                   "Use Reconnect on the Connections page to change its credentials.",
                                   field="base_url")
            return {}

    previous = await run_in_threadpool(existing)
    for name in form.generated:
        creds[name] = previous.get(name) or secrets.token_urlsafe(24)
    info = await check_store(platform, url, creds)

    def save() -> StoreConnection:
        with transaction(runtime.sessions) as session:
            if connection_id is not None:
                row = repo.owned(session, StoreConnection, merchant_id, connection_id, "store connection")
                row.base_url = url
                verb = "Reconnected"
            else:
                row = StoreConnection(merchant_id=merchant_id, platform=platform, base_url=url)
                session.add(row)
                verb = "Connected"
            row.credentials = runtime.vault.encrypt(creds)
            row.name = info.name or url
            row.currency = (info.currency or "")[:3].upper()
            row.weight_unit = str(getattr(info.weight_unit, "value", info.weight_unit))
            row.status, row.status_reason = "connected", ""
            session.flush()
            for feed in repo.feeds(session, merchant_id, row.id):
                _apply_currency_rule(session, feed, row)
            repo.log_activity(session, merchant_id, "store.connected",
                              f"{verb} {form.label} store {row.name} ({row.currency or 'currency unknown'}).",
                              subject=f"store_connection:{row.id}")
            return row

    row = await run_in_threadpool(save)
    await set_up_store(runtime, row.id)
    return row


def delete_connection(session: Session, merchant_id: int, connection_id: int) -> StoreConnection:
    """Remove a store connection and its feeds (listings stay on TikTok Shop)."""
    row = repo.owned(session, StoreConnection, merchant_id, connection_id, "store connection")
    for feed in repo.feeds(session, merchant_id, row.id):
        session.delete(feed)
    session.flush()  # feeds first: the database would cascade them, but the ORM expects to delete them itself
    session.delete(row)
    repo.log_activity(session, merchant_id, "store.disconnected",
                      f"Removed the {row.platform} store {row.name or row.base_url}.",
                      action="Products already listed stay on TikTok Shop; they no longer follow the store.",
                      subject=f"store_connection:{row.id}")
    return row


def parse_exchange_rate(value: str | None) -> str | None:
    """A positive decimal as text, or None when empty; DataError otherwise."""
    if value is None or not str(value).strip():
        return None
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise DataError("Enter the exchange rate as a number, e.g. 0.79.", field="exchange_rate") from exc
    if not rate.is_finite() or rate <= 0:
        raise DataError("The exchange rate must be a number above zero.", field="exchange_rate")
    return str(rate)


def _apply_currency_rule(session: Session, feed: StoreFeed, store: StoreConnection) -> None:
    shop = session.get(TikTokShop, feed.tiktok_shop_id)
    if shop is None:
        return
    mismatch = bool(store.currency and shop.currency and store.currency != shop.currency)
    if mismatch and not feed.exchange_rate:
        feed.status = "currency_mismatch"
        feed.status_reason = (f"Your store prices are in {store.currency} but the TikTok shop sells in "
                              f"{shop.currency}. Enter an exchange rate for this feed; prices stay unsynced "
                              "until then.")
    elif feed.status == "currency_mismatch":
        feed.status, feed.status_reason = "active", ""


def create_feed(session: Session, merchant_id: int, store_connection_id: int, tiktok_shop_id: int,
                exchange_rate: str | None = None) -> StoreFeed:
    """Let a store feed one of the merchant's TikTok shops; Conflict when it already does."""
    store = repo.owned(session, StoreConnection, merchant_id, store_connection_id, "store connection")
    shop = repo.owned(session, TikTokShop, merchant_id, tiktok_shop_id, "TikTok shop")
    exists = session.scalars(select(StoreFeed).where(StoreFeed.merchant_id == merchant_id,
                                                     StoreFeed.store_connection_id == store.id,
                                                     StoreFeed.tiktok_shop_id == shop.id)).first()
    if exists is not None:
        raise Conflict(f"{store.name or store.base_url} already feeds {shop.name or shop.shop_id}.",
                       field="tiktok_shop_id")
    feed = StoreFeed(merchant_id=merchant_id, store_connection_id=store.id, tiktok_shop_id=shop.id,
                     exchange_rate=parse_exchange_rate(exchange_rate))
    session.add(feed)
    session.flush()
    _apply_currency_rule(session, feed, store)
    set_up_feed(session, feed)
    repo.log_activity(session, merchant_id, "feed.created",
                      f"{store.name or store.base_url} now feeds the TikTok shop {shop.name or shop.shop_id}.",
                      subject=f"feed:{feed.id}")
    return feed


def set_store_feeds(session: Session, merchant_id: int, store_connection_id: int, tiktok_shop_ids: set[int],
                    exchange_rates: Mapping[int, str | None] | None = None) -> list[StoreFeed]:
    """Make the store feed exactly these TikTok shops (creating and removing feeds), with their exchange rates.

    `exchange_rates` maps a TikTok shop id to "1 store currency = rate shop currency"; empty clears the rate.
    """
    rates = {shop_id: parse_exchange_rate(value) for shop_id, value in (exchange_rates or {}).items()}
    store = repo.owned(session, StoreConnection, merchant_id, store_connection_id, "store connection")
    for shop_id in tiktok_shop_ids:
        repo.owned(session, TikTokShop, merchant_id, shop_id, "TikTok shop")
    current = {feed.tiktok_shop_id: feed for feed in repo.feeds(session, merchant_id, store.id)}
    for shop_id, feed in current.items():
        if shop_id not in tiktok_shop_ids:
            delete_feed(session, merchant_id, feed.id)
        elif shop_id in rates and rates[shop_id] != feed.exchange_rate:
            feed.exchange_rate = rates[shop_id]
            _apply_currency_rule(session, feed, store)
    for shop_id in sorted(tiktok_shop_ids - set(current)):
        create_feed(session, merchant_id, store.id, shop_id, rates.get(shop_id))
    session.flush()
    return repo.feeds(session, merchant_id, store.id)


def delete_feed(session: Session, merchant_id: int, feed_id: int) -> None:
    """Stop a store feeding a TikTok shop."""
    feed = repo.owned(session, StoreFeed, merchant_id, feed_id, "feed")
    session.delete(feed)
    repo.log_activity(session, merchant_id, "feed.removed", f"Feed {feed_id} was removed.",
                      subject=f"feed:{feed_id}")
