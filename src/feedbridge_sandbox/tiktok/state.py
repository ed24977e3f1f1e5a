"""Everything the TikTok sandbox remembers: app, shops, tokens, images, products, orders, after-sales.

Plain dataclasses in memory; one `State` per sandbox. Time always comes from the sandbox clock, so tests move
review delays, on-hold windows and token expiry forward without waiting.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from feedbridge_sandbox.core import Clock
from feedbridge_sandbox.tiktok.regions import REGIONS, Region

ACCESS_TOKEN_TTL = 7 * 24 * 3600        # TikTok: access tokens last seven days
REFRESH_TOKEN_TTL = 365 * 24 * 3600     # the authorization duration; one year here
AUTH_CODE_TTL = 30 * 60                 # auth codes: 30 minutes, single use


@dataclass
class App:
    """The partner app the sandbox knows (one per sandbox)."""

    app_key: str
    app_secret: str
    service_id: str
    webhook_address: str = ""           # app-level webhook URL (Partner Center setting), all topics


@dataclass
class Shop:
    """A seller's shop in one market."""

    id: str
    name: str
    region: str
    cipher: str
    code: str
    seller_name: str
    open_id: str
    warehouse_id: str
    return_warehouse_id: str

    @property
    def market(self) -> Region:
        """The shop's market rules."""
        return REGIONS[self.region]

    def as_api(self) -> dict[str, Any]:
        """As Get Authorized Shops shows it."""
        return {"id": self.id, "name": self.name, "region": self.region,
                "seller_type": self.market.seller_type, "cipher": self.cipher, "code": self.code}


@dataclass
class Grant:
    """An access/refresh token pair covering one seller's shops."""

    access_token: str
    refresh_token: str
    shop_ids: list[str]
    access_expires: float
    refresh_expires: float
    revoked: bool = False
    expiry_notice_at: float = 0.0      # when UPCOMING_AUTHORIZATION_EXPIRATION was last sent


@dataclass
class AuthCode:
    """A one-time authorization code from the seller's consent."""
    code: str
    shop_ids: list[str]
    expires: float
    used: bool = False


@dataclass
class Image:
    """An uploaded image."""
    uri: str
    width: int
    height: int
    use_case: str
    content_type: str
    data: bytes


@dataclass
class Product:
    """A listing: the fields the seller sent (`fields`), its SKUs, and what TikTok adds (status, audit)."""

    id: str
    shop_id: str
    fields: dict[str, Any]
    skus: list[dict[str, Any]]
    status: str
    create_time: int
    update_time: int
    audit_status: str = "NONE"
    audit_failed_reasons: list[dict[str, Any]] = field(default_factory=list)
    review_due: float | None = None
    approved_once: bool = False
    category_version: str = "v1"


@dataclass
class Order:
    """An order with one line item per unit, as TikTok structures it."""

    id: str
    shop_id: str
    status: str
    line_items: list[dict[str, Any]]
    payment: dict[str, Any]
    recipient_address: dict[str, Any]
    user_id: str
    buyer_email: str
    buyer_message: str
    create_time: int
    update_time: int
    delivery_option: dict[str, Any]
    shipping_type: str = "SELLER"
    paid_time: int | None = None
    on_hold_until: float | None = None
    package_ids: list[str] = field(default_factory=list)
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    cancel_time: int | None = None
    rts_time: int | None = None
    collection_time: int | None = None
    delivery_time: int | None = None
    is_buyer_request_cancel: bool = False
    seller_note: str = ""


@dataclass
class Package:
    """A package of an order (one per order until a split)."""
    id: str
    shop_id: str
    order_id: str
    line_item_ids: list[str]
    status: str                         # PROCESSING / FULFILLING / COMPLETED / CANCELLED
    create_time: int
    update_time: int
    tracking_number: str = ""
    shipping_provider_id: str = ""
    shipping_provider_name: str = ""
    handover_method: str = ""
    shipped_time: int | None = None


@dataclass
class Cancellation:
    """A cancellation of an order (by the buyer or the seller)."""
    id: str
    shop_id: str
    order_id: str
    cancel_type: str                    # CANCEL (seller) / BUYER_CANCEL
    status: str
    role: str
    reason: str
    reason_text: str
    line_item_ids: list[str]
    create_time: int
    update_time: int


@dataclass
class Return:
    """A refund or return request."""
    id: str
    shop_id: str
    order_id: str
    return_type: str                    # REFUND / RETURN_AND_REFUND
    status: str
    role: str
    reason: str
    reason_text: str
    line_item_ids: list[str]
    create_time: int
    update_time: int
    tracking_number: str = ""
    provider_name: str = ""


@dataclass
class WebhookSubscription:
    """A shop's webhook address for one event type."""
    event_type: str
    address: str
    create_time: int
    update_time: int


def token() -> str:
    """An opaque token shaped like TikTok's (ROW_ prefix, url-safe body)."""
    return "ROW_" + secrets.token_urlsafe(36)


class State:
    """The sandbox's memory. Not thread-safe on purpose: every mutation runs on the server's event loop."""

    def __init__(self, app: App, clock: Clock) -> None:
        self.app = app
        self.clock = clock
        self._ids = itertools.count(1)
        self.shops: dict[str, Shop] = {}
        self.grants: list[Grant] = []
        self.codes: dict[str, AuthCode] = {}
        self.images: dict[str, Image] = {}
        self.products: dict[str, Product] = {}
        self.orders: dict[str, Order] = {}
        self.packages: dict[str, Package] = {}
        self.cancellations: dict[str, Cancellation] = {}
        self.returns: dict[str, Return] = {}
        self.webhooks: dict[str, dict[str, WebhookSubscription]] = {}
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
        self.custom_brands: dict[str, str] = {}
        self.custom_attribute_ids: dict[str, str] = {}
        self.notification_ids = itertools.count(7327112393057371910)
        # Ids with a timer running, so the per-request tick does not scan every product and order.
        self.pending_reviews: set[str] = set()
        self.on_hold_orders: set[str] = set()

    # --- ids and time ---
    def now(self) -> int:
        """Sandbox time in whole seconds."""
        return int(self.clock.now())

    def new_id(self, prefix: str) -> str:
        """A 19-digit id; the prefix digits tell object kinds apart when debugging."""
        n = next(self._ids)
        return f"{prefix}{n:0{19 - len(prefix)}d}"

    # --- shops and tokens ---
    def shop_by_cipher(self, cipher: str) -> Shop | None:
        """The shop with this cipher, if any."""
        return next((s for s in self.shops.values() if s.cipher == cipher), None)

    def issue_grant(self, shop_ids: list[str]) -> Grant:
        """New access and refresh tokens for the shops."""
        now = self.clock.now()
        grant = Grant(token(), token(), list(shop_ids), now + ACCESS_TOKEN_TTL, now + REFRESH_TOKEN_TTL)
        self.grants.append(grant)
        return grant

    def grant_for_access_token(self, access_token: str) -> Grant | None:
        """The grant an access token belongs to, if any."""
        return next((g for g in self.grants if g.access_token == access_token), None)

    def grant_for_refresh_token(self, refresh_token: str) -> Grant | None:
        """The newest grant carrying this refresh token, if any."""
        return next((g for g in reversed(self.grants) if g.refresh_token == refresh_token), None)

    def latest_grant(self, shop_id: str) -> Grant | None:
        """The newest unrevoked grant covering a shop, if any."""
        return next((g for g in reversed(self.grants) if shop_id in g.shop_ids and not g.revoked), None)

    def new_auth_code(self, shop_ids: list[str]) -> AuthCode:
        """A fresh auth code for the shops (30 minutes, single use)."""
        code = AuthCode(secrets.token_urlsafe(24), list(shop_ids), self.clock.now() + AUTH_CODE_TTL)
        self.codes[code.code] = code
        return code

    # --- catalog ---
    def shop_products(self, shop_id: str) -> list[Product]:
        """Every product of a shop."""
        return [p for p in self.products.values() if p.shop_id == shop_id]

    def find_sku(self, shop_id: str, sku_id: str = "", seller_sku: str = "") -> tuple[Product, dict[str, Any]] | None:
        """(product, sku) of a shop's non-deleted listing by SKU id or seller SKU."""
        for product in self.shop_products(shop_id):
            if product.status == "DELETED":
                continue
            for sku in product.skus:
                if (sku_id and sku["id"] == sku_id) or (seller_sku and sku.get("seller_sku") == seller_sku):
                    return product, sku
        return None
