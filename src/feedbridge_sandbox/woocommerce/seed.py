"""Loads WooCommerce's sample catalog (sample_products.csv) into a sandbox through its own REST API.

Simple, downloadable and external products become simple/external products, variable products get their
variations, and the grouped product is created last with its children. The CSV has no stock figures, so the
sandbox gives each sellable SKU a managed stock (a deterministic number) for the demo to have something to sell.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import httpx

from feedbridge_sandbox.core.media import hosted_image_url
from feedbridge_sandbox.shared import shared_path

# Used only when WooCommerce's sample catalog is not on this machine: a few products in the same CSV format.
FALLBACK_CSV = """ID,Type,SKU,Name,Published,Description,Regular price,Sale price,Categories,Images,Parent,Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,Weight (lbs)
1,variable,fb-tee,Feedbridge Tee,1,<p>A soft cotton tee.</p>,,,Clothing > Tshirts,https://example.com/tee.jpg,,Size,"Small, Large",1,.5
2,variation,fb-tee-small,Feedbridge Tee - Small,1,,18,,,,fb-tee,Size,Small,,
3,variation,fb-tee-large,Feedbridge Tee - Large,1,,18,16,,,fb-tee,Size,Large,,
4,simple,fb-cap,Feedbridge Cap,1,<p>A cap.</p>,20,,Clothing > Accessories,https://example.com/cap.jpg,,,,,.2
5,simple,fb-mug,Feedbridge Mug,1,<p>A mug.</p>,12,,Decor,https://example.com/mug.jpg,,,,,.8
"""


def sample_csv_path() -> Path | None:
    """WooCommerce's sample catalog: $FEEDBRIDGE_WOO_SAMPLE_CSV, a bundled copy, else the shared workspace copy."""
    candidates = [os.environ.get("FEEDBRIDGE_WOO_SAMPLE_CSV", ""),
                  str(Path(__file__).resolve().parent.parent / "data" / "woocommerce_sample_products.csv"),
                  str(shared_path("samples", "woocommerce", "sample_products.csv"))]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def read_rows(text: str) -> list[dict[str, str]]:
    """CSV rows as dicts."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _stock_for(sku: str) -> int:
    return 5 + sum(ord(c) for c in sku) % 40


def _images(row: dict[str, str], base_url: str = "") -> list[dict[str, str]]:
    """The row's images, as the store's media library copies them (hosted by the sandbox at `base_url`)."""
    urls = [src.strip() for src in row.get("Images", "").split(",") if src.strip()]
    return [{"src": hosted_image_url(base_url, url) if base_url else url} for url in urls]


def _attributes(row: dict[str, str], *, variation: bool) -> list[dict[str, Any]]:
    out = []
    for n in (1, 2):
        name = row.get(f"Attribute {n} name", "")
        if not name:
            continue
        values = [v.strip() for v in row.get(f"Attribute {n} value(s)", "").split(",") if v.strip()]
        out.append({"name": name, "visible": row.get(f"Attribute {n} visible") == "1", "variation": variation,
                    "options": values})
    return out


class Seeder:
    """Creates the catalog over HTTP with Basic auth."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.categories: dict[tuple[str, ...], int] = {}

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to wc/v3 and return the created object."""
        response = await self.client.post(f"/wp-json/wc/v3/{path}", json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def category(self, path: tuple[str, ...]) -> int:
        """The id of a category path, created on first use."""
        if path in self.categories:
            return self.categories[path]
        parent = await self.category(path[:-1]) if len(path) > 1 else 0
        created = await self.post("products/categories", {"name": path[-1], "parent": parent})
        self.categories[path] = int(created["id"])
        return self.categories[path]

    async def categories_of(self, row: dict[str, str]) -> list[dict[str, int]]:
        """Category references for a CSV row."""
        out = []
        for entry in row.get("Categories", "").split(","):
            path = tuple(p.strip() for p in entry.split(">") if p.strip())
            if path:
                out.append({"id": await self.category(path)})
        return out

    def base(self, row: dict[str, str]) -> dict[str, Any]:
        """Fields every product type shares."""
        return {
            "name": row["Name"], "sku": row["SKU"], "status": "publish" if row.get("Published") == "1" else "draft",
            "featured": row.get("Is featured?") == "1", "catalog_visibility": row.get("Visibility in catalog") or "visible",
            "description": row.get("Description", ""), "short_description": row.get("Short description", ""),
            "weight": row.get("Weight (lbs)", ""),
            "dimensions": {"length": row.get("Length (in)", ""), "width": row.get("Width (in)", ""),
                           "height": row.get("Height (in)", "")},
            "regular_price": row.get("Regular price", ""), "sale_price": row.get("Sale price", ""),
        }

    async def load(self, rows: list[dict[str, str]]) -> dict[str, int]:
        """Create every row; returns SKU -> id."""
        ids: dict[str, int] = {}
        variations: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            if row["Type"] == "variation":
                variations.setdefault(row["Parent"], []).append(row)
        for row in rows:
            kinds = {k.strip() for k in row["Type"].split(",")}
            if "variation" in kinds or "grouped" in kinds:
                continue
            body = self.base(row)
            body["categories"] = await self.categories_of(row)
            body["images"] = _images(row, str(self.client.base_url))
            if "variable" in kinds:
                body.update(type="variable", regular_price="", sale_price="",
                            attributes=_attributes(row, variation=True))
            elif "external" in kinds:
                body.update(type="external", external_url=row.get("External URL", ""),
                            button_text=row.get("Button text", ""))
            else:
                body.update(type="simple", virtual="virtual" in kinds, downloadable="downloadable" in kinds,
                            attributes=_attributes(row, variation=False), manage_stock=True,
                            stock_quantity=_stock_for(row["SKU"]))
            created = await self.post("products", body)
            ids[row["SKU"]] = int(created["id"])
            for var in variations.get(row["SKU"], []) if "variable" in kinds else []:
                await self.post(f"products/{created['id']}/variations", {
                    "sku": var["SKU"], "regular_price": var.get("Regular price", ""),
                    "sale_price": var.get("Sale price", ""), "manage_stock": True,
                    "stock_quantity": _stock_for(var["SKU"]),
                    "image": ({"src": _images(var, str(self.client.base_url))[0]["src"]} if _images(var) else None),
                    "attributes": [{"name": var[f"Attribute {n} name"], "option": var.get(f"Attribute {n} value(s)", "")}
                                   for n in (1, 2) if var.get(f"Attribute {n} name")],
                })
        for row in rows:
            if row["Type"].strip() == "grouped":
                body = self.base(row)
                body.update(type="grouped", categories=await self.categories_of(row), images=_images(row, str(self.client.base_url)),
                            grouped_products=[ids[s.strip()] for s in row.get("Grouped products", "").split(",")
                                              if s.strip() in ids])
                created = await self.post("products", body)
                ids[row["SKU"]] = int(created["id"])
        return ids


async def seed_catalog(base_url: str, consumer_key: str, consumer_secret: str, csv_text: str | None = None) -> dict[str, int]:
    """Create the sample catalog in the sandbox at `base_url`; returns SKU → product id."""
    if csv_text is None:
        path = sample_csv_path()
        csv_text = path.read_text(encoding="utf-8") if path else FALLBACK_CSV
    async with httpx.AsyncClient(base_url=base_url, auth=(consumer_key, consumer_secret), timeout=30) as client:
        return await Seeder(client).load(read_rows(csv_text))
