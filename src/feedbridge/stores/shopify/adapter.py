"""ShopifyAdapter: one Shopify store connection behind `feedbridge.sync.ports.StorePort` (Admin GraphQL only).

Catalog, price and stock flow store → feedbridge; orders, cancellations and notes flow feedbridge → store;
fulfilments are read back store → feedbridge.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from feedbridge.domain.catalog import ChangeEvent, ChangeKind, Location, Product, StoreCategory, StoreInfo
from feedbridge.domain.orders import Fulfilment, OrderDraft, StoreOrderRef, StoreOrderStatus
from feedbridge.errors import ConfigError, DataError
from feedbridge.http.redaction import register_secret
from feedbridge.stores.shopify import documents as docs
from feedbridge.stores.shopify import mappers, oauth, webhooks
from feedbridge.stores.shopify.client import QueryTooCostly, ShopifyClient, raise_user_errors
from feedbridge.sync.ports import ChangePage, StoreCapabilities, WebhookRegistration

log = logging.getLogger(__name__)

# Tracking companies Shopify recognises (and links tracking numbers for); names must match exactly.
CARRIERS = [
    "4PX", "Amazon Logistics UK", "Amazon Logistics US", "Australia Post", "Canada Post", "China Post",
    "DHL eCommerce", "DHL eCommerce Asia", "DHL Express", "DPD", "DPD UK", "FedEx", "GLS", "Japan Post (EN)",
    "La Poste", "LaserShip", "OnTrac", "Purolator", "Royal Mail", "SF Express", "TNT", "UPS", "USPS",
    "YunExpress", "Other",
]

VARIANTS_PER_PRODUCT = 10
MAX_PAGE = 250


class ShopifyAdapter:
    """A Shopify store in domain terms. Credentials: access_token, client_secret (webhooks), and for expiring
    offline tokens refresh_token + client_id."""

    platform = "shopify"
    capabilities = StoreCapabilities(
        webhooks=True, locations=True, salable_quantity=False, order_tags=True, idempotency_keys=False,
        notes=("Orders are found again by sourceIdentifier (the TikTok order id) before any create.",
               "Inventory webhooks name the inventory item; get_product accepts that id."),
    )

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **options: Any) -> None:
        access_token = str(credentials.get("access_token") or "")
        self.client_secret = str(credentials.get("client_secret") or "")
        if not self.client_secret:
            raise ConfigError("The Shopify connection has no client secret, so webhooks cannot be verified.",
                              action="Copy the app's client secret (API secret key) into the connection settings.")
        self.previous_secret = str(credentials.get("previous_client_secret") or "")
        for secret in (self.client_secret, self.previous_secret, credentials.get("refresh_token")):
            register_secret(str(secret) if secret else None)
        self.base_url = base_url.rstrip("/")
        self.refresh_token = credentials.get("refresh_token")
        self.client_id = credentials.get("client_id")
        self.on_token_refresh: Callable[[oauth.OfflineToken], Any] | None = options.get("on_token_refresh")
        refresher = self._refresh if self.refresh_token and self.client_id else None
        http: httpx.AsyncClient | None = options.get("http")
        self.client = ShopifyClient(self.base_url, access_token, timeout=float(options.get("timeout", 30.0)),
                                    refresher=refresher, http=http)
        self.variants_per_product = int(options.get("variants_per_product", VARIANTS_PER_PRODUCT))
        self._page_cap: int | None = None
        self._location_count: int | None = None

    async def _refresh(self) -> str:
        token = await oauth.refresh_access_token(self.base_url, str(self.client_id), self.client_secret,
                                                 str(self.refresh_token))
        self.refresh_token = token.refresh_token or self.refresh_token
        if self.on_token_refresh is not None:
            self.on_token_refresh(token)
        return token.access_token

    async def aclose(self) -> None:
        await self.client.aclose()

    # ---- store and catalog --------------------------------------------------------------------------------

    async def store_info(self) -> StoreInfo:
        data = await self.client.query(docs.SHOP)
        return mappers.store_info_from_shop(data["shop"])

    async def locations(self) -> list[Location]:
        found: list[Location] = []
        after: str | None = None
        while True:
            data = await self.client.query(docs.LOCATIONS, {"first": 50, "after": after})
            connection = data["locations"]
            found += [mappers.location_from_node(n) for n in connection["nodes"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        self._location_count = len(found)
        return found

    async def categories(self) -> AsyncIterator[StoreCategory]:
        after: str | None = None
        while True:
            data = await self.client.query(docs.COLLECTIONS, {"first": 100, "after": after})
            connection = data["collections"]
            for node in connection["nodes"]:
                yield mappers.category_from_node(node)
            if not connection["pageInfo"]["hasNextPage"]:
                return
            after = connection["pageInfo"]["endCursor"]

    async def _levels(self) -> int:
        """How many inventory levels to ask for per variant: one per location."""
        if self._location_count is None:
            await self.locations()
        return max(1, min(MAX_PAGE, self._location_count or 1))

    async def products(self, *, page_size: int = 50) -> AsyncIterator[list[Product]]:
        levels = await self._levels()
        after: str | None = None
        while True:
            first = max(1, min(page_size, MAX_PAGE, self._page_cap or MAX_PAGE))
            try:
                data = await self.client.query(docs.PRODUCTS_PAGE, {
                    "first": first, "after": after, "query": None,
                    "variants": self.variants_per_product, "levels": levels})
            except QueryTooCostly as exc:
                self._shrink(first, exc)
                continue
            connection = data["products"]
            yield [await self._complete(node, levels) for node in connection["nodes"]]
            if not connection["pageInfo"]["hasNextPage"]:
                return
            after = connection["pageInfo"]["endCursor"]

    def _shrink(self, first: int, exc: QueryTooCostly) -> None:
        """Make the next page fit Shopify's single-query cost limit."""
        if first > 1:
            self._page_cap = max(1, first * exc.max_cost // max(exc.cost, 1))
            log.info("Shopify products page of %d cost %d (limit %d); asking for %d", first, exc.cost,
                     exc.max_cost, self._page_cap)
        elif self.variants_per_product > 1:
            self.variants_per_product = max(1, self.variants_per_product * exc.max_cost // max(exc.cost, 1))
        else:
            raise exc

    async def _complete(self, node: Mapping[str, Any], levels: int) -> Product:
        """The product with every variant, reading further variant pages when it has more than one page."""
        extra: list[dict[str, Any]] = []
        page_info = (node.get("variants") or {}).get("pageInfo") or {}
        after = page_info.get("endCursor")
        more = bool(page_info.get("hasNextPage"))
        while more:
            data = await self.client.query(docs.PRODUCT_MORE_VARIANTS, {
                "id": node["id"], "after": after, "variants": self.variants_per_product, "levels": levels})
            connection = (data.get("product") or {}).get("variants") or {}
            extra += mappers.nodes(connection)
            more = bool(connection.get("pageInfo", {}).get("hasNextPage"))
            after = connection.get("pageInfo", {}).get("endCursor")
        return mappers.product_from_node(node, extra)

    async def get_product(self, product_id: str) -> Product | None:
        """The product, by product id or by an inventory item's global id (from an inventory webhook)."""
        if str(product_id).startswith("gid://shopify/InventoryItem/"):
            data = await self.client.query(docs.INVENTORY_ITEM_PRODUCT, {"id": product_id})
            variants = mappers.nodes((data.get("inventoryItem") or {}).get("variants"))
            product_gid = ((variants[0] if variants else {}).get("product") or {}).get("id")
            if not product_gid:
                return None
            product_id = product_gid
        levels = await self._levels()
        while True:
            try:
                data = await self.client.query(docs.PRODUCT, {
                    "id": mappers.to_gid("Product", product_id), "variants": self.variants_per_product,
                    "levels": levels})
                break
            except QueryTooCostly as exc:
                self._shrink(1, exc)
        node = data.get("product")
        return await self._complete(node, levels) if node else None

    # ---- change detection ---------------------------------------------------------------------------------

    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        existing: dict[tuple[str, str], str] = {}
        after: str | None = None
        while True:
            data = await self.client.query(docs.WEBHOOK_SUBSCRIPTIONS, {"first": 100, "after": after})
            connection = data["webhookSubscriptions"]
            for node in connection["nodes"]:
                existing[(node["topic"], node["uri"])] = node["id"]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        registrations = []
        for topic in webhooks.TOPICS:
            subscription_id = existing.get((topic, callback_url))
            if subscription_id is None:
                data = await self.client.mutate(docs.WEBHOOK_SUBSCRIPTION_CREATE, {
                    "topic": topic, "subscription": {"uri": callback_url, "format": "JSON"}})
                payload = data["webhookSubscriptionCreate"]
                raise_user_errors(payload, what=f"subscribe to {webhooks.TOPICS[topic]} webhooks")
                subscription_id = payload["webhookSubscription"]["id"]
            registrations.append(WebhookRegistration(id=mappers.legacy_id(subscription_id),
                                                     topic=webhooks.TOPICS[topic], address=callback_url))
        return registrations

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        return webhooks.verify(headers, body, (self.client_secret, self.previous_secret))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
        return webhooks.parse(headers, body)

    async def changes_since(self, watermark: datetime, overlap: timedelta) -> ChangePage:
        since = (watermark - overlap).astimezone(UTC)
        search = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        events: list[ChangeEvent] = []
        newest = watermark
        after: str | None = None
        while True:
            data = await self.client.query(docs.CHANGED_PRODUCTS, {"first": MAX_PAGE, "after": after,
                                                                   "query": search})
            connection = data["products"]
            for node in connection["nodes"]:
                updated = mappers.parse_time(node["updatedAt"])
                product_id = mappers.legacy_id(node["id"])
                events.append(ChangeEvent(ChangeKind.PRODUCT_UPDATED, product_id, occurred_at=updated,
                                          event_id=f"poll:{product_id}:{node['updatedAt']}"))
                if updated and updated > newest:
                    newest = updated
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        return ChangePage(events=events, watermark=newest)

    # ---- orders -------------------------------------------------------------------------------------------

    async def find_order(self, tiktok_order_id: str) -> StoreOrderRef | None:
        wanted = str(tiktok_order_id).strip()
        if not wanted or any(c in wanted for c in "\"'\\"):
            raise DataError(f"{tiktok_order_id!r} is not a TikTok order id", field="tiktok_order_id")
        data = await self.client.query(docs.FIND_ORDERS, {"query": f'source_identifier:"{wanted}"'})
        for node in data["orders"]["nodes"]:
            if node.get("sourceIdentifier") == wanted:
                return mappers.order_ref_from_node(node)
        # Orders imported without sourceIdentifier (by hand, or by an earlier tool) still carry our tag and the
        # TikTok order id in the note; never create a second order for those either.
        data = await self.client.query(docs.FIND_ORDERS, {"query": f"tag:'{mappers.TIKTOK_TAG}' {wanted}"})
        for node in data["orders"]["nodes"]:
            if mappers.TIKTOK_TAG in (node.get("tags") or []) and wanted in (node.get("note") or ""):
                return replace(mappers.order_ref_from_node(node), tiktok_order_id=wanted)
        return None

    async def create_order(self, draft: OrderDraft) -> StoreOrderRef:
        found = await self.find_order(draft.tiktok_order_id)
        if found is not None:
            return found
        data = await self.client.mutate(docs.ORDER_CREATE, {
            "order": mappers.order_input_from_draft(draft),
            "options": {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY", "sendReceipt": False,
                        "sendFulfillmentReceipt": False}})
        payload = data["orderCreate"]
        raise_user_errors(payload, what=f"create the order for TikTok order {draft.tiktok_order_id}")
        return mappers.order_ref_from_node(payload["order"])

    async def _order(self, ref: StoreOrderRef) -> dict[str, Any]:
        data = await self.client.query(docs.ORDER, {"id": mappers.to_gid("Order", ref.id)})
        if not data.get("order"):
            raise DataError(f"Shopify order {ref.number or ref.id} no longer exists", field="order")
        order: dict[str, Any] = data["order"]
        return order

    async def add_order_note(self, ref: StoreOrderRef, note: str, tags: Sequence[str] = ()) -> None:
        order_gid = mappers.to_gid("Order", ref.id)
        if note:
            current = (await self._order(ref)).get("note") or ""
            if note not in current:
                data = await self.client.mutate(docs.ORDER_UPDATE, {
                    "input": {"id": order_gid, "note": f"{current}\n{note}" if current else note}})
                raise_user_errors(data["orderUpdate"], what=f"add a note to order {ref.number}")
        if tags:
            data = await self.client.mutate(docs.TAGS_ADD, {"id": order_gid, "tags": list(tags)})
            raise_user_errors(data["tagsAdd"], what=f"tag order {ref.number}")

    async def set_order_status(self, ref: StoreOrderRef, status: StoreOrderStatus) -> None:
        if status == StoreOrderStatus.CANCELLED:
            await self.cancel_order(ref, "Cancelled on TikTok Shop")
            return
        order = await self._order(ref)
        order_gid = order["id"]
        if status == StoreOrderStatus.COMPLETED and not order.get("closed"):
            data = await self.client.mutate(docs.ORDER_CLOSE, {"input": {"id": order_gid}})
            raise_user_errors(data["orderClose"], what=f"archive order {ref.number}")
        elif status in (StoreOrderStatus.PENDING, StoreOrderStatus.PROCESSING) and order.get("closed"):
            data = await self.client.mutate(docs.ORDER_OPEN, {"input": {"id": order_gid}})
            raise_user_errors(data["orderOpen"], what=f"reopen order {ref.number}")
        elif status == StoreOrderStatus.SHIPPED and order.get("displayFulfillmentStatus") != "FULFILLED":
            # TikTok says it shipped; record a fulfilment of what is still open (no tracking known here).
            await self._fulfil(ref, None, company=None, number=None, url=None)

    async def cancel_order(self, ref: StoreOrderRef, reason: str) -> None:
        order = await self._order(ref)
        if order.get("cancelledAt"):
            return
        data = await self.client.mutate(docs.ORDER_CANCEL, {
            "orderId": order["id"], "reason": "CUSTOMER" if "buyer" in reason.lower() else "OTHER",
            "staffNote": reason[:255]})
        raise_user_errors(data["orderCancel"], what=f"cancel order {ref.number}", key="orderCancelUserErrors")

    async def fulfilments(self, ref: StoreOrderRef) -> list[Fulfilment]:
        data = await self.client.query(docs.ORDER_FULFILLMENTS, {"id": mappers.to_gid("Order", ref.id)})
        order = data.get("order")
        if not order:
            raise DataError(f"Shopify order {ref.number or ref.id} no longer exists", field="order")
        return [mappers.fulfilment_from_node(f) for f in order["fulfillments"]
                if f.get("status") not in ("CANCELLED", "ERROR", "FAILURE")]

    async def fulfil_order(self, ref: StoreOrderRef, fulfilment: Fulfilment) -> Fulfilment:
        wanted = {line.store_variant_id: line.quantity for line in fulfilment.lines} or None
        return await self._fulfil(ref, wanted, company=fulfilment.carrier or None,
                                  number=fulfilment.tracking_number or None, url=fulfilment.tracking_url or None)

    async def _fulfil(self, ref: StoreOrderRef, wanted: dict[str, int] | None, *, company: str | None,
                      number: str | None, url: str | None) -> Fulfilment:
        data = await self.client.query(docs.FULFILLMENT_ORDERS, {"id": mappers.to_gid("Order", ref.id)})
        order = data.get("order")
        if not order:
            raise DataError(f"Shopify order {ref.number or ref.id} no longer exists", field="order")
        remaining = dict(wanted) if wanted is not None else None
        groups = []
        for fo in mappers.nodes(order["fulfillmentOrders"]):
            if fo["status"] not in ("OPEN", "IN_PROGRESS"):
                continue
            rows = []
            for item in mappers.nodes(fo["lineItems"]):
                open_quantity = int(item["remainingQuantity"])
                variant = ((item.get("lineItem") or {}).get("variant") or {}).get("id")
                variant_id = mappers.legacy_id(variant) if variant else ""
                take = open_quantity if remaining is None else min(open_quantity, remaining.get(variant_id, 0))
                if take > 0:
                    rows.append({"id": item["id"], "quantity": take})
                    if remaining is not None:
                        remaining[variant_id] -= take
            if rows:
                groups.append({"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": rows})
        if not groups:
            raise DataError(f"Order {ref.number} has nothing left to fulfil for these items", field="lines")
        if remaining and any(q > 0 for q in remaining.values()):
            raise DataError(f"Order {ref.number} has fewer open items than the shipment lists", field="lines")
        tracking = {k: v for k, v in {"company": company, "number": number, "url": url}.items() if v}
        fulfillment: dict[str, Any] = {"lineItemsByFulfillmentOrder": groups, "notifyCustomer": False}
        if tracking:
            fulfillment["trackingInfo"] = tracking
        result = await self.client.mutate(docs.FULFILLMENT_CREATE, {"fulfillment": fulfillment})
        payload = result["fulfillmentCreate"]
        raise_user_errors(payload, what=f"record the shipment of order {ref.number}")
        return mappers.fulfilment_from_node(payload["fulfillment"])

    async def carrier_names(self) -> list[str]:
        return list(CARRIERS)
