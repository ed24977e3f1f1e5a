"""The sandbox's default catalog (apparel with size/colour variants, some simple products, two sources),
loaded through the store's own REST API with a signed integration client."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from feedbridge_sandbox.core.media import placeholder_png
from feedbridge_sandbox.magento.auth import Integration, sign_header

COLORS = ("Black", "White", "Heather Grey", "Navy")
SIZES = ("S", "M", "L", "XL")
CONFIGURABLES = [  # sku, name, price, category, colours, sizes, weight (lbs)
    ("FB-TEE-CLASSIC", "Classic Crew Tee", "24.00", "Tops", COLORS[:3], SIZES, 0.4),
    ("FB-TEE-POCKET", "Pocket Tee", "28.00", "Tops", COLORS[:2], SIZES[:3], 0.4),
    ("FB-HOODIE", "Everyday Hoodie", "58.00", "Tops", COLORS[::2], SIZES, 1.3),
    ("FB-CREW", "Fleece Crewneck", "52.00", "Tops", COLORS[1:3], SIZES[1:], 1.1),
    ("FB-JOGGER", "Trail Jogger", "64.00", "Bottoms", COLORS[::3], SIZES, 0.9),
    ("FB-SHORT", "Lake Short", "38.00", "Bottoms", COLORS[3:], SIZES[:3], 0.5),
    ("FB-LEGGING", "Studio Legging", "48.00", "Bottoms", COLORS[:1], SIZES, 0.4),
    ("FB-JACKET", "Rain Shell Jacket", "120.00", "Outerwear", COLORS[::3], SIZES[1:3], 1.6),
]
SIMPLES = [  # sku, name, price, category, weight
    ("FB-CAP", "Canvas Dad Cap", "22.00", "Accessories", 0.3),
    ("FB-BEANIE", "Ribbed Beanie", "18.00", "Accessories", 0.2),
    ("FB-TOTE", "Market Tote Bag", "16.00", "Accessories", 0.5),
    ("FB-SOCKS-3PK", "Crew Socks 3-Pack", "14.00", "Accessories", 0.3),
    ("FB-BOTTLE", "Steel Water Bottle", "26.00", "Accessories", 0.9),
    ("FB-STICKERS", "Sticker Pack", "6.00", "Accessories", 0.05),
]
CATEGORIES = [("Clothing", None), ("Tops", "Clothing"), ("Bottoms", "Clothing"), ("Outerwear", "Clothing"),
              ("Accessories", None)]


class SignedClient:
    """A tiny signed JSON client for the store's REST API."""

    def __init__(self, base_url: str, integration: Integration,
                 event_hooks: dict[str, list[Any]] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.integration = integration
        self.http = httpx.AsyncClient(timeout=30, event_hooks=event_hooks or {})

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.base_url}/rest/default{path}"
        parts = urlsplit(url)
        header = sign_header(method, f"{parts.scheme}://{parts.netloc}{parts.path}", [], self.integration)
        response = await self.http.request(method, url, json=body, headers={"Authorization": header})
        if response.status_code >= 400:
            raise RuntimeError(f"seeding {method} {path} failed: {response.status_code} {response.text}")
        return response.json()

    async def aclose(self) -> None:
        await self.http.aclose()


async def _add_image(client: SignedClient, sku: str, name: str, index: int) -> None:
    # A 600×600 picture: TikTok accepts 300×300 to 4000×4000.
    data = base64.b64encode(placeholder_png(f"{sku}-{index}.png")).decode()
    await client.call("POST", f"/V1/products/{quote(sku, safe='')}/media", {"entry": {
        "media_type": "image", "label": name, "position": 1, "disabled": False,
        "types": ["image", "small_image", "thumbnail"],
        "content": {"base64_encoded_data": data, "type": "image/png", "name": f"{sku.lower()}.png"}}})


def _stock(index: int) -> tuple[int, int]:
    # A spread of quantities over the two sources, including some sold-out SKUs.
    return (index * 7) % 23, (index * 5) % 11


async def seed_catalog(base_url: str, integration: Integration,
                       event_hooks: dict[str, list[Any]] | None = None) -> None:
    """Create categories, a second source, attribute options, products and their source quantities."""
    client = SignedClient(base_url, integration, event_hooks)
    try:
        categories: dict[str, int] = {}
        for name, parent in CATEGORIES:
            body = {"category": {"name": name, "is_active": True, "parent_id": categories[parent] if parent else 2}}
            categories[name] = int((await client.call("POST", "/V1/categories", body))["id"])
        await client.call("POST", "/V1/inventory/sources", {"source": {
            "source_code": "east", "name": "East Warehouse", "enabled": True, "country_id": "US",
            "postcode": "10001", "city": "New York"}})
        await client.call("POST", "/V1/inventory/stock-source-links",
                          {"links": [{"stock_id": 1, "source_code": "east", "priority": 2}]})
        values: dict[tuple[str, str], str] = {}
        for code, labels in (("color", COLORS), ("size", SIZES)):
            for label in labels:
                values[(code, label)] = str(await client.call(
                    "POST", f"/V1/products/attributes/{code}/options", {"option": {"label": label, "value": ""}}))
        attribute_ids = {"color": 93, "size": 144}
        source_items: list[dict[str, Any]] = []
        counter = 0
        for sku, name, price, category, colors, sizes, weight in CONFIGURABLES:
            links = [{"position": 0, "category_id": str(categories[category])},
                     {"position": 1, "category_id": str(categories["Clothing"])}]
            await client.call("POST", "/V1/products", {"product": {
                "sku": sku, "name": name, "attribute_set_id": 4, "type_id": "configurable", "price": 0,
                "status": 1, "visibility": 4, "weight": weight,
                "extension_attributes": {"category_links": links, "website_ids": [1]},
                "custom_attributes": [
                    {"attribute_code": "description", "value": f"<p>{name}: soft, durable, made to last.</p>"},
                    {"attribute_code": "url_key", "value": sku.lower()}]}})
            await _add_image(client, sku, name, counter)
            for code, chosen in (("color", colors), ("size", sizes)):
                await client.call("POST", f"/V1/configurable-products/{quote(sku, safe='')}/options", {"option": {
                    "attribute_id": str(attribute_ids[code]), "label": code.title(), "position": 0 if code == "color" else 1,
                    "values": [{"value_index": int(values[(code, v)])} for v in chosen]}})
            for color in colors:
                for size in sizes:
                    counter += 1
                    child = f"{sku}-{color.replace(' ', '').upper()[:5]}-{size}"
                    await client.call("POST", "/V1/products", {"product": {
                        "sku": child, "name": f"{name} - {color} / {size}", "attribute_set_id": 4,
                        "type_id": "simple", "price": float(price), "status": 1, "visibility": 1, "weight": weight,
                        "custom_attributes": [{"attribute_code": "color", "value": values[("color", color)]},
                                              {"attribute_code": "size", "value": values[("size", size)]}]}})
                    await client.call("POST", f"/V1/configurable-products/{quote(sku, safe='')}/child",
                                      {"childSku": child})
                    main, east = _stock(counter)
                    source_items += [{"sku": child, "source_code": "default", "quantity": main, "status": int(main > 0)},
                                     {"sku": child, "source_code": "east", "quantity": east, "status": int(east > 0)}]
        for sku, name, price, category, weight in SIMPLES:
            counter += 1
            await client.call("POST", "/V1/products", {"product": {
                "sku": sku, "name": name, "attribute_set_id": 4, "type_id": "simple", "price": float(price),
                "status": 1, "visibility": 4, "weight": weight,
                "extension_attributes": {"category_links": [{"position": 0, "category_id": str(categories[category])}]},
                "custom_attributes": [{"attribute_code": "description", "value": f"<p>{name}.</p>"},
                                      {"attribute_code": "url_key", "value": sku.lower()}]}})
            await _add_image(client, sku, name, counter)
            main, east = _stock(counter)
            source_items += [{"sku": sku, "source_code": "default", "quantity": main, "status": int(main > 0)},
                             {"sku": sku, "source_code": "east", "quantity": east, "status": int(east > 0)}]
        await client.call("POST", "/V1/inventory/source-items", {"sourceItems": source_items})
    finally:
        await client.aclose()
