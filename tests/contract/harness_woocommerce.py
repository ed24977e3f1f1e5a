"""Contract harness for WooCommerce: an empty sandbox on loopback, driven through its REST API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from feedbridge.stores.woocommerce.adapter import WooCommerceAdapter
from feedbridge.sync.ports import StorePort
from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.woocommerce import WooCommerceSandbox, create_sandbox


class Harness:
    """Acts as the merchant through wc/v3 with HTTP Basic auth (the adapter itself signs with OAuth over http)."""

    platform = "woocommerce"
    order_create_path = "/wp-json/wc/v3/orders"

    def __init__(self) -> None:
        self.sandbox: WooCommerceSandbox = create_sandbox(seed=False)
        self.server: RunningServer | None = None
        self.base_url = ""
        self._serial = 0

    def start(self) -> None:
        self.server = serve(self.sandbox.app)
        self.base_url = self.server.url

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def adapter(self) -> StorePort:
        return WooCommerceAdapter(self.base_url, self.sandbox.credentials())

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url + "/wp-json/wc/v3", timeout=30,
                                 auth=(self.sandbox.consumer_key, self.sandbox.consumer_secret))

    async def _call(self, method: str, path: str, json: Any = None, params: Any = None) -> httpx.Response:
        async with self._client() as client:
            for _ in range(50):  # the sandbox may be rate limited by a test; wait like a merchant's script would
                response = await client.request(method, path, json=json, params=params)
                if response.status_code != 429:
                    response.raise_for_status()
                    return response
                import asyncio
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        raise RuntimeError("the sandbox kept answering 429")

    async def create_products(self, count: int, variants: int = 2) -> list[str]:
        ids = []
        for _ in range(count):
            self._serial += 1
            n = self._serial
            if variants == 1:
                product = (await self._call("POST", "/products", {
                    "name": f"Contract product {n}", "type": "simple", "sku": f"C-{n}-1", "regular_price": "10.00",
                    "manage_stock": True, "stock_quantity": 5})).json()
            else:
                options = [f"Option {v}" for v in range(1, variants + 1)]
                product = (await self._call("POST", "/products", {
                    "name": f"Contract product {n}", "type": "variable",
                    "attributes": [{"name": "Size", "variation": True, "visible": True, "options": options}]})).json()
                for v, option in enumerate(options, start=1):
                    await self._call("POST", f"/products/{product['id']}/variations", {
                        "sku": f"C-{n}-{v}", "regular_price": "10.00", "manage_stock": True, "stock_quantity": 5,
                        "attributes": [{"name": "Size", "option": option}]})
            ids.append(str(product["id"]))
        return ids

    async def set_variant(self, product_id: str, variant_id: str, *, price: Decimal | None = None,
                          compare_at: Decimal | None = None, stock: dict[str, int] | None = None) -> None:
        body: dict[str, Any] = {}
        if price is not None:
            if compare_at is not None:
                body.update(regular_price=str(compare_at), sale_price=str(price))
            else:
                body.update(regular_price=str(price), sale_price="")
        if stock is not None:
            body.update(manage_stock=True, stock_quantity=sum(stock.values()))
        path = f"/products/{product_id}" if variant_id == product_id else f"/products/{product_id}/variations/{variant_id}"
        await self._call("PUT", path, body)

    async def location_ids(self) -> list[str]:
        return ["default"]

    async def count_orders(self, tiktok_order_id: str) -> int:
        count, page = 0, 1
        while True:
            response = await self._call("GET", "/orders", params={"per_page": 100, "page": page})
            for order in response.json():
                if any(m["key"] == "_tiktok_order_id" and m["value"] == tiktok_order_id for m in order["meta_data"]):
                    count += 1
            if page >= int(response.headers.get("x-wp-totalpages", "1")):
                return count
            page += 1

    async def control(self, method: str, path: str, json: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            response = await client.request(method, path, json=json)
            response.raise_for_status()
            return response.json()

    async def set_rate_limit(self, limit: int) -> None:
        await self.control("POST", "/_sandbox/ratelimit", {"limit": limit})

    def carrier(self) -> str:
        return "USPS"
