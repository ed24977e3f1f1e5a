"""SQLAlchemy 2 models of feedbridge's own tables. Every merchant-owned row carries `merchant_id`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Merchant(Base):
    """A merchant account: logs in to the dashboard, owns connections."""

    __tablename__ = "merchants"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreConnection(Base):
    """A merchant's store on one platform; credentials are encrypted (db.crypto.Vault)."""

    __tablename__ = "store_connections"
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200), default="")
    base_url: Mapped[str] = mapped_column(String(500))
    credentials: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    weight_unit: Mapped[str] = mapped_column(String(5), default="kg")
    status: Mapped[str] = mapped_column(String(30), default="connected")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    poll_watermark: Mapped[datetime | None] = mapped_column(default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TikTokShop(Base):
    """An authorized TikTok shop; tokens are encrypted. `status` becomes 'reauthorize' when access is lost."""

    __tablename__ = "tiktok_shops"
    __table_args__ = (UniqueConstraint("merchant_id", "shop_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(5))
    shop_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    cipher: Mapped[str] = mapped_column(String(200), default="")
    tokens: Mapped[str] = mapped_column(Text, default="")
    access_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3), default="")
    default_warehouse_id: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(30), default="connected")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreFeed(Base):
    """A store feeding one TikTok shop (one store may feed several shops), with the pair's rules."""

    __tablename__ = "store_feeds"
    __table_args__ = (UniqueConstraint("store_connection_id", "tiktok_shop_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    store_connection_id: Mapped[int] = mapped_column(ForeignKey("store_connections.id", ondelete="CASCADE"))
    tiktok_shop_id: Mapped[int] = mapped_column(ForeignKey("tiktok_shops.id", ondelete="CASCADE"))
    exchange_rate: Mapped[str | None] = mapped_column(String(40), default=None)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(30), default="active")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Binding(Base):
    """A store variant bound to a TikTok SKU in one feed, with the last price and stock pushed."""

    __tablename__ = "bindings"
    __table_args__ = (
        UniqueConstraint("feed_id", "store_variant_id"),
        UniqueConstraint("feed_id", "tiktok_sku_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("store_feeds.id", ondelete="CASCADE"), index=True)
    store_product_id: Mapped[str] = mapped_column(String(64), index=True)
    store_variant_id: Mapped[str] = mapped_column(String(64))
    seller_sku: Mapped[str] = mapped_column(String(100), default="", index=True)
    tiktok_product_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    tiktok_sku_id: Mapped[str | None] = mapped_column(String(64), default=None)
    origin: Mapped[str] = mapped_column(String(20), default="listed")
    last_price: Mapped[str | None] = mapped_column(String(40), default=None)
    last_stock: Mapped[int | None] = mapped_column(Integer, default=None)
    last_pushed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Intent(Base):
    """Durable work to do. (kind, key) is unique: a newer change to the same thing updates the same intent.

    state: pending → running → done | failed; `revision` grows on every new change so a change that arrives
    while the intent runs makes it run again.
    """

    __tablename__ = "intents"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_intents_state_next", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookEvent(Base):
    """A webhook exactly as received. (source, connection_id, event_id) is unique: duplicates are ignored."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("source", "connection_id", "event_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    connection_id: Mapped[int] = mapped_column(Integer, default=0)
    event_id: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100), default="")
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


class Activity(Base):
    """The activity log: what happened, to what, and what the merchant should do about it."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    level: Mapped[str] = mapped_column(String(10), default="info")
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300), default="")
    message: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiToken(Base):
    """A merchant's API token; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class StoreProduct(Base):
    """Our copy of a store product (domain Product as JSON), re-read on changes; the dashboard lists these."""

    __tablename__ = "store_products"
    __table_args__ = (UniqueConstraint("store_connection_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    store_connection_id: Mapped[int] = mapped_column(ForeignKey("store_connections.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    skus: Mapped[str] = mapped_column(Text, default="")
    category_ids: Mapped[list[Any]] = mapped_column(default=list)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class TikTokCategory(Base):
    """A cached TikTok category of one region's tree; rules and attributes are cached when first needed."""

    __tablename__ = "tiktok_categories"
    __table_args__ = (UniqueConstraint("region", "version", "category_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(5))
    version: Mapped[str] = mapped_column(String(5), default="v1")
    category_id: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(Text, default="")
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    attributes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class CategoryMapping(Base):
    """Store category (all its products) or one product → one TikTok leaf category, per feed."""

    __tablename__ = "category_mappings"
    __table_args__ = (UniqueConstraint("feed_id", "scope", "store_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("store_feeds.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    store_ref: Mapped[str] = mapped_column(String(64))
    tiktok_category_id: Mapped[str] = mapped_column(String(64))
    tiktok_category_name: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(20), default="merchant")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttributeDefault(Base):
    """A merchant-set default for a TikTok attribute ('' category = every category of the feed)."""

    __tablename__ = "attribute_defaults"
    __table_args__ = (UniqueConstraint("feed_id", "tiktok_category_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("store_feeds.id", ondelete="CASCADE"), index=True)
    tiktok_category_id: Mapped[str] = mapped_column(String(64), default="")
    attribute_id: Mapped[str] = mapped_column(String(64))
    attribute_name: Mapped[str] = mapped_column(String(200), default="")
    values: Mapped[list[Any]] = mapped_column(default=list)


class Listing(Base):
    """A store product listed (or to be listed) on one TikTok shop, with its status in merchant words."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("feed_id", "store_product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("store_feeds.id", ondelete="CASCADE"), index=True)
    store_product_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    variant_ids: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    tiktok_product_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    tiktok_category_id: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(30), default="not_synced", index=True)
    tiktok_status: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list[Any]] = mapped_column(default=list)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    run_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncRun(Base):
    """A bulk action (e.g. list 10,000 products) and its progress; waits visibly for TikTok's daily quota."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("store_feeds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="running")
    note: Mapped[str] = mapped_column(Text, default="")
    resume_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class Order(Base):
    """A TikTok order and the store order made from it. (tiktok_shop_id, tiktok_order_id) is unique."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "tiktok_order_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    tiktok_shop_id: Mapped[int] = mapped_column(ForeignKey("tiktok_shops.id", ondelete="CASCADE"))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("store_feeds.id", ondelete="SET NULL"), default=None)
    tiktok_order_id: Mapped[str] = mapped_column(String(64))
    tiktok_status: Mapped[str] = mapped_column(String(40), default="")
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    sync_state: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    store_order_id: Mapped[str] = mapped_column(String(64), default="")
    store_order_number: Mapped[str] = mapped_column(String(64), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    total: Mapped[str] = mapped_column(String(40), default="0")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fulfilment_state: Mapped[str] = mapped_column(String(20), default="unfulfilled")
    fulfilment_reason: Mapped[str] = mapped_column(Text, default="")
    placed_at: Mapped[datetime | None] = mapped_column(default=None)
    tiktok_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    created_in_store_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Shipment(Base):
    """A store fulfilment sent (or to send) to TikTok as package tracking."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("order_id", "store_fulfilment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    store_fulfilment_id: Mapped[str] = mapped_column(String(64))
    store_carrier: Mapped[str] = mapped_column(String(200), default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    carrier_source: Mapped[str] = mapped_column(String(20), default="")
    package_id: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class AfterSale(Base):
    """A TikTok cancellation, return or refund, shown to the merchant (returns and refunds are not pushed)."""

    __tablename__ = "after_sales"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "kind", "tiktok_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    tiktok_shop_id: Mapped[int] = mapped_column(ForeignKey("tiktok_shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    tiktok_id: Mapped[str] = mapped_column(String(64))
    tiktok_order_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    status: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[str] = mapped_column(String(40), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CarrierMapping(Base):
    """A store carrier name mapped to a TikTok shipping provider of one shop."""

    __tablename__ = "carrier_mappings"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "store_carrier"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    tiktok_shop_id: Mapped[int] = mapped_column(ForeignKey("tiktok_shops.id", ondelete="CASCADE"))
    store_carrier: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[str] = mapped_column(String(64))
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20), default="merchant")


__all__ = ["Activity", "AfterSale", "ApiToken", "AttributeDefault", "Base", "Binding", "CarrierMapping",
           "CategoryMapping", "Intent", "Listing", "Merchant", "Order", "Shipment", "StoreConnection", "StoreFeed",
           "StoreProduct", "SyncRun", "TikTokCategory", "TikTokShop", "WebhookEvent", "utcnow"]
