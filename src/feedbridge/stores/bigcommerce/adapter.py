"""The BigCommerce store adapter: implements `feedbridge.sync.ports.StorePort` for one store connection.

Catalog, categories, stock and webhooks flow store → feedbridge; TikTok orders flow feedbridge → store as v2
orders on feedbridge's own "TikTok Shop" channel (created when absent), keyed by `external_order_id`;
shipments flow store → feedbridge.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from feedbridge.domain.catalog import (
    ChangeEvent,
    ChangeKind,
    Location,
    Product,
    StoreCategory,
    StoreInfo,
    WeightUnit,
)
from feedbridge.domain.orders import Fulfilment, OrderDraft, StoreOrderRef, StoreOrderStatus
from feedbridge.errors import ConfigError, DataError
from feedbridge.http.redaction import register_secret
from feedbridge.stores.bigcommerce import carriers, mappers, webhooks
from feedbridge.stores.bigcommerce.client import BigCommerceClient
from feedbridge.sync.ports import ChangePage, StoreCapabilities, WebhookRegistration

CHANNEL_NAME = "TikTok Shop"
CHANNEL_PLATFORM = "tiktok"
EXTERNAL_SOURCE = "feedbridge"
WEBHOOK_SCOPES = (
    "store/product/created", "store/product/updated", "store/product/deleted",
    "store/product/inventory/updated", "store/product/inventory/order/updated", "store/sku/updated",
    "store/sku/inventory/updated", "store/sku/inventory/order/updated", "store/shipment/created",
)
CATALOG_INCLUDE = "variants,images"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class BigCommerceAdapter:
    """One BigCommerce store: `credentials` = {store_hash, access_token, client_secret, channel_id?}.

    Options: `timeout`, `reserve` (requests kept back from the quota), `webhook_tolerance` (seconds),
    `external_source`, `transport` / `event_hooks` (passed to httpx, e.g. to record traffic in tests).
    """

    platform = "bigcommerce"
    capabilities = StoreCapabilities(
        webhooks=True, locations=True, salable_quantity=False, order_tags=False, idempotency_keys=False,
        notes=("Orders have no tags: tags are written into the staff notes.",
               "Orders are created on a dedicated 'TikTok Shop' channel and found again by external_order_id."),
    )

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **options: Any) -> None:
        missing = [k for k in ("store_hash", "access_token", "client_secret") if not credentials.get(k)]
        if missing:
            raise ConfigError(f"The BigCommerce connection is missing {', '.join(missing)}.",
                              action="Paste the store hash, access token and client secret of the store's "
                                     "API account.")
        self.store_hash = str(credentials["store_hash"])
        self.client_secret = str(credentials["client_secret"])
        register_secret(self.client_secret)
        channel = credentials.get("channel_id")
        self._channel_id: int | None = int(channel) if channel else None
        self.external_source = str(options.get("external_source", EXTERNAL_SOURCE))
        self.webhook_tolerance = int(options.get("webhook_tolerance", webhooks.DEFAULT_TOLERANCE))
        self._weight_unit: WeightUnit | None = None
        self.client = BigCommerceClient(
            base_url, self.store_hash, str(credentials["access_token"]),
            timeout=float(options.get("timeout", 30.0)), reserve=int(options.get("reserve", 1)),
            transport=options.get("transport"), event_hooks=options.get("event_hooks"),
        )

    # ---- store ---------------------------------------------------------------------------------------------

    async def store_info(self) -> StoreInfo:
        """GET /v2/store: name, currency, weight unit, time zone."""
        info = mappers.store_info(await self.client.get_json("/v2/store"))
        self._weight_unit = info.weight_unit
        return info

    async def _unit(self) -> WeightUnit:
        if self._weight_unit is None:
            await self.store_info()
        assert self._weight_unit is not None
        return self._weight_unit

    async def locations(self) -> list[Location]:
        """Every inventory location (GET /v3/inventory/locations)."""
        found: list[Location] = []
        async for page in self.client.v3_pages("/v3/inventory/locations"):
            found.extend(mappers.location(row) for row in page)
        return found

    async def categories(self) -> AsyncIterator[StoreCategory]:
        """Categories of every category tree, with their name paths."""
        rows: list[dict[str, Any]] = []
        async for page in self.client.v3_pages("/v3/catalog/trees/categories"):
            rows.extend(page)
        for category in mappers.categories(rows):
            yield category

    # ---- catalog -------------------------------------------------------------------------------------------

    async def _with_stock(self, products: list[Product]) -> list[Product]:
        ids = [p.id for p in products if p.variants]
        if not ids:
            return products
        items: list[dict[str, Any]] = []
        async for page in self.client.v3_pages("/v3/inventory/items", {"product_id:in": ",".join(ids)}):
            items.extend(page)
        mappers.apply_stock(products, mappers.stock_by_variant(items))
        return products

    async def products(self, *, page_size: int = 50) -> AsyncIterator[list[Product]]:
        """The catalog page by page (sorted by id so pages never overlap), stock per location filled in."""
        unit = await self._unit()
        params = {"include": CATALOG_INCLUDE, "sort": "id", "direction": "asc"}
        async for page in self.client.v3_pages("/v3/catalog/products", params, limit=page_size):
            if page:
                yield await self._with_stock([mappers.product(row, unit) for row in page])

    async def get_product(self, product_id: str) -> Product | None:
        """One product, or None when it was deleted (404)."""
        if not str(product_id).isdigit():
            raise DataError(f"{product_id!r} is not a BigCommerce product id", field="product_id")
        unit = await self._unit()
        body = await self.client.get_json(f"/v3/catalog/products/{product_id}",
                                          {"include": CATALOG_INCLUDE}, missing_ok=True)
        if body is None:
            return None
        [found] = await self._with_stock([mappers.product(body["data"], unit)])
        return found

    async def changes_since(self, watermark: datetime, overlap: timedelta) -> ChangePage:
        """Products with `date_modified` at or after `watermark - overlap` (GET /v3/catalog/products)."""
        since = watermark - overlap
        params = {"date_modified:min": _iso(since), "sort": "id", "direction": "asc",
                  "include_fields": "date_modified"}
        events: list[ChangeEvent] = []
        newest = watermark
        async for page in self.client.v3_pages("/v3/catalog/products", params):
            for row in page:
                modified = mappers.parse_time(row.get("date_modified"))
                events.append(ChangeEvent(kind=ChangeKind.PRODUCT_UPDATED, object_id=str(row["id"]),
                                          occurred_at=modified,
                                          event_id=f"poll:{row['id']}:{row.get('date_modified', '')}"))
                if modified and modified > newest:
                    newest = modified
        return ChangePage(events=events, watermark=newest)

    # ---- webhooks ------------------------------------------------------------------------------------------

    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        """One hook per scope we need, reusing (and re-activating) hooks that already point at `callback_url`."""
        existing: list[dict[str, Any]] = []
        async for page in self.client.v3_pages("/v3/hooks", {"destination": callback_url}):
            existing.extend(page)
        registered = []
        for scope in WEBHOOK_SCOPES:
            hook = next((h for h in existing if h.get("scope") == scope
                         and h.get("destination") == callback_url), None)
            if hook is None:
                hook = (await self.client.send_json(
                    "POST", "/v3/hooks", {"scope": scope, "destination": callback_url, "is_active": True}))["data"]
            elif not hook.get("is_active", True):
                hook = (await self.client.send_json("PUT", f"/v3/hooks/{hook['id']}", {"is_active": True}))["data"]
            registered.append(WebhookRegistration(id=str(hook["id"]), topic=scope, address=callback_url,
                                                  active=bool(hook.get("is_active", True))))
        return registered

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Standard Webhooks signature check with this app's client secret (constant-time)."""
        return webhooks.verify(self.client_secret, headers, body, tolerance=self.webhook_tolerance)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
        """Thin payload → change events (the engine re-reads the product, order or shipment)."""
        return webhooks.parse(headers, body)

    # ---- orders --------------------------------------------------------------------------------------------

    async def channel_id(self) -> int:
        """feedbridge's 'TikTok Shop' marketplace channel, created on first use when the store has none."""
        if self._channel_id is not None:
            return self._channel_id
        async for page in self.client.v3_pages("/v3/channels", {"platform:in": CHANNEL_PLATFORM,
                                                                 "type:in": "marketplace"}):
            for channel in page:
                if channel.get("name") == CHANNEL_NAME and channel.get("status") != "archived":
                    self._channel_id = int(channel["id"])
                    return self._channel_id
        created = await self.client.send_json("POST", "/v3/channels", {
            "name": CHANNEL_NAME, "type": "marketplace", "platform": CHANNEL_PLATFORM, "status": "connected",
            "is_listable_from_ui": False, "is_visible": True,
        })
        self._channel_id = int(created["data"]["id"])
        return self._channel_id

    async def _find_order_body(self, tiktok_order_id: str) -> dict[str, Any] | None:
        channel = await self.channel_id()
        rows = await self.client.get_json("/v2/orders", {"external_order_id": tiktok_order_id,
                                                         "channel_id": channel, "sort": "id"})
        matches = [r for r in rows or [] if str(r.get("external_order_id")) == tiktok_order_id]
        return min(matches, key=lambda r: int(r["id"])) if matches else None

    async def find_order(self, tiktok_order_id: str) -> StoreOrderRef | None:
        """The order on our channel whose external_order_id is this TikTok order id."""
        body = await self._find_order_body(tiktok_order_id)
        return mappers.order_ref(body) if body else None

    async def create_order(self, draft: OrderDraft) -> StoreOrderRef:
        """POST /v2/orders, after looking the TikTok order id up so a retry never makes a second order."""
        found = await self.find_order(draft.tiktok_order_id)
        if found is not None:
            return found
        body = mappers.order_body(draft, channel_id=await self.channel_id(), external_source=self.external_source,
                                  status_id=mappers.STATUS_AWAITING_FULFILLMENT)
        created = await self.client.send_json("POST", "/v2/orders", body)
        return mappers.order_ref(created)

    async def _order(self, ref: StoreOrderRef) -> dict[str, Any]:
        body = await self.client.get_json(f"/v2/orders/{ref.id}", missing_ok=True)
        if body is None:
            raise DataError(f"BigCommerce order {ref.number} no longer exists", field="order")
        order: dict[str, Any] = body
        return order

    async def add_order_note(self, ref: StoreOrderRef, note: str, tags: Sequence[str] = ()) -> None:
        """Append a line to the order's staff notes (with the tags, as orders have none)."""
        order = await self._order(ref)
        notes = mappers.note_text(str(order.get("staff_notes") or ""), note, tags)
        await self.client.send_json("PUT", f"/v2/orders/{ref.id}", {"staff_notes": notes})

    async def set_order_status(self, ref: StoreOrderRef, status: StoreOrderStatus) -> None:
        """PUT the v2 status id for `status`."""
        await self.client.send_json("PUT", f"/v2/orders/{ref.id}", {"status_id": mappers.STATUS_IDS[status]})

    async def cancel_order(self, ref: StoreOrderRef, reason: str) -> None:
        """Status 5 (Cancelled), with the reason added to the staff notes."""
        order = await self._order(ref)
        notes = mappers.note_text(str(order.get("staff_notes") or ""), f"Cancelled: {reason}", ())
        await self.client.send_json("PUT", f"/v2/orders/{ref.id}",
                                    {"status_id": mappers.STATUS_CANCELLED, "staff_notes": notes})

    async def _order_products(self, ref: StoreOrderRef) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        async for page in self.client.v2_pages(f"/v2/orders/{ref.id}/products"):
            rows.extend(page)
        return rows

    async def fulfilments(self, ref: StoreOrderRef) -> list[Fulfilment]:
        """Shipments of the order (GET /v2/orders/{id}/shipments), lines mapped to catalog variants."""
        shipments: list[dict[str, Any]] = []
        async for page in self.client.v2_pages(f"/v2/orders/{ref.id}/shipments"):
            shipments.extend(page)
        if not shipments:
            return []
        products = await self._order_products(ref)
        variant_of = {int(p["id"]): str(p.get("variant_id") or "") for p in products}
        sku_of = {int(p["id"]): str(p.get("sku") or "") for p in products}
        return [mappers.fulfilment(s, variant_of, sku_of) for s in shipments]

    async def fulfil_order(self, ref: StoreOrderRef, fulfilment: Fulfilment) -> Fulfilment:
        """POST a shipment for the order's first shipping address, tracking carrier from BigCommerce's list."""
        addresses = await self.client.get_json(f"/v2/orders/{ref.id}/shipping_addresses")
        if not addresses:
            raise DataError(f"BigCommerce order {ref.number} has no shipping address", field="order_address_id")
        products = await self._order_products(ref)
        by_variant = {str(p.get("variant_id")): p for p in products}
        by_sku = {str(p.get("sku")): p for p in products}
        items = []
        for line in fulfilment.lines:
            row = by_variant.get(line.store_variant_id) or by_sku.get(line.sku)
            if row is None:
                raise DataError(f"SKU {line.sku} is not in BigCommerce order {ref.number}", field="lines")
            items.append({"order_product_id": int(row["id"]), "quantity": line.quantity})
        if not items:  # no lines given: ship whatever is still unshipped
            items = [{"order_product_id": int(p["id"]),
                      "quantity": int(p["quantity"]) - int(p.get("quantity_shipped") or 0)}
                     for p in products if int(p["quantity"]) > int(p.get("quantity_shipped") or 0)]
            if not items:
                raise DataError(f"BigCommerce order {ref.number} has nothing left to ship", field="lines")
        body: dict[str, Any] = {"order_address_id": int(addresses[0]["id"]),
                                "tracking_number": fulfilment.tracking_number, "items": items}
        value = carriers.carrier_value(fulfilment.carrier) if fulfilment.carrier else None
        if value:
            body["tracking_carrier"] = value
        elif fulfilment.carrier:
            body["shipping_method"] = fulfilment.carrier
        if fulfilment.tracking_url:
            body["tracking_link"] = fulfilment.tracking_url
        created = await self.client.send_json("POST", f"/v2/orders/{ref.id}/shipments", body)
        variant_of = {int(p["id"]): str(p.get("variant_id") or "") for p in products}
        sku_of = {int(p["id"]): str(p.get("sku") or "") for p in products}
        return mappers.fulfilment(created, variant_of, sku_of)

    async def carrier_names(self) -> list[str]:
        """The carrier names BigCommerce can track (its tracking_carrier list)."""
        return carriers.carrier_names()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()
