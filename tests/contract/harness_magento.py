"""Contract harness for Magento: the sandbox on loopback, acted on only through its REST and control APIs.

Product.id is the parent's entity id; Variant.id is the child's entity id (a simple product is its own single
variant). Products with one variant are simple products; with more, configurables on the `size` attribute.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import httpx

from feedbridge.stores.magento.adapter import MagentoAdapter
from feedbridge.stores.magento.client import MagentoClient
from feedbridge.stores.magento.search import SearchCriteria
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.magento import MagentoSandbox, create_sandbox

_counter = itertools.count(1)


class Harness:
    platform = "magento"
    order_create_path = "/V1/orders"

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.base_url = ""
        self.sandbox: MagentoSandbox | None = None
        self.server: RunningServer | None = None
        self.credentials: dict[str, Any] = {}
        self._second_source = False

    def start(self) -> None:
        self.sandbox = create_sandbox(seed=False, **self.options)
        self.server = serve(self.sandbox.app)
        self.base_url = self.server.url
        self.credentials = self.sandbox.manifest(self.base_url)["credentials"]

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def adapter(self) -> MagentoAdapter:
        return MagentoAdapter(self.base_url, self.credentials)

    def _client(self) -> MagentoClient:
        return MagentoClient(self.base_url, self.credentials)

    async def _size_values(self, client: MagentoClient, count: int) -> list[str]:
        options = await client.get("/V1/products/attributes/size/options")
        by_label = {o["label"]: o["value"] for o in options}
        values = []
        for n in range(1, count + 1):
            label = f"V{n}"
            if label not in by_label:
                by_label[label] = await client.post("/V1/products/attributes/size/options",
                                                    {"option": {"label": label, "value": ""}})
            values.append(str(by_label[label]))
        return values

    async def create_products(self, count: int, variants: int = 2) -> list[str]:
        client = self._client()
        ids: list[str] = []
        try:
            sizes = await self._size_values(client, variants) if variants > 1 else []
            for _ in range(count):
                n = next(_counter)
                stock: list[dict[str, Any]] = []
                if variants == 1:
                    product = await client.post("/V1/products", {"product": {
                        "sku": f"C-{n}-1", "name": f"Contract product {n}", "attribute_set_id": 4,
                        "type_id": "simple", "price": 10, "status": 1, "visibility": 4, "weight": 1}})
                    stock.append({"sku": f"C-{n}-1", "source_code": "default", "quantity": 5, "status": 1})
                    ids.append(str(product["id"]))
                else:
                    parent_sku = f"CP-{n}"
                    parent = await client.post("/V1/products", {"product": {
                        "sku": parent_sku, "name": f"Contract product {n}", "attribute_set_id": 4,
                        "type_id": "configurable", "price": 0, "status": 1, "visibility": 4}})
                    await client.post(f"/V1/configurable-products/{parent_sku}/options", {"option": {
                        "attribute_id": "144", "label": "Size", "position": 0,
                        "values": [{"value_index": int(v)} for v in sizes]}})
                    for v, value in enumerate(sizes, start=1):
                        sku = f"C-{n}-{v}"
                        await client.post("/V1/products", {"product": {
                            "sku": sku, "name": f"Contract product {n} V{v}", "attribute_set_id": 4,
                            "type_id": "simple", "price": 10, "status": 1, "visibility": 1, "weight": 1,
                            "custom_attributes": [{"attribute_code": "size", "value": value}]}})
                        await client.post(f"/V1/configurable-products/{parent_sku}/child", {"childSku": sku})
                        stock.append({"sku": sku, "source_code": "default", "quantity": 5, "status": 1})
                    ids.append(str(parent["id"]))
                await client.post("/V1/inventory/source-items", {"sourceItems": stock})
        finally:
            await client.aclose()
        return ids

    async def set_variant(self, product_id: str, variant_id: str, *, price: Decimal | None = None,
                          compare_at: Decimal | None = None, stock: dict[str, int] | None = None) -> None:
        client = self._client()
        try:
            found = await client.search("/V1/products", SearchCriteria(page_size=1, current_page=1)
                                        .where("entity_id", variant_id))
            [variant] = found["items"]
            sku = variant["sku"]
            if price is not None or compare_at is not None:
                product: dict[str, Any] = {"sku": sku}
                if compare_at is not None:
                    product["price"] = float(compare_at)
                    product["custom_attributes"] = [{"attribute_code": "special_price", "value": str(price)}]
                else:
                    product["price"] = float(price or 0)
                await client.put(f"/V1/products/{sku}", {"product": product})
            if stock:
                await client.post("/V1/inventory/source-items", {"sourceItems": [
                    {"sku": sku, "source_code": code, "quantity": qty, "status": 1 if qty > 0 else 0}
                    for code, qty in stock.items()]})
        finally:
            await client.aclose()

    async def location_ids(self) -> list[str]:
        client = self._client()
        try:
            if not self._second_source:
                sources = await client.search("/V1/inventory/sources", SearchCriteria(page_size=50, current_page=1))
                if "east" not in {s["source_code"] for s in sources["items"]}:
                    await client.post("/V1/inventory/sources", {"source": {
                        "source_code": "east", "name": "East Warehouse", "enabled": True, "country_id": "US",
                        "postcode": "10001"}})
                    await client.post("/V1/inventory/stock-source-links",
                                      {"links": [{"stock_id": 1, "source_code": "east", "priority": 2}]})
                self._second_source = True
            sources = await client.search("/V1/inventory/sources", SearchCriteria(page_size=50, current_page=1))
            return [s["source_code"] for s in sources["items"]]
        finally:
            await client.aclose()

    async def count_orders(self, tiktok_order_id: str) -> int:
        client = self._client()
        try:
            found = await client.search("/V1/orders", SearchCriteria(page_size=10, current_page=1)
                                        .where("ext_order_id", tiktok_order_id))
            return int(found["total_count"])
        finally:
            await client.aclose()

    async def control(self, method: str, path: str, json: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            response = await http.request(method, path, json=json)
            response.raise_for_status()
            return response.json()

    async def set_rate_limit(self, limit: int) -> None:
        await self.control("POST", "/_sandbox/ratelimit", {"limit": limit, "window": 1.0})

    def carrier(self) -> str:
        return "United Parcel Service"
