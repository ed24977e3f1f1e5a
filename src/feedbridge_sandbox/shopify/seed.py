"""Seeds the sandbox from Shopify product-import CSVs, through the sandbox's own Admin GraphQL API over HTTP.

The sample CSVs leave Variant SKU empty; feedbridge needs SKUs to list on TikTok Shop, so the seed derives one
from the handle and option values (e.g. CLASSIC-VARSITY-TOP-SMALL). Stock from the CSV is split over the two
locations (the larger half at the first).
"""

from __future__ import annotations

import asyncio
import csv
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from feedbridge_sandbox.core.media import hosted_image_url
from feedbridge_sandbox.shared import shared_path

API_VERSION = "2026-04"
SAMPLES = shared_path("samples", "shopify")

LOCATIONS = """
query SeedLocations { locations(first: 10) { nodes { id name } } }
"""

PRODUCT_CREATE = """
mutation SeedProductCreate($product: ProductCreateInput!, $media: [CreateMediaInput!]) {
  productCreate(product: $product, media: $media) {
    product { id handle options { id name } }
    userErrors { field message }
  }
}
"""

VARIANTS_CREATE = """
mutation SeedVariantsCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: REMOVE_STANDALONE_VARIANT) {
    productVariants { id sku inventoryItem { id } }
    userErrors { field message code }
  }
}
"""

VARIANTS_UPDATE = """
mutation SeedVariantsUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message code }
  }
}
"""

SET_QUANTITIES = """
mutation SeedSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}
"""

COLLECTION_CREATE = """
mutation SeedCollectionCreate($input: CollectionInput!) {
  collectionCreate(input: $input) {
    collection { id title }
    userErrors { field message }
  }
}
"""

DOCUMENTS = {"LOCATIONS": LOCATIONS, "PRODUCT_CREATE": PRODUCT_CREATE, "VARIANTS_CREATE": VARIANTS_CREATE,
             "VARIANTS_UPDATE": VARIANTS_UPDATE, "SET_QUANTITIES": SET_QUANTITIES,
             "COLLECTION_CREATE": COLLECTION_CREATE}

WEIGHT_UNITS = {"kg": "KILOGRAMS", "g": "GRAMS", "lb": "POUNDS", "oz": "OUNCES"}


class AdminCaller:
    """A minimal Admin GraphQL caller that waits out THROTTLED answers (seeding and test harnesses)."""

    def __init__(self, base_url: str, access_token: str, client: httpx.AsyncClient | None = None) -> None:
        self.url = f"{base_url.rstrip('/')}/admin/api/{API_VERSION}/graphql.json"
        self.headers = {"X-Shopify-Access-Token": access_token, "Content-Type": "application/json"}
        self.client = client or httpx.AsyncClient(timeout=30)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        for _ in range(50):
            response = await self.client.post(self.url, json={"query": query, "variables": variables or {}},
                                              headers=self.headers)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
            if "THROTTLED" in codes:
                status = body["extensions"]["cost"]["throttleStatus"]
                missing = body["extensions"]["cost"]["requestedQueryCost"] - status["currentlyAvailable"]
                await asyncio.sleep(max(0.05, missing / status["restoreRate"]))
                continue
            if body.get("errors"):
                raise RuntimeError(f"Shopify sandbox refused a seed call: {body['errors']}")
            data: dict[str, Any] = body["data"]
            for payload in data.values():
                errors = (payload or {}).get("userErrors") if isinstance(payload, dict) else None
                if errors:
                    raise RuntimeError(f"Shopify sandbox refused a seed call: {errors}")
            return data
        raise RuntimeError("Shopify sandbox kept throttling the seed")

    async def aclose(self) -> None:
        await self.client.aclose()


def read_catalog(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Group CSV rows by handle into products with options, variants and images."""
    products: dict[str, dict[str, Any]] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = row["Handle"].strip()
                if not key:
                    continue
                product = products.get(key)
                if product is None:
                    product = products[key] = {
                        "handle": key, "title": row["Title"].strip(), "body": row.get("Body (HTML)", ""),
                        "vendor": row.get("Vendor", ""), "type": row.get("Type", ""),
                        "tags": [t.strip() for t in row.get("Tags", "").split(",") if t.strip()],
                        "option_names": [row.get(f"Option{i} Name", "").strip() for i in (1, 2, 3)
                                         if row.get(f"Option{i} Name", "").strip()],
                        "variants": [], "images": [],
                    }
                image = row.get("Image Src", "").strip()
                if image and image not in product["images"]:
                    product["images"].append(image)
                values = [row.get(f"Option{i} Value", "").strip() for i in (1, 2, 3)]
                values = [v for v in values if v][: len(product["option_names"])]
                if not values or not row.get("Variant Price", "").strip():
                    continue
                product["variants"].append({
                    "values": values, "sku": row.get("Variant SKU", "").strip(),
                    "price": row["Variant Price"].strip(), "compare_at": row.get("Variant Compare At Price", "").strip(),
                    "qty": int(float(row.get("Variant Inventory Qty") or 0)),
                    "grams": float(row.get("Variant Grams") or 0), "unit": row.get("Variant Weight Unit") or "kg",
                    "barcode": row.get("Variant Barcode", "").strip() or None,
                    "policy": (row.get("Variant Inventory Policy") or "deny").upper(),
                    "image": row.get("Variant Image", "").strip() or None,
                })
    return [p for p in products.values() if p["variants"]]


def derived_sku(handle: str, values: list[str]) -> str:
    parts = [handle] + [v for v in values if v != "Default Title"]
    return re.sub(r"[^A-Z0-9]+", "-", "-".join(parts).upper()).strip("-")


async def seed_catalog(call: AdminCaller, paths: Iterable[Path]) -> int:
    """Create every product in the CSVs through the API; returns how many products were created."""
    locations = [n["id"] for n in (await call(LOCATIONS))["locations"]["nodes"]]
    base_url = call.url.split("/admin/")[0]  # Shopify copies media to its CDN; the sandbox hosts the copies
    by_type: dict[str, list[str]] = {}
    count = 0
    for product in read_catalog(paths):
        names = product["option_names"] or ["Title"]
        option_values: dict[str, list[str]] = {name: [] for name in names}
        for variant in product["variants"]:
            for name, value in zip(names, variant["values"], strict=False):
                if value not in option_values[name]:
                    option_values[name].append(value)
        created = await call(PRODUCT_CREATE, {
            "product": {"title": product["title"], "handle": product["handle"], "descriptionHtml": product["body"],
                        "vendor": product["vendor"], "productType": product["type"], "tags": product["tags"],
                        "status": "ACTIVE",
                        "productOptions": [{"name": name, "values": [{"name": v} for v in option_values[name]]}
                                           for name in names]},
            "media": [{"originalSource": hosted_image_url(base_url, url), "mediaContentType": "IMAGE"}
                      for url in product["images"]],
        })
        product_id = created["productCreate"]["product"]["id"]
        variants_in = []
        for variant in product["variants"]:
            grams = Decimal(str(variant["grams"]))
            unit = WEIGHT_UNITS.get(variant["unit"], "KILOGRAMS")
            value = float(grams / 1000) if unit == "KILOGRAMS" else float(grams)
            entry: dict[str, Any] = {
                "optionValues": [{"optionName": n, "name": v} for n, v in zip(names, variant["values"], strict=False)],
                "price": variant["price"], "inventoryPolicy": variant["policy"], "barcode": variant["barcode"],
                "inventoryItem": {"sku": variant["sku"] or derived_sku(product["handle"], variant["values"]),
                                  "tracked": True,
                                  "measurement": {"weight": {"value": value, "unit": unit}}},
            }
            if variant["compare_at"]:
                entry["compareAtPrice"] = variant["compare_at"]
            if variant["image"]:
                entry["mediaSrc"] = [hosted_image_url(base_url, variant["image"])]
            variants_in.append(entry)
        made = await call(VARIANTS_CREATE, {"productId": product_id, "variants": variants_in})
        quantities = []
        for variant, row in zip(made["productVariantsBulkCreate"]["productVariants"], product["variants"],
                                strict=False):
            first = (row["qty"] + 1) // 2
            for location, quantity in zip(locations, (first, row["qty"] - first), strict=False):
                quantities.append({"inventoryItemId": variant["inventoryItem"]["id"], "locationId": location,
                                   "quantity": quantity})
        if quantities:
            await call(SET_QUANTITIES, {"input": {"name": "available", "reason": "correction",
                                                  "quantities": quantities}, "key": str(uuid.uuid4())})
        if product["type"]:
            by_type.setdefault(product["type"], []).append(product_id)
        count += 1
    for title, product_ids in sorted(by_type.items()):
        await call(COLLECTION_CREATE, {"input": {"title": title, "products": product_ids}})
    return count


def default_csvs() -> list[Path]:
    """The sample catalogs: a `samples/shopify` folder above this file, else the shared samples."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "samples" / "shopify"
        if candidate.is_dir():
            return sorted(candidate.glob("*.csv"))
    bundled = Path(__file__).with_name("data")
    if list(bundled.glob("*.csv")):
        return sorted(bundled.glob("*.csv"))
    return sorted(SAMPLES.glob("*.csv"))
