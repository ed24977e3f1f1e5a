"""Pre-existing TikTok listings for the "link existing products" feature, created through the Open API.

The seller SKUs match the first three products of the Shopify sample catalog (apparel.csv) as the Shopify sandbox
derives them (the CSV has none): the handle plus option values, upper case, e.g. CLASSIC-VARSITY-TOP-SMALL.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from feedbridge_sandbox.tiktok.images import png_bytes
from feedbridge_sandbox.tiktok.signing import request_sign

EXISTING_PRODUCTS: list[dict[str, Any]] = [
    {"title": "Ocean Blue Shirt", "price": "50.00", "material": "Cotton",
     "description": "<p>Ocean blue cotton shirt with a narrow collar and buttons down the front and long sleeves."
                    "</p>", "variants": [("OCEAN-BLUE-SHIRT", None)]},
    {"title": "Classic Varsity Top", "price": "60.00", "material": "Cotton",
     "description": "<p>Womens casual varsity top. This grey and black buttoned top is a sport-inspired piece "
                    "complete with an embroidered letter.</p>",
     "variants": [("CLASSIC-VARSITY-TOP-SMALL", "Small"), ("CLASSIC-VARSITY-TOP-MEDIUM", "Medium"),
                  ("CLASSIC-VARSITY-TOP-LARGE", "Large")]},
    {"title": "Yellow Wool Jumper", "price": "80.00", "material": "Wool",
     "description": "<p>Knitted jumper in a soft wool blend with low dropped shoulders and wide three-quarter "
                    "sleeves.</p>", "variants": [("YELLOW-WOOL-JUMPER", None)]},
]


class SignedCaller:
    """Just enough of a TikTok client to seed: signs each call the 202309 way."""

    def __init__(self, client: httpx.AsyncClient, manifest: dict[str, Any], shop: dict[str, Any]) -> None:
        self.client, self.manifest, self.shop = client, manifest, shop

    async def call(self, method: str, path: str, body: Any = None, files: Any = None,
                   shop_scoped: bool = True) -> Any:
        """Send one signed call; raise when TikTok's code is not 0."""
        query = {"app_key": self.manifest["app_key"], "timestamp": str(int(time.time()))}
        if shop_scoped:
            query["shop_cipher"] = self.shop["cipher"]
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        query["sign"] = request_sign(self.manifest["app_secret"], path, query, raw, multipart=files is not None)
        headers = {"x-tts-access-token": self.shop["access_token"]}
        if files is None:
            headers["content-type"] = "application/json"
        response = await self.client.request(method, self.manifest["api_url"] + path, params=query,
                                             content=raw if files is None else None, files=files, headers=headers)
        answer = response.json()
        if answer.get("code") != 0:
            raise RuntimeError(f"seeding failed at {method} {path}: {answer}")
        return answer["data"]


async def seed_products(manifest: dict[str, Any]) -> list[str]:
    """Create, and approve at once, the existing listings on the first (US) shop; returns product ids."""
    shop = manifest["shops"][0]
    ids = []
    async with httpx.AsyncClient(timeout=30) as client:
        api = SignedCaller(client, manifest, shop)
        image = await api.call("POST", "/product/202309/images/upload", files={
            "data": ("seed.png", png_bytes(600, 600), "image/png"), "use_case": (None, "MAIN_IMAGE")},
            shop_scoped=False)
        for product in EXISTING_PRODUCTS:
            recommended = await api.call("POST", "/product/202309/categories/recommend",
                                         {"product_title": product["title"], "category_version": "v2"})
            skus = []
            for seller_sku, size in product["variants"]:
                sku: dict[str, Any] = {"seller_sku": seller_sku,
                                       "price": {"amount": product["price"], "currency": shop["currency"]},
                                       "inventory": [{"warehouse_id": shop["warehouse_id"], "quantity": 25}]}
                if size:
                    sku["sales_attributes"] = [{"name": "Size", "value_name": size}]
                skus.append(sku)
            body = {"title": product["title"], "description": product["description"],
                    "category_id": recommended["leaf_category_id"], "category_version": "v2",
                    "main_images": [{"uri": image["uri"]}],
                    "package_weight": {"value": "0.5", "unit": "KILOGRAM"},
                    "package_dimensions": {"length": "30", "width": "20", "height": "5", "unit": "CENTIMETER"},
                    "product_attributes": [{"id": "100157", "values": [{"name": product["material"]}]}],
                    "skus": skus, "idempotency_key": f"seed-{product['variants'][0][0].lower()}"}
            created = await api.call("POST", "/product/202309/products", body)
            ids.append(created["product_id"])
            await client.post(f"{manifest['control_url']}/products/{created['product_id']}/review",
                              json={"result": "approve"})
    return ids
