"""Magento 2 store adapter implementing `StorePort` over the REST API.

Flows: catalog, stock (MSI source items per source, salable quantity per stock) and shipments are read from
the store; TikTok orders are written into it with `POST /V1/orders` carrying the TikTok order id in
`ext_order_id`. Magento Open Source has no webhooks, so changes are found by polling `updated_at`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from feedbridge.domain.catalog import (
    ChangeEvent,
    ChangeKind,
    Location,
    Product,
    StoreCategory,
    StoreInfo,
)
from feedbridge.domain.orders import (
    Fulfilment,
    OrderDraft,
    StoreOrderRef,
    StoreOrderStatus,
)
from feedbridge.errors import DataError, PlatformError
from feedbridge.stores.magento import mappers
from feedbridge.stores.magento.client import PLATFORM, MagentoClient, seg
from feedbridge.stores.magento.search import SearchCriteria
from feedbridge.sync.ports import ChangePage, StoreCapabilities, WebhookRegistration

VISIBLE = ("2", "3", "4")  # catalog, search, both; children of configurables are 1 (not visible individually)
SOLD_TYPES = ("simple", "configurable")  # virtual and downloadable products cannot ship from a TikTok order
KNOWN_CARRIERS = ("United Parcel Service", "United States Postal Service", "Federal Express", "DHL")


@dataclass(frozen=True, slots=True)
class StockSnapshot:
    """Source items by SKU and salable quantity by SKU (None: not read in bulk) for one catalog read."""

    source_items: dict[str, list[dict[str, Any]]]
    salable: dict[str, int] | None


class MagentoAdapter:
    """One Magento store connection (integration OAuth 1.0a credentials or a bearer token).

    Options: `store_code` (default "default"), `stock_id` (MSI stock whose salable quantity we publish,
    default 1), `sales_channel_code` (website code of that stock, default "base"), `poll_interval` (seconds,
    default 60, read by the scheduler), `poll_page_size` (default 100), `concurrency` (parallel per-SKU
    salable reads, default 4), `event_hooks` (httpx hooks, used by tests to validate traffic).
    """

    platform = PLATFORM
    capabilities = StoreCapabilities(
        webhooks=False, locations=True, salable_quantity=True, order_tags=False, idempotency_keys=False,
        notes=("Magento Open Source has no webhooks: product changes are polled by updated_at.",
               "Stock moved by orders is polled through orders' updated_at; source items written directly "
               "(ERP, imports) carry no timestamp and are caught by the periodic reconcile.",
               "Order labels are written as order comments."),
    )

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **options: Any) -> None:
        self.store_code = str(options.get("store_code", "default"))
        self.stock_id = int(options.get("stock_id", 1))
        self.sales_channel_code = str(options.get("sales_channel_code", "base"))
        self.poll_interval = float(options.get("poll_interval", 60))
        self.concurrency = int(options.get("concurrency", 4))
        self.poll_page_size = int(options.get("poll_page_size", 100))
        self.client = MagentoClient(base_url, credentials, store_code=self.store_code,
                                    timeout=float(options.get("timeout", 30)),
                                    event_hooks=options.get("event_hooks"))
        self._config: dict[str, Any] | None = None
        self._attributes: dict[str, mappers.AttributeInfo] = {}
        self._parents: dict[str, str] = {}
        self._parents_loaded = False
        self._bulk_salable = True

    # -- store ---------------------------------------------------------------------------------------
    async def _store_config(self) -> dict[str, Any]:
        if self._config is None:
            configs = await self.client.get("/V1/store/storeConfigs") or []
            if not configs:
                raise PlatformError("Magento returned no store configuration", platform=PLATFORM)
            self._config = next((c for c in configs if c.get("code") == self.store_code), configs[0])
        return self._config

    async def store_info(self) -> StoreInfo:
        """Name (store view), base currency, weight unit and time zone of the configured store view."""
        config = await self._store_config()
        views = await self.client.get("/V1/store/storeViews") or []
        view: dict[str, Any] = next((v for v in views if v.get("id") == config.get("id")), {})
        return StoreInfo(
            name=str(view.get("name") or config.get("code") or "Magento store"),
            currency=str(config.get("base_currency_code") or "USD"),
            weight_unit=mappers.weight_unit(config.get("weight_unit")),
            timezone=str(config.get("timezone") or "UTC"),
            domain=urlsplit(str(config.get("base_url") or self.client.base_url)).hostname or "",
        )

    async def locations(self) -> list[Location]:
        """MSI sources."""
        out: list[Location] = []
        async for items in self.client.search_pages("/V1/inventory/sources", SearchCriteria()):
            out += [Location(id=str(s["source_code"]), name=str(s.get("name") or s["source_code"]),
                             active=bool(s.get("enabled", True))) for s in items]
        return out

    async def categories(self) -> AsyncIterator[StoreCategory]:
        """The category tree below the root, flattened with each category's path of names."""
        tree = await self.client.get("/V1/categories")
        for category in mappers.categories_from_tree(tree or {}):
            yield category

    # -- catalog -------------------------------------------------------------------------------------
    async def products(self, *, page_size: int = 50) -> AsyncIterator[list[Product]]:
        """Visible simple and configurable products, by entity id, with children, stock and salable quantity.

        Source items and salable quantities are read for the whole store up front in pages of 300 (far fewer
        calls than one per product page); SKUs created after that snapshot are read with their page.
        """
        stock = StockSnapshot(await self._all_source_items(), await self._all_salable())
        criteria = (SearchCriteria().where("visibility", VISIBLE, "in").where("type_id", SOLD_TYPES, "in"))
        criteria.sort = [("entity_id", "ASC")]
        async for items in self.client.search_pages("/V1/products", criteria, page_size):
            yield await self._hydrate(items, bulk=True, snapshot=stock)

    async def _all_source_items(self) -> dict[str, list[dict[str, Any]]]:
        by_sku: dict[str, list[dict[str, Any]]] = {}
        async for items in self.client.search_pages("/V1/inventory/source-items", SearchCriteria(), 300):
            for item in items:
                by_sku.setdefault(str(item["sku"]), []).append(item)
        return by_sku

    async def _all_salable(self) -> dict[str, int] | None:
        """Salable quantity of every SKU from the stock export, or None when that module is missing."""
        if not self._bulk_salable:
            return None
        out: dict[str, int] = {}
        try:
            async for items in self.client.search_pages(self._export_path(), SearchCriteria(), 300):
                for item in items:
                    out[str(item["sku"])] = max(0, int(Decimal(str(item.get("qty") or 0))))
        except PlatformError as exc:
            if exc.status != 404:
                raise
            self._bulk_salable = False
            return None
        return out

    def _export_path(self) -> str:
        return f"/V1/inventory/export-stock-salable-qty/website/{seg(self.sales_channel_code)}"

    async def get_product(self, product_id: str) -> Product | None:
        """One product by entity id (children through /V1/configurable-products/{sku}/children)."""
        if not product_id.isdigit():
            return None
        body = await self.client.search("/V1/products", SearchCriteria(page_size=1, current_page=1)
                                        .where("entity_id", product_id))
        items = [i for i in body["items"] if str(i.get("id")) == product_id]
        if not items:
            return None
        [product] = await self._hydrate(items, bulk=False)
        return product

    async def _children(self, parents: Sequence[dict[str, Any]], bulk: bool) -> dict[str, list[dict[str, Any]]]:
        configurables = [p for p in parents if p.get("type_id") == "configurable"]
        out: dict[str, list[dict[str, Any]]] = {str(p["id"]): [] for p in configurables}
        if not configurables:
            return out
        if not bulk:
            for parent in configurables:
                out[str(parent["id"])] = list(await self.client.get(
                    f"/V1/configurable-products/{seg(parent['sku'])}/children") or [])
            return out
        wanted = {cid: str(p["id"]) for p in configurables for cid in mappers.child_ids(p)}
        if wanted:
            criteria = SearchCriteria().where("entity_id", sorted(wanted), "in")
            criteria.sort = [("entity_id", "ASC")]
            async for items in self.client.search_pages("/V1/products", criteria, 300):
                for child in items:
                    owner = wanted.get(int(child["id"]))
                    if owner is not None:
                        out[owner].append(child)
        return out

    async def _attribute_info(self, parents: Sequence[dict[str, Any]]) -> dict[str, mappers.AttributeInfo]:
        ids = {str(o.get("attribute_id")) for p in parents for o in mappers.configurable_options(p)}
        missing = sorted(ids - set(self._attributes))
        if missing:
            criteria = SearchCriteria().where("attribute_id", missing, "in")
            async for items in self.client.search_pages("/V1/products/attributes", criteria):
                for attr in items:
                    options = {str(o.get("value")): str(o.get("label")) for o in attr.get("options") or []
                               if str(o.get("value") or "").strip()}
                    self._attributes[str(attr["attribute_id"])] = mappers.AttributeInfo(
                        code=str(attr["attribute_code"]),
                        label=str(attr.get("default_frontend_label") or attr["attribute_code"]), options=options)
        return self._attributes

    async def _source_items(self, skus: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(skus), 100):
            criteria = SearchCriteria().where("sku", skus[start:start + 100], "in")
            async for items in self.client.search_pages("/V1/inventory/source-items", criteria, 300):
                out += items
        return out

    async def _salable_one(self, sku: str) -> int:
        value = await self.client.get(f"/V1/inventory/get-product-salable-quantity/{seg(sku)}/{self.stock_id}")
        return max(0, int(Decimal(str(value or 0))))

    async def _salable(self, skus: Sequence[str], bulk: bool) -> dict[str, int]:
        """Salable quantity per SKU: one export-stock call per page where available, else one call per SKU."""
        if bulk and self._bulk_salable and skus:
            out: dict[str, int] = {}
            path = self._export_path()
            try:
                for start in range(0, len(skus), 100):
                    criteria = SearchCriteria().where("sku", skus[start:start + 100], "in")
                    async for items in self.client.search_pages(path, criteria, 300):
                        for item in items:
                            out[str(item["sku"])] = max(0, int(Decimal(str(item.get("qty") or 0))))
                return {sku: out.get(sku, 0) for sku in skus}
            except PlatformError as exc:
                if exc.status != 404:
                    raise
                self._bulk_salable = False  # module not installed: ask per SKU from now on
        limit = asyncio.Semaphore(self.concurrency)

        async def one(sku: str) -> tuple[str, int]:
            async with limit:
                return sku, await self._salable_one(sku)

        return dict(await asyncio.gather(*(one(s) for s in skus)))

    async def _hydrate(self, parents: Sequence[dict[str, Any]], *, bulk: bool,
                       snapshot: StockSnapshot | None = None) -> list[Product]:
        config = await self._store_config()
        children = await self._children(parents, bulk)
        for parent_id, kids in children.items():
            for kid in kids:
                self._parents[str(kid["id"])] = parent_id
        attributes = await self._attribute_info(parents)
        skus = [str(c["sku"]) for kids in children.values() for c in kids]
        skus += [str(p["sku"]) for p in parents if p.get("type_id") != "configurable"]
        snapshot = snapshot or StockSnapshot({}, None)
        missing = [sku for sku in skus if sku not in snapshot.source_items]
        source_items = [i for sku in skus for i in snapshot.source_items.get(sku, [])]
        source_items += await self._source_items(missing) if missing else []
        salable = {sku: snapshot.salable[sku] for sku in skus if snapshot.salable and sku in snapshot.salable}
        unknown = [sku for sku in skus if sku not in salable]
        salable.update(await self._salable(unknown, bulk) if unknown else {})
        unit = mappers.weight_unit(config.get("weight_unit"))
        media = str(config.get("base_media_url") or "")
        return [mappers.product_from_payload(p, children.get(str(p["id"]), []), attributes=attributes,
                                             source_items=source_items, salable=salable, unit=unit,
                                             base_media_url=media) for p in parents]

    # -- change detection ----------------------------------------------------------------------------
    async def register_webhooks(self, callback_url: str) -> list[WebhookRegistration]:
        """Magento Open Source has no webhooks; nothing is registered (the engine polls instead)."""
        return []

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Never true: Magento sends no webhooks to verify."""
        return False

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[ChangeEvent]:
        """Magento sends no webhooks."""
        raise DataError("Magento connections do not receive webhooks", field="body")

    async def _refresh_parents(self) -> None:
        self._parents_loaded = True
        criteria = SearchCriteria().where("type_id", "configurable")
        criteria.sort = [("entity_id", "ASC")]
        async for items in self.client.search_pages("/V1/products", criteria, 300):
            for parent in items:
                for cid in mappers.child_ids(parent):
                    self._parents[str(cid)] = str(parent["id"])

    async def _scan_updated(self, path: str, id_field: str, since: datetime) -> list[dict[str, Any]]:
        """Every row of a getList endpoint with `updated_at` ≥ since, read with a moving `updated_at` keyset so a
        row changed during the scan is not skipped at a page edge; each row once."""
        cursor = mappers.format_time(since)
        seen: dict[str, dict[str, Any]] = {}
        page, size = 1, self.poll_page_size
        while True:
            criteria = SearchCriteria(page_size=size, current_page=page).where("updated_at", cursor, "gteq")
            criteria.sort = [("updated_at", "ASC"), (id_field, "ASC")]
            items = (await self.client.search(path, criteria))["items"]
            for item in items:
                seen.setdefault(str(item[id_field if id_field in item else "id"]), item)
            if len(items) < size:
                return list(seen.values())
            last = str(items[-1].get("updated_at") or cursor)
            # Move the keyset forward; if a whole page shares one timestamp, page within it instead.
            page, cursor = (page + 1, cursor) if last == cursor else (1, last)

    def _event(self, kind: ChangeKind, product_id: str, updated: datetime | None, key: str) -> ChangeEvent:
        """An event naming the product to re-read (a child's configurable) and the variant when it is a child."""
        parent = self._parents.get(product_id)
        stamp = updated.isoformat() if updated else ""
        return ChangeEvent(kind, parent or product_id, variant_id=product_id if parent else None,
                           occurred_at=updated, event_id=f"magento:{key}:{stamp}")

    async def changes_since(self, watermark: datetime, overlap: timedelta) -> ChangePage:
        """Changes since `watermark − overlap`: products by their `updated_at` (a changed child names its
        configurable), and stock moved by orders — every order placed, cancelled or shipped in the window
        gives an inventory event for each of its products, because MSI reservations have no timestamp."""
        since = watermark - overlap
        products = await self._scan_updated("/V1/products", "entity_id", since)
        orders = await self._scan_updated("/V1/orders", "entity_id", since)
        items = [(order, item) for order in orders for item in order.get("items") or []
                 if item.get("product_id") and item.get("product_type") != "configurable"]
        unknown = [p for p in products if str(p.get("visibility")) == "1" and p.get("type_id") != "configurable"
                   and str(p["id"]) not in self._parents]
        if unknown or (items and not self._parents_loaded):
            await self._refresh_parents()
        events = []
        latest = watermark
        for product in products:
            updated = mappers.parse_time(product.get("updated_at"))
            latest = max(latest, updated or latest)
            events.append(self._event(ChangeKind.PRODUCT_UPDATED, str(product["id"]), updated,
                                      f"product:{product['id']}"))
        for order, item in items:
            updated = mappers.parse_time(order.get("updated_at"))
            latest = max(latest, updated or latest)
            events.append(self._event(ChangeKind.INVENTORY_UPDATED, str(item["product_id"]), updated,
                                      f"order:{order['entity_id']}:{item['product_id']}"))
        return ChangePage(events=events, watermark=latest)

    # -- orders --------------------------------------------------------------------------------------
    async def _order(self, ref: StoreOrderRef) -> dict[str, Any]:
        order = await self.client.get(f"/V1/orders/{int(ref.id)}")
        if not isinstance(order, dict):
            raise PlatformError(f"order {ref.number or ref.id} could not be read", platform=PLATFORM)
        return order

    async def find_order(self, tiktok_order_id: str) -> StoreOrderRef | None:
        """The order whose `ext_order_id` is the TikTok order id (oldest first if a merchant duplicated it)."""
        criteria = SearchCriteria(page_size=5, current_page=1).where("ext_order_id", tiktok_order_id)
        criteria.sort = [("entity_id", "ASC")]
        items = (await self.client.search("/V1/orders", criteria))["items"]
        items = [o for o in items if str(o.get("ext_order_id")) == tiktok_order_id]
        return mappers.ref_from_order(items[0]) if items else None

    async def create_order(self, draft: OrderDraft) -> StoreOrderRef:
        """Create the order with TikTok's totals in one call (`POST /V1/orders`), after looking it up first.

        The TikTok id is written in the same call as the order, so a create that timed out after Magento
        saved it is found by the lookup on the next attempt instead of being made twice.
        """
        existing = await self.find_order(draft.tiktok_order_id)
        if existing is not None:
            return existing
        for line in draft.lines:
            if not line.store_variant_id.isdigit():
                raise DataError(f"line {line.sku} has no Magento product id", field="lines.store_variant_id")
        config = await self._store_config()
        entity = mappers.order_payload(draft, store_id=int(config.get("id") or 1),
                                       email_fallback=f"tiktok-{draft.tiktok_order_id}@buyers.invalid")
        order = await self.client.post("/V1/orders", {"entity": entity})
        ref = mappers.ref_from_order(order)
        await self._comment(ref, mappers.order_comment(draft))
        return ref

    async def _comment(self, ref: StoreOrderRef, comment: str, status: str | None = None) -> None:
        history: dict[str, Any] = {"comment": comment, "is_customer_notified": 0, "is_visible_on_front": 0,
                                   "parent_id": int(ref.id)}
        if status:
            history["status"] = status
        await self.client.post(f"/V1/orders/{int(ref.id)}/comments", {"statusHistory": history})

    async def add_order_note(self, ref: StoreOrderRef, note: str, tags: Sequence[str] = ()) -> None:
        """An order comment; Magento orders have no tags, so tags lead the comment as `[tag, …]`."""
        prefix = f"[{', '.join(tags)}] " if tags else ""
        await self._comment(ref, prefix + note)

    async def _invoice_if_needed(self, order: dict[str, Any]) -> None:
        if order.get("state") in ("new", "pending_payment", "processing") and not order.get("total_invoiced"):
            await self.client.post(f"/V1/order/{int(order['entity_id'])}/invoice", {"capture": True, "notify": False})

    async def set_order_status(self, ref: StoreOrderRef, status: StoreOrderStatus) -> None:
        """Magento moves orders by documents: an invoice makes it processing; invoiced and fully shipped is
        complete. SHIPPED/COMPLETED invoice it and leave a comment; CANCELLED cancels it."""
        if status == StoreOrderStatus.CANCELLED:
            await self.cancel_order(ref, "Cancelled on TikTok Shop")
            return
        if status == StoreOrderStatus.PENDING:
            return
        order = await self._order(ref)
        if order.get("state") in ("canceled", "closed"):
            raise DataError(f"Magento order {ref.number} is {order.get('state')} and cannot become {status}",
                            field="status")
        await self._invoice_if_needed(order)
        if status in (StoreOrderStatus.SHIPPED, StoreOrderStatus.COMPLETED):
            await self._comment(ref, f"[TikTok Shop] TikTok Shop reports this order as {status.value}.")

    async def cancel_order(self, ref: StoreOrderRef, reason: str) -> None:
        """Cancel (`POST /V1/orders/{id}/cancel`) and record the reason as a comment."""
        done = await self.client.post(f"/V1/orders/{int(ref.id)}/cancel", None)
        if done is not True:
            order = await self._order(ref)
            if order.get("state") != "canceled":
                raise PlatformError(
                    f"Magento would not cancel order {ref.number or ref.id} (state {order.get('state')}).",
                    platform=PLATFORM,
                    action="An invoiced or shipped order needs a credit memo in Magento Admin.")
        await self._comment(ref, f"[TikTok Shop] {reason}")

    async def fulfilments(self, ref: StoreOrderRef) -> list[Fulfilment]:
        """Shipments of the order with their tracks (`GET /V1/shipments` by order_id)."""
        criteria = SearchCriteria().where("order_id", ref.id)
        criteria.sort = [("entity_id", "ASC")]
        out: list[Fulfilment] = []
        async for items in self.client.search_pages("/V1/shipments", criteria):
            out += [mappers.fulfilment_from_shipment(s) for s in items]
        return out

    async def fulfil_order(self, ref: StoreOrderRef, fulfilment: Fulfilment) -> Fulfilment:
        """Ship items with one track (`POST /V1/order/{id}/ship`); no lines means everything not yet shipped."""
        order = await self._order(ref)
        by_product = {str(i.get("product_id")): i for i in order.get("items") or []}
        items: list[dict[str, Any]] = []
        if fulfilment.lines:
            for line in fulfilment.lines:
                item = by_product.get(line.store_variant_id)
                if item is None:
                    raise DataError(f"{line.sku} is not in Magento order {ref.number}", field="lines")
                items.append({"order_item_id": int(item["item_id"]), "qty": line.quantity})
        else:
            items = [{"order_item_id": int(i["item_id"]),
                      "qty": float(i.get("qty_ordered") or 0) - float(i.get("qty_shipped") or 0)}
                     for i in order.get("items") or []]
            items = [i for i in items if i["qty"] > 0]
        track = {"track_number": fulfilment.tracking_number, "title": fulfilment.carrier,
                 "carrier_code": mappers.carrier_code(fulfilment.carrier)}
        shipment_id = await self.client.post(f"/V1/order/{int(ref.id)}/ship",
                                             {"items": items, "notify": False, "tracks": [track]})
        return Fulfilment(id=str(shipment_id), carrier=fulfilment.carrier,
                          tracking_number=fulfilment.tracking_number, lines=fulfilment.lines,
                          tracking_url=fulfilment.tracking_url)

    async def carrier_names(self) -> list[str]:
        """Track titles used on recent shipments, plus Magento's built-in carriers."""
        criteria = SearchCriteria(page_size=100, current_page=1)
        criteria.sort = [("created_at", "DESC")]
        names: list[str] = []
        for shipment in (await self.client.search("/V1/shipments", criteria))["items"]:
            for track in shipment.get("tracks") or []:
                name = str(track.get("title") or track.get("carrier_code") or "")
                if name and name not in names:
                    names.append(name)
        return names + [c for c in KNOWN_CARRIERS if c not in names]

    async def aclose(self) -> None:
        await self.client.aclose()
