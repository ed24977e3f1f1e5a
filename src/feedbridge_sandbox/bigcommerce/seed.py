"""Seeds the BigCommerce sandbox from the Shopify sample CSVs, through the sandbox's own v3 API over HTTP.

Each CSV becomes a root category ("Apparel", "Home And Garden") with a sub-category per product type or
first tag; every product is created with its images and price, then its option variants one by one (the
order the published OpenAPI files allow), then its stock is split between
the store's first two locations with absolute inventory adjustments.
"""

from __future__ import annotations

import asyncio
import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from feedbridge_sandbox.core.media import hosted_image_url
from feedbridge_sandbox.shared import shared_path

# The sample catalogs are third-party data with no stated licence: read from shared/, never packaged.
DATA = shared_path("samples", "shopify")
CATALOGS = ("apparel.csv", "home-and-garden.csv")


@dataclass
class SeedVariant:
    sku: str
    price: Decimal
    compare_at: Decimal | None
    quantity: int
    grams: int
    options: dict[str, str]
    image: str = ""


@dataclass
class SeedProduct:
    handle: str
    title: str
    body_html: str
    vendor: str
    category: str
    tags: list[str]
    option_names: list[str]
    variants: list[SeedVariant] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def _sku(handle: str, options: dict[str, str]) -> str:
    parts = [handle, *[v for v in options.values() if v != "Default Title"]]
    return re.sub(r"[^A-Z0-9]+", "-", "-".join(parts).upper()).strip("-")


def read_catalog(path: Path) -> list[SeedProduct]:
    """Parse one Shopify product-import CSV (rows after a product's first only add variants and images)."""
    products: dict[str, SeedProduct] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = row["Handle"].strip()
            product = products.get(key)
            if product is None:
                names = [row.get(f"Option{i} Name", "").strip() for i in (1, 2, 3)]
                tags = [t.strip() for t in row.get("Tags", "").split(",") if t.strip()]
                product = SeedProduct(
                    handle=key, title=row["Title"].strip(), body_html=row.get("Body (HTML)", "").strip(),
                    vendor=row.get("Vendor", "").strip(),
                    category=(row.get("Type") or (tags[0] if tags else "Other")).strip().title(), tags=tags,
                    option_names=[n for n in names if n and n != "Title"],
                )
                products[key] = product
            if row.get("Image Src") and row["Image Src"] not in product.images:
                product.images.append(row["Image Src"].strip())
            values = [row.get(f"Option{i} Value", "").strip() for i in (1, 2, 3)]
            if not any(values) or not row.get("Variant Price"):
                continue
            options = dict(zip(product.option_names, [v for v in values if v], strict=False))
            compare = row.get("Variant Compare At Price", "").strip()
            product.variants.append(SeedVariant(
                sku=row.get("Variant SKU", "").strip() or _sku(key, options),
                price=Decimal(row["Variant Price"]), compare_at=Decimal(compare) if compare else None,
                quantity=int(row.get("Variant Inventory Qty") or 0) or 7,
                grams=int(row.get("Variant Grams") or 0), options=options,
                image=row.get("Variant Image", "").strip(),
            ))
    return list(products.values())


def product_body(product: SeedProduct, category_id: int, base_url: str = "") -> dict[str, Any]:
    """The POST /v3/catalog/products body for one sample product (images as the store's CDN copies)."""
    first = product.variants[0]
    body: dict[str, Any] = {
        "name": product.title, "type": "physical", "description": product.body_html,
        "weight": round(first.grams / 453.59237, 2) or 1, "price": float(first.price),
        "categories": [category_id], "is_visible": True, "inventory_tracking": "variant",
        "search_keywords": ", ".join(product.tags), "brand_name": product.vendor,
        "images": [{"image_url": hosted_image_url(base_url, url) if base_url else url, "is_thumbnail": i == 0}
                   for i, url in enumerate(product.images)],
    }
    if first.compare_at:
        body["retail_price"] = float(first.compare_at)
    if not product.option_names:
        body["sku"] = first.sku
    return body


def variant_bodies(product: SeedProduct) -> list[dict[str, Any]]:
    """POST /v3/catalog/products/{id}/variants bodies for a product with options (none without)."""
    if not product.option_names:
        return []
    return [
        {"sku": v.sku, "price": float(v.price), **({"retail_price": float(v.compare_at)} if v.compare_at else {}),
         "option_values": [{"option_display_name": k, "label": val} for k, val in v.options.items()]}
        for v in product.variants
    ]


async def _send(http: httpx.AsyncClient, method: str, url: str, body: Any = None) -> httpx.Response:
    """One call that waits out the store's quota on a 429, as any well-behaved client does."""
    for _ in range(50):
        answer = await http.request(method, url, json=body)
        if answer.status_code != 429:
            answer.raise_for_status()
            return answer
        await asyncio.sleep(int(answer.headers.get("x-rate-limit-time-reset-ms", "1000")) / 1000)
    raise RuntimeError(f"the sandbox kept refusing {method} {url} with 429")


async def seed_catalog(base_url: str, store_hash: str, access_token: str) -> int:
    """Create the sample catalog through the v3 API; returns how many products were created."""
    prefix = f"{base_url.rstrip('/')}/stores/{store_hash}/v3"
    created = 0
    async with httpx.AsyncClient(headers={"X-Auth-Token": access_token, "Accept": "application/json"},
                                 timeout=30) as http:
        locations = (await _send(http, "GET", f"{prefix}/inventory/locations")).json()["data"]
        location_ids = [loc["id"] for loc in locations][:2]
        for filename in CATALOGS:
            catalog = read_catalog(DATA / filename)
            root_name = Path(filename).stem.replace("-", " ").title()
            root = (await _send(http, "POST", f"{prefix}/catalog/trees/categories",
                                [{"name": root_name, "parent_id": 0, "tree_id": 1}])).json()
            root_id = root["data"][0]["category_id"]
            sub_ids: dict[str, int] = {}
            for product in catalog:
                if product.category not in sub_ids:
                    sub = (await _send(http, "POST", f"{prefix}/catalog/trees/categories", [
                        {"name": product.category, "parent_id": root_id, "tree_id": 1}])).json()
                    sub_ids[product.category] = sub["data"][0]["category_id"]
                answer = await _send(http, "POST", f"{prefix}/catalog/products",
                                     product_body(product, sub_ids[product.category], base_url))
                data = answer.json()["data"]
                created += 1
                variants = data["variants"]
                if product.option_names:
                    variants = []
                    for body in variant_bodies(product):
                        made = await _send(http, "POST", f"{prefix}/catalog/products/{data['id']}/variants", body)
                        variants.append(made.json()["data"])
                items = []
                for variant, seed in zip(variants, product.variants, strict=False):
                    first = (seed.quantity + 1) // 2
                    split = [first, seed.quantity - first] if len(location_ids) > 1 else [seed.quantity]
                    items += [{"location_id": lid, "variant_id": variant["id"], "quantity": qty}
                              for lid, qty in zip(location_ids, split, strict=False)]
                await _send(http, "PUT", f"{prefix}/inventory/adjustments/absolute",
                            {"reason": "sandbox seed", "items": items})
    return created
