"""WooCommerce store adapter: implements `feedbridge.sync.ports.StorePort` over REST `/wp-json/wc/v3`.

Catalog, price and stock flow from the store to feedbridge; TikTok orders, their status and cancellations flow
into the store; tracking is read from the Shipment Tracking extension (or order meta other tracking plugins
write). Credentials: {"consumer_key", "consumer_secret", "webhook_secret"}. Options: auth_mode
(basic|query|oauth; default basic over https, oauth over http), signature_method, timeout, attempts,
requests_per_second, concurrency, poll_variations, recent_orders_scanned, recent_orders_hours,
transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
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
from feedbridge.stores.woocommerce import mappers, webhooks
from feedbridge.stores.woocommerce.client import PLATFORM, TRACKING_API, NotFound, WooClient
from feedbridge.sync.ports import ChangePage, StoreCapabilities, WebhookRegistration

# WooCommerce Shipment Tracking, then Advanced Shipment Tracking (zorem), which serves the same routes.
TRACKING_NAMESPACES = (TRACKING_API, "wc-ast/v3")
DEFAULT_CARRIERS = ["USPS", "UPS", "Fedex", "DHL US", "OnTrac"]


class WooCommerceAdapter:
    """One WooCommerce store connection."""

    platform = "woocommerce"
    capabilities = StoreCapabilities(
        webhooks=True, locations=False, salable_quantity=False, order_tags=False, idempotency_keys=False,
        notes=("WooCommerce has no stock locations: stock is one figure per SKU under location 'default'.",
               "Orders have no tags; tags are written into an order note.",
               "Tracking comes from the Shipment Tracking extension or tracking plugins' order meta."),
    )

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **options: Any) -> None:
        self.client = WooClient(
            base_url, str(credentials.get("consumer_key") or ""), str(credentials.get("consumer_secret") or ""),
            auth_mode=options.get("auth_mode"), signature_method=options.get("signature_method", "HMAC-SHA256"),
            timeout=float(options.get("timeout", 30.0)), attempts=int(options.get("attempts", 8)),
            requests_per_second=options.get("requests_per_second"), transport=options.get("transport"),
        )
        self.webhook_secret = str(credentials.get("webhook_secret") or "")
        register_secret(self.webhook_secret)
        self.concurrency = int(options.get("concurrency", 4))
        self.poll_variations = bool(options.get("poll_variations", True))
        self.recent_orders_scanned = int(options.get("recent_orders_scanned", 100))
        self.recent_orders_window = timedelta(hours=float(options.get("recent_orders_hours", 48)))
        self._unit: WeightUnit | None = None
        self._providers: list[str] | None = None
        self._tracking_ns: str | None = None  # "" once we know the store has no tracking extension

    # ---- store and catalog ------------------------------------------------------------------------------

    async def _settings(self, group: str) -> dict[str, Any]:
        return {s["id"]: s.get("value") for s in await self.client.get(f"settings/{group}")}

    async def _weight_unit(self) -> WeightUnit:
        if self._unit is None:
            products = await self._settings("products")
            self._unit = mappers.weight_unit(str(products.get("woocommerce_weight_unit") or "kg"))
        return self._unit

    async def store_info(self) -> StoreInfo:
        """Name and time zone from the WordPress index, currency and weight unit from WooCommerce settings."""
        site = await self.client.get("", api="")
        general = await self._settings("general")
        currency = str(general.get("woocommerce_currency") or "")
        if len(currency) != 3:
            raise DataError("The store did not say which currency it uses.", field="woocommerce_currency",
                            action="Set the currency under WooCommerce > Settings > General.")
        return StoreInfo(name=str(site.get("name") or self.client.base_url), currency=currency,
                         weight_unit=await self._weight_unit(), timezone=mappers.timezone_name(site),
                         domain=str(site.get("home") or self.client.base_url))

    async def locations(self) -> list[Location]:
        """The one stock location WooCommerce has."""
        return [Location(id=mappers.LOCATION_ID, name="Store stock")]

    async def categories(self) -> AsyncIterator[StoreCategory]:
        """Every product category, with its path."""
        raw: list[dict[str, Any]] = []
        async for page in self.client.pages("products/categories", {"orderby": "id", "order": "asc"}):
            raw.extend(page)
        for category in mappers.categories_from_wc(raw):
            yield category

    async def _variations(self, product_id: int | str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async for page in self.client.pages(f"products/{product_id}/variations", {"orderby": "id", "order": "asc"}):
            out.extend(page)
        return out

    async def _to_products(self, raw: list[dict[str, Any]]) -> list[Product]:
        unit = await self._weight_unit()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(item: dict[str, Any]) -> Product:
            """One product with its variations."""
            variations: list[dict[str, Any]] = []
            if item.get("type") == "variable" and item.get("variations"):
                async with gate:
                    variations = await self._variations(item["id"])
            return mappers.product_from_wc(item, variations, unit)

        return list(await asyncio.gather(*(one(item) for item in raw)))

    async def products(self, *, page_size: int = 50) -> AsyncIterator[list[Product]]:
        # Ordered by id so products created during the scan land on later pages instead of shifting pages.
        """The catalog one page at a time, variations filled in."""
        async for page in self.client.pages("products", {"orderby": "id", "order": "asc"}, per_page=page_size):
            yield await self._to_products(page)

    async def get_product(self, product_id: str) -> Product | None:
        """One product (a variation id reads its parent); None when it is gone."""
        try:
            item = await self.client.get(f"products/{int(product_id)}")
        except NotFound:
            return None
        except ValueError as exc:
            raise DataError(f"{product_id!r} is not a WooCommerce product id.", field="product_id") from exc
        if item.get("type") == "variation" and item.get("parent_id"):
            return await self.get_product(str(item["parent_id"]))
        return (await self._to_products([item]))[0]

    # ---- change detection -------------------------------------------------------------------------------

    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        """Create the webhooks we need, reuse active ones, and re-activate any WooCommerce disabled."""
        if not self.webhook_secret:
            raise ConfigError("This connection has no webhook secret.", action="Reconnect the store.")
        existing: list[dict[str, Any]] = []
        async for page in self.client.pages("webhooks", {"orderby": "id", "order": "asc"}):
            existing.extend(page)
        registrations = []
        for topic in webhooks.TOPICS:
            match = next((h for h in existing if h.get("topic") == topic and h.get("delivery_url") == callback_url), None)
            hook: dict[str, Any] | None = None
            if match is not None:
                # Re-send status and secret: WooCommerce disables a webhook after repeated failed deliveries, and
                # a secret cannot be read back to check it is still this connection's.
                try:
                    hook = await self.client.put(f"webhooks/{match['id']}", {"status": "active",
                                                                             "secret": self.webhook_secret})
                except NotFound:
                    hook = None
            if hook is None:
                hook = await self.client.post("webhooks", {
                    "name": f"feedbridge {topic}", "topic": topic, "delivery_url": callback_url,
                    "secret": self.webhook_secret, "status": "active"})
            registrations.append(WebhookRegistration(id=str(hook["id"]), topic=topic, address=callback_url,
                                                     active=hook.get("status") == "active"))
        return registrations

    def is_ping(self, headers: Mapping[str, str], body: bytes) -> bool:
        """True for the unsigned ping WooCommerce sends when a webhook is created (answered 200, not acted on)."""
        return webhooks.is_ping(headers, body)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Check X-WC-Webhook-Signature with this connection's webhook secret."""
        return webhooks.verify(headers, body, self.webhook_secret)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
        """Change events in a verified delivery."""
        return webhooks.parse(headers, body)

    async def changes_since(self, watermark: datetime, overlap: timedelta) -> ChangePage:
        """Products and variations whose date_modified_gmt is after `watermark - overlap`.

        Saving a variation moves only the variation's own date (woocommerce#9531), so each variable product's
        variations are asked too (only ids and dates, via WordPress's `_fields`).
        """
        started = datetime.now(UTC)
        since = (watermark if watermark.tzinfo else watermark.replace(tzinfo=UTC)) - overlap
        window = {"modified_after": mappers.wc_time(since), "dates_are_gmt": "true", "orderby": "id", "order": "asc"}
        events: list[ChangeEvent] = []
        seen: set[str] = set()
        async for page in self.client.pages("products", {**window, "_fields": "id,date_modified_gmt"}):
            for item in page:
                seen.add(str(item["id"]))
                events.append(ChangeEvent(ChangeKind.PRODUCT_UPDATED, str(item["id"]),
                                          occurred_at=mappers.parse_time(item.get("date_modified_gmt"))))
        if self.poll_variations:
            events.extend(await self._changed_variations(window, seen))
        return ChangePage(events=events, watermark=max(started, since))

    async def _changed_variations(self, window: dict[str, str], seen: set[str]) -> list[ChangeEvent]:
        parents: list[str] = []
        async for page in self.client.pages("products", {"type": "variable", "orderby": "id", "order": "asc",
                                                         "_fields": "id"}):
            parents.extend(str(item["id"]) for item in page if str(item["id"]) not in seen)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(parent: str) -> list[ChangeEvent]:
            found: list[ChangeEvent] = []
            async with gate:
                async for page in self.client.pages(f"products/{parent}/variations",
                                                    {**window, "_fields": "id,date_modified_gmt"}):
                    found.extend(ChangeEvent(ChangeKind.PRODUCT_UPDATED, parent, variant_id=str(v["id"]),
                                             occurred_at=mappers.parse_time(v.get("date_modified_gmt")))
                                 for v in page)
            return found

        return [event for group in await asyncio.gather(*(one(p) for p in parents)) for event in group]

    # ---- orders -----------------------------------------------------------------------------------------

    async def find_order(self, tiktok_order_id: str) -> StoreOrderRef | None:
        """Search for the TikTok id, then confirm it in the `_tiktok_order_id` meta. If the search finds nothing,
        also read the orders created in the last two days (a store whose search does not cover order items must
        still find an order whose create timed out after the store made it)."""
        found = await self.client.get("orders", {"search": tiktok_order_id, "per_page": 20})
        for order in found:
            if mappers.tiktok_order_id_of(order) == tiktok_order_id:
                return mappers.order_ref(order)
        scanned = 0
        recent = {"orderby": "date", "order": "desc", "dates_are_gmt": "true",
                  "after": mappers.wc_time(datetime.now(UTC) - self.recent_orders_window)}
        async for page in self.client.pages("orders", recent, per_page=50):
            for order in page:
                if mappers.tiktok_order_id_of(order) == tiktok_order_id:
                    return mappers.order_ref(order)
            scanned += len(page)
            if scanned >= self.recent_orders_scanned:
                break
        return None

    async def create_order(self, draft: OrderDraft) -> StoreOrderRef:
        """Create the TikTok order once: an existing one is returned (and labelled if it missed its note)."""
        label = mappers.order_label(draft)
        existing = await self.find_order(draft.tiktok_order_id)
        if existing is not None:
            # A create that timed out after the store made the order left it without our note.
            notes = await self.client.get(f"orders/{existing.id}/notes")
            if not any(draft.tiktok_order_id in str(n.get("note")) for n in notes):
                await self.add_order_note(existing, label, tags=draft.tags)
            return existing
        order = await self.client.post("orders", mappers.order_body(draft))
        ref = mappers.order_ref(order)
        await self.add_order_note(ref, label, tags=draft.tags)
        return ref

    async def add_order_note(self, ref: StoreOrderRef, note: str, tags: Sequence[str] = ()) -> None:
        """A private order note; tags are appended to it (WooCommerce orders have no tags)."""
        text = note.strip()
        if tags:
            text += ("\n" if text else "") + "Tags: " + ", ".join(tags)
        if not text:
            raise DataError("The note is empty.", field="note")
        await self.client.post(f"orders/{ref.id}/notes", {"note": text, "customer_note": False})

    async def set_order_status(self, ref: StoreOrderRef, status: StoreOrderStatus) -> None:
        """Set the WooCommerce status matching `status` (shipped means completed)."""
        await self.client.put(f"orders/{ref.id}", {"status": mappers.ORDER_STATUS_TO_WC[StoreOrderStatus(status)]})

    async def cancel_order(self, ref: StoreOrderRef, reason: str) -> None:
        """Cancel the order (WooCommerce restores stock) and note the reason."""
        await self.client.put(f"orders/{ref.id}", {"status": "cancelled"})
        if reason.strip():
            await self.add_order_note(ref, reason)

    # ---- fulfilment -------------------------------------------------------------------------------------

    async def _tracking_api(self) -> str | None:
        """The namespace of the tracking extension this store runs: Shipment Tracking, else AST, else none."""
        if self._tracking_ns is None:
            self._tracking_ns = ""
            for namespace in TRACKING_NAMESPACES:
                try:
                    payload = await self.client.get("orders/0/shipment-trackings/providers", api=namespace)
                except NotFound:
                    continue
                self._tracking_ns = namespace
                self._providers = mappers.provider_names(payload) or list(DEFAULT_CARRIERS)
                break
        return self._tracking_ns or None

    async def fulfilments(self, ref: StoreOrderRef) -> list[Fulfilment]:
        """Tracking from the tracking extension and from tracking plugins' order meta, merged."""
        order = await self.client.get(f"orders/{ref.id}")
        items: list[dict[str, Any]] = []
        namespace = await self._tracking_api()
        if namespace:
            try:
                items = await self.client.get(f"orders/{ref.id}/shipment-trackings", api=namespace)
            except NotFound:
                items = []
        return mappers.merge_fulfilments(mappers.fulfilments_from_trackings(items, order),
                                         mappers.fulfilments_from_meta(order))

    async def fulfil_order(self, ref: StoreOrderRef, fulfilment: Fulfilment) -> Fulfilment:
        """Add a tracking entry (Shipment Tracking or AST) and complete the order, as the merchant would.

        Tracking plugins track whole orders, so the lines a shipment holds are kept in the `_feedbridge_shipments`
        order meta under its tracking number; the order is completed once every unit has shipped (or when the
        shipment does not say which items it holds).
        """
        order = await self.client.get(f"orders/{ref.id}")
        meta: list[dict[str, Any]] = []
        recorded: dict[str, Any] = {}
        if fulfilment.lines:
            recorded = mappers.shipments_meta(order, fulfilment)
            meta.append({"key": mappers.SHIPMENTS_META, "value": recorded})
        namespace = await self._tracking_api()
        if namespace:
            body = mappers.tracking_body(fulfilment, await self.carrier_names())
            if meta:  # written first: a tracking entry is never read back without its lines
                await self.client.put(f"orders/{ref.id}", {"meta_data": meta})
            entry = await self.client.post(f"orders/{ref.id}/shipment-trackings", body, api=namespace)
            made = mappers.fulfilments_from_trackings([entry], {**order, "meta_data": meta})[0]
        else:
            # No tracking extension: keep the tracking in the meta key Shipment Tracking uses, plus a note.
            mappers.tracking_body(fulfilment, ())  # same validation as with the extension
            item = {"tracking_provider": "", "custom_tracking_provider": fulfilment.carrier,
                    "custom_tracking_link": fulfilment.tracking_url, "tracking_number": fulfilment.tracking_number,
                    "date_shipped": str(int((fulfilment.created_at or datetime.now(UTC)).timestamp())),
                    "tracking_id": fulfilment.tracking_number}
            previous = mappers.meta_value(order, mappers.SHIPMENT_TRACKING_META)
            items = [*(previous if isinstance(previous, list) else []), item]
            tracking = {"key": mappers.SHIPMENT_TRACKING_META, "value": items}
            await self.client.put(f"orders/{ref.id}", {"meta_data": [tracking, *meta]})
            await self.add_order_note(ref, f"Shipped with {fulfilment.carrier}, tracking {fulfilment.tracking_number}")
            made = mappers.fulfilments_from_meta({**order, "meta_data": [{**tracking, "value": [item]}, *meta]})[0]
        if not fulfilment.lines or mappers.fully_shipped(order, recorded):
            await self.set_order_status(ref, StoreOrderStatus.COMPLETED)
        return made

    async def carrier_names(self) -> list[str]:
        """The tracking extension's provider names, or common US carriers without one."""
        await self._tracking_api()
        return list(self._providers or DEFAULT_CARRIERS)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


__all__ = ["PLATFORM", "WooCommerceAdapter"]
