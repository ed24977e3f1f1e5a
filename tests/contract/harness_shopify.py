"""Contract harness for Shopify: the sandbox on a loopback port, driven through the Admin GraphQL API."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal
from typing import Any

import httpx

from feedbridge.stores.shopify.adapter import ShopifyAdapter
from feedbridge.sync.ports import StorePort
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.shopify import ShopifySandbox, create_sandbox
from feedbridge_sandbox.shopify.seed import AdminCaller

PRODUCT_CREATE = """
mutation HarnessProductCreate($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product { id }
    userErrors { field message }
  }
}
"""

VARIANTS_CREATE = """
mutation HarnessVariantsCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: REMOVE_STANDALONE_VARIANT) {
    productVariants { id }
    userErrors { field message }
  }
}
"""

VARIANT_UPDATE = """
mutation HarnessVariantUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id }
    userErrors { field message }
  }
}
"""

VARIANT_ITEM = """
query HarnessVariantItem($id: ID!) { productVariant(id: $id) { inventoryItem { id } } }
"""

SET_STOCK = """
mutation HarnessSetStock($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message }
  }
}
"""

LOCATIONS = """
query HarnessLocations { locations(first: 50) { nodes { id } } }
"""

ORDERS_BY_SOURCE = """
query HarnessOrders($query: String!) { orders(first: 50, query: $query) { nodes { id sourceIdentifier } } }
"""

DOCUMENTS = {"PRODUCT_CREATE": PRODUCT_CREATE, "VARIANTS_CREATE": VARIANTS_CREATE, "VARIANT_UPDATE": VARIANT_UPDATE,
             "VARIANT_ITEM": VARIANT_ITEM, "SET_STOCK": SET_STOCK, "LOCATIONS": LOCATIONS,
             "ORDERS_BY_SOURCE": ORDERS_BY_SOURCE}

_numbers = itertools.count(1)


class Harness:
    """StoreHarness for Shopify."""

    platform = "shopify"
    base_url = ""
    order_create_path = "orderCreate"  # faults match GraphQL root fields in the Shopify sandbox

    def __init__(self) -> None:
        self.sandbox: ShopifySandbox | None = None
        self.server: RunningServer | None = None

    def start(self) -> None:
        self.sandbox = create_sandbox(seed=False)
        self.server = serve(self.sandbox.app)
        self.base_url = self.server.url

    def stop(self) -> None:
        if self.server and self.sandbox:
            sender = self.sandbox.server.webhooks
            sender.enabled = False

            async def cancel_redeliveries() -> None:
                # Subscriptions still point at receivers the tests have stopped; end their retries quietly.
                for task in list(sender._pending):
                    task.cancel()

            self.server.call(cancel_redeliveries)
        if self.server:
            self.server.stop()

    def _sandbox(self) -> ShopifySandbox:
        assert self.sandbox is not None, "start() the harness first"
        return self.sandbox

    def adapter(self) -> StorePort:
        return ShopifyAdapter(self.base_url, self._sandbox().manifest(self.base_url)["credentials"])

    async def _call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        call = AdminCaller(self.base_url, self._sandbox().access_token)
        try:
            return await call(query, variables)
        finally:
            await call.aclose()

    async def create_products(self, count: int, variants: int = 2) -> list[str]:
        ids = []
        for _ in range(count):
            n = next(_numbers)
            values = [f"V{v}" for v in range(1, variants + 1)]
            created = await self._call(PRODUCT_CREATE, {"product": {
                "title": f"Contract product {n}", "status": "ACTIVE",
                "productOptions": [{"name": "Version", "values": [{"name": v} for v in values]}]}})
            product_id = created["productCreate"]["product"]["id"]
            await self._call(VARIANTS_CREATE, {"productId": product_id, "variants": [
                {"optionValues": [{"optionName": "Version", "name": value}], "price": "10.00",
                 "inventoryItem": {"sku": f"C-{n}-{v}", "tracked": True}}
                for v, value in enumerate(values, start=1)]})
            ids.append(product_id.rsplit("/", 1)[-1])
        return ids

    async def set_variant(self, product_id: str, variant_id: str, *, price: Decimal | None = None,
                          compare_at: Decimal | None = None, stock: dict[str, int] | None = None) -> None:
        variant_gid = f"gid://shopify/ProductVariant/{variant_id}"
        change: dict[str, Any] = {"id": variant_gid}
        if price is not None:
            change["price"] = str(price)
        if compare_at is not None:
            change["compareAtPrice"] = str(compare_at)
        if len(change) > 1:
            await self._call(VARIANT_UPDATE, {"productId": f"gid://shopify/Product/{product_id}",
                                              "variants": [change]})
        if stock:
            item = (await self._call(VARIANT_ITEM, {"id": variant_gid}))["productVariant"]["inventoryItem"]["id"]
            await self._call(SET_STOCK, {"key": str(uuid.uuid4()), "input": {
                "name": "available", "reason": "correction",
                "quantities": [{"inventoryItemId": item, "locationId": f"gid://shopify/Location/{location}",
                                "quantity": quantity} for location, quantity in stock.items()]}})

    async def location_ids(self) -> list[str]:
        data = await self._call(LOCATIONS)
        return [node["id"].rsplit("/", 1)[-1] for node in data["locations"]["nodes"]]

    async def count_orders(self, tiktok_order_id: str) -> int:
        data = await self._call(ORDERS_BY_SOURCE, {"query": f'source_identifier:"{tiktok_order_id}"'})
        return sum(1 for node in data["orders"]["nodes"] if node["sourceIdentifier"] == tiktok_order_id)

    async def control(self, method: str, path: str, json: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            response = await client.request(method, path, json=json)
            response.raise_for_status()
            return response.json() if response.content else None

    async def set_rate_limit(self, limit: int) -> None:
        if limit <= 0:
            await self.control("DELETE", "/_sandbox/ratelimit")
            return
        # `limit` requests' worth of a typical page: a smaller bucket that refills proportionally.
        await self.control("POST", "/_sandbox/ratelimit",
                           {"maximumAvailable": limit * 100, "restoreRate": limit * 100})

    def carrier(self) -> str:
        return "UPS"
