"""Shared pieces of the web tests: a fake store platform, a form-filling visitor, and seeded merchant rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from feedbridge.db.models import (
    Activity,
    AfterSale,
    Binding,
    CarrierMapping,
    CategoryMapping,
    Intent,
    Listing,
    Merchant,
    Order,
    Shipment,
    StoreConnection,
    StoreFeed,
    SyncRun,
    TikTokShop,
    utcnow,
)
from feedbridge.db.session import transaction
from feedbridge.domain.catalog import StoreInfo
from feedbridge.errors import AuthError
from feedbridge.runtime import Runtime
from feedbridge.sync.ports import StoreCapabilities, WebhookRegistration
from feedbridge.web.connect import CredentialField, PlatformForm
from feedbridge.web.security import hash_password

GOOD_TOKEN = "fake-good-token"
PASSWORD = "correct horse battery"
FAKE_FORM = PlatformForm(
    "fakeshop", "Fake Shop", "Shop address", "For example https://fake-outfitters.example",
    (CredentialField("access_token", "Access token"), CredentialField("client_secret", "Client secret")),
    (("access_token", "client_secret"),))
CHECKED: list[dict[str, Any]] = []


class FakeStore:
    """A store adapter that only answers `store_info`, and only for GOOD_TOKEN (registered in tests only)."""

    platform = "fakeshop"
    capabilities = StoreCapabilities()

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **options: Any) -> None:
        self.base_url = base_url
        self.credentials = dict(credentials)

    async def store_info(self) -> StoreInfo:
        CHECKED.append({"base_url": self.base_url, **self.credentials})
        if self.credentials.get("access_token") != GOOD_TOKEN:
            raise AuthError("Invalid API key or access token (unrecognized login or wrong password)",
                            platform="fakeshop", status=401)
        return StoreInfo(name="Fake Outfitters", currency="USD")

    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        return [WebhookRegistration(id="1", topic="products/update", address=callback_url)]

    async def aclose(self) -> None:
        return None


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Visitor:
    """A browser-like client: keeps the session cookie and fills in the CSRF token from the last page."""

    base_url: str
    http: httpx.Client = field(init=False)
    token: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, follow_redirects=False, timeout=30)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        match = CSRF_RE.search(response.text)
        if match:
            self.token = match.group(1)
        return response

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> httpx.Response:
        if not self.token and csrf:
            self.get("/login")
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.token)
        response = self.http.post(path, data=form, **kwargs)
        match = CSRF_RE.search(response.text)
        if match:
            self.token = match.group(1)
        return response

    def sign_up(self, email: str, password: str = PASSWORD, name: str = "") -> httpx.Response:
        self.get("/signup")
        return self.post("/signup", {"email": email, "name": name, "password": password,
                                     "password_again": password})

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})

    def new_api_token(self, name: str = "tests") -> str:
        self.get("/settings")
        response = self.post("/settings/tokens", {"name": name})
        assert response.status_code == 201, response.text
        match = re.search(r'id="new-token" readonly value="([^"]+)"', response.text)
        assert match, "the new token is shown on the page"
        return match.group(1)

    def close(self) -> None:
        self.http.close()


def api(base_url: str, token: str) -> httpx.Client:
    """A JSON API client authenticated with `token`."""
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def merchant_id(runtime: Runtime, email: str) -> int:
    with transaction(runtime.sessions) as session:
        merchant = session.query(Merchant).filter_by(email=email).one()
        return merchant.id


def create_merchant(runtime: Runtime, email: str, password: str = PASSWORD) -> int:
    with transaction(runtime.sessions) as session:
        merchant = Merchant(email=email, name=email.split("@")[0], password_hash=hash_password(password))
        session.add(merchant)
        session.flush()
        return merchant.id


def seed_rows(runtime: Runtime, merchant: int, marker: str, *, shop_currency: str = "GBP") -> dict[str, int]:
    """One of everything a merchant owns, each carrying `marker` in a visible text; returns their ids."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        store = StoreConnection(merchant_id=merchant, platform="fakeshop", name=f"{marker} store",
                                base_url=f"https://{marker.lower()}.example", currency="USD",
                                credentials=runtime.vault.encrypt({"access_token": GOOD_TOKEN,
                                                                   "client_secret": "s3cret"}))
        shop = TikTokShop(merchant_id=merchant, region="GB", shop_id=f"{marker}-shop-id", name=f"{marker} shop",
                          currency=shop_currency, status="reauthorize", status_reason=f"{marker} token expired")
        session.add_all([store, shop])
        session.flush()
        feed = StoreFeed(merchant_id=merchant, store_connection_id=store.id, tiktok_shop_id=shop.id,
                         status="currency_mismatch", status_reason=f"{marker} currencies differ")
        session.add(feed)
        session.flush()
        listing = Listing(merchant_id=merchant, feed_id=feed.id, store_product_id=f"{marker}-product",
                          title=f"{marker} listing", status="failed_to_sync", reason=f"{marker} title too long")
        order = Order(merchant_id=merchant, tiktok_shop_id=shop.id, feed_id=feed.id,
                      tiktok_order_id=f"{marker}-order", sync_state="failed", reason=f"{marker} sku not linked",
                      placed_at=now - timedelta(days=1), total="12.50", currency="GBP")
        intent = Intent(merchant_id=merchant, kind="listing.create", key=f"{marker}-intent", state="failed",
                        last_error=f"{marker} failed for good", attempts=8)
        entry = Activity(merchant_id=merchant, level="error", kind="listing.failed",
                         message=f"{marker} activity entry", action=f"{marker} fix it")
        mapping = CategoryMapping(merchant_id=merchant, feed_id=feed.id, scope="store_category", store_ref="c1",
                                  tiktok_category_id="600001", tiktok_category_name=f"{marker} Tops > Tees")
        binding = Binding(merchant_id=merchant, feed_id=feed.id, store_product_id=f"{marker}-product",
                          store_variant_id=f"{marker}-variant", seller_sku=f"{marker}-SKU",
                          tiktok_product_id="tt-1", tiktok_sku_id=f"{marker}-tt-sku", origin="linked")
        run = SyncRun(merchant_id=merchant, feed_id=feed.id, kind="list_products", total=3, done=1,
                      note=f"{marker} run note")
        carrier = CarrierMapping(merchant_id=merchant, tiktok_shop_id=shop.id, store_carrier=f"{marker} Post",
                                 provider_id="p1", provider_name=f"{marker} Provider")
        after_sale = AfterSale(merchant_id=merchant, tiktok_shop_id=shop.id, kind="return", tiktok_id=f"{marker}-r1",
                               tiktok_order_id=f"{marker}-order", status="RETURN_OR_REFUND_REQUEST_PENDING",
                               reason=f"{marker} wrong size", amount="12.50", currency="GBP")
        session.add_all([listing, order, intent, entry, mapping, binding, run, carrier, after_sale])
        session.flush()
        shipment = Shipment(merchant_id=merchant, order_id=order.id, store_fulfilment_id="f1",
                            store_carrier=f"{marker} Post", tracking_number="AB123456789GB", state="failed",
                            reason=f"{marker} shipment refused")
        session.add(shipment)
        session.flush()
        return {"store": store.id, "shop": shop.id, "feed": feed.id, "listing": listing.id, "order": order.id,
                "intent": intent.id, "activity": entry.id, "mapping": mapping.id, "binding": binding.id,
                "run": run.id, "carrier": carrier.id}


def seed_catalog(runtime: Runtime, merchant: int, ids: dict[str, int], *, region: str = "GB") -> None:
    """A cached TikTok tree for the shop's region and two store products in the seeded store."""
    from feedbridge.db.models import StoreProduct, TikTokCategory
    from feedbridge.tiktok.regions import region as region_info

    version = region_info(region).category_version
    with transaction(runtime.sessions) as session:
        if not session.query(TikTokCategory).filter_by(region=region, version=version).count():
            session.add_all([
                TikTokCategory(region=region, version=version, category_id="600000", name="Womenswear",
                               path="Womenswear", is_leaf=False),
                TikTokCategory(region=region, version=version, category_id="600001", parent_id="600000",
                               name="T-shirts", path="Womenswear > Tops > T-shirts", is_leaf=True),
                TikTokCategory(region=region, version=version, category_id="600002", parent_id="600000",
                               name="Shirts", path="Menswear > Shirts", is_leaf=True),
            ])
        for n, (title, category, sku) in enumerate((("Organic Cotton Tee", "c1", "TEE-1"),
                                                    ("Linen Shirt", "c2", "SHIRT-1")), start=1):
            session.add(StoreProduct(
                merchant_id=merchant, store_connection_id=ids["store"], product_id=f"p{n}", title=title, skus=sku,
                category_ids=[category],
                data={"id": f"p{n}", "title": title, "variants": [{"id": f"v{n}", "product_id": f"p{n}", "sku": sku,
                                                                   "price": "10.00"}]}))
