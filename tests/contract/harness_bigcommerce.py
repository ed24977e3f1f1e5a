"""Contract harness for BigCommerce: an empty sandbox on loopback, driven through its own v3/v2 API."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal
from typing import Any

import httpx

from feedbridge.stores.bigcommerce.adapter import BigCommerceAdapter
from feedbridge.sync.ports import StorePort
from feedbridge_sandbox.bigcommerce import create_sandbox
from feedbridge_sandbox.core import RunningServer, serve

_counter = itertools.count(1)


class Harness:
    """Implements tests.contract.harness.StoreHarness for BigCommerce."""

    platform = "bigcommerce"
    base_url = ""
    order_create_path = "/v2/orders"

    def __init__(self, **adapter_options: Any) -> None:
        # Pro plan's quota (450 per 30 s): the whole suite shares one store, as merchants' apps do.
        self.sandbox = create_sandbox(seed=False, quota=450)
        self.server: RunningServer | None = None
        self.adapter_options = adapter_options

    def start(self) -> None:
        self.server = serve(self.sandbox.app)
        self.base_url = self.server.url
        self.manifest = self.sandbox.manifest(self.base_url)

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def adapter(self) -> StorePort:
        return BigCommerceAdapter(self.base_url, self.manifest["credentials"], **self.adapter_options)

    def _client(self) -> httpx.AsyncClient:
        store = self.sandbox.store
        return httpx.AsyncClient(base_url=f"{self.base_url}/stores/{store.store_hash}", timeout=30,
                                 headers={"X-Auth-Token": store.access_token, "Accept": "application/json"})

    async def _call(self, method: str, path: str, json: Any = None, params: Any = None) -> httpx.Response:
        # The harness acts as the merchant; it waits out the quota like any well-behaved API client.
        async with self._client() as http:
            for _ in range(100):
                response = await http.request(method, path, json=json, params=params)
                if response.status_code != 429:
                    response.raise_for_status()
                    return response
                await asyncio.sleep(int(response.headers.get("x-rate-limit-time-reset-ms", "100")) / 1000)
        raise AssertionError("the sandbox kept answering 429")

    async def create_products(self, count: int, variants: int = 2) -> list[str]:
        ids = []
        for _ in range(count):
            n = next(_counter)
            body: dict[str, Any] = {"name": f"Contract product {n}", "type": "physical", "weight": 1,
                                    "price": 10.0, "inventory_tracking": "variant"}
            if variants == 1:
                body["sku"] = f"C-{n}-1"
            answer = await self._call("POST", "/v3/catalog/products", json=body)
            product_id = answer.json()["data"]["id"]
            if variants > 1:
                for v in range(1, variants + 1):
                    await self._call("POST", f"/v3/catalog/products/{product_id}/variants", json={
                        "sku": f"C-{n}-{v}", "price": 10.0,
                        "option_values": [{"option_display_name": "Size", "label": f"S{v}"}]})
            ids.append(str(product_id))
        return ids

    async def set_variant(self, product_id: str, variant_id: str, *, price: Decimal | None = None,
                          compare_at: Decimal | None = None, stock: dict[str, int] | None = None) -> None:
        body: dict[str, Any] = {}
        if price is not None:
            body["price"] = float(price)
        if compare_at is not None:
            body["retail_price"] = float(compare_at)
        if body:
            await self._call("PUT", f"/v3/catalog/products/{product_id}/variants/{variant_id}", json=body)
        if stock:
            items = [{"location_id": int(loc), "variant_id": int(variant_id), "quantity": qty}
                     for loc, qty in stock.items()]
            await self._call("PUT", "/v3/inventory/adjustments/absolute", json={"items": items})

    async def location_ids(self) -> list[str]:
        answer = await self._call("GET", "/v3/inventory/locations")
        return [str(loc["id"]) for loc in answer.json()["data"]]

    async def count_orders(self, tiktok_order_id: str) -> int:
        answer = await self._call("GET", "/v2/orders", params={"external_order_id": tiktok_order_id})
        if answer.status_code == 204:
            return 0
        return sum(1 for o in answer.json() if o.get("external_order_id") == tiktok_order_id)

    async def control(self, method: str, path: str, json: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            response = await http.request(method, path, json=json)
            response.raise_for_status()
            return response.json()

    async def set_rate_limit(self, limit: int) -> None:
        # A 300 ms window keeps the drill short; the real store's window is 30 s.
        await self.control("POST", "/_sandbox/ratelimit",
                           {"quota": limit, "window_ms": 300 if limit else 0})

    def carrier(self) -> str:
        return "UPS"
