"""How products look in Get Product and Search Products answers (shapes from TikTok's doc samples)."""

from __future__ import annotations

from typing import Any

from feedbridge_sandbox.tiktok import catalog
from feedbridge_sandbox.tiktok.state import Product, Shop, State


def image_view(base_url: str, state: State, uri: str) -> dict[str, Any]:
    """An image as Get Product shows it (uri, urls, thumb_urls, size)."""
    stored = state.images.get(uri)
    url = f"{base_url}/_sandbox/images/{uri}"
    return {"height": stored.height if stored else 600, "width": stored.width if stored else 600,
            "thumb_urls": [url], "uri": uri, "urls": [url]}


def price_view(sku: dict[str, Any]) -> dict[str, str]:
    """A SKU price as Get Product shows it."""
    price = sku["price"]
    return {"tax_exclusive_price": price["amount"], "sale_price": price.get("sale_price", price["amount"]),
            "currency": price["currency"]}


def sku_view(base_url: str, state: State, sku: dict[str, Any]) -> dict[str, Any]:
    """A SKU as Get Product shows it."""
    attributes = []
    for attr in sku["sales_attributes"]:
        view = {k: attr[k] for k in ("id", "name", "value_id", "value_name")}
        if attr.get("sku_img"):
            view["sku_img"] = image_view(base_url, state, attr["sku_img"]["uri"])
        attributes.append(view)
    out: dict[str, Any] = {
        "id": sku["id"], "seller_sku": sku["seller_sku"], "price": price_view(sku),
        "inventory": [dict(row) for row in sku["inventory"]], "sales_attributes": attributes,
        "external_sku_id": sku["external_sku_id"], "status_info": {"status": sku["status"]},
    }
    if sku["status"] != "NORMAL":
        out["status_info"]["deactivation_source"] = "SELLER"
    if sku.get("identifier_code"):
        out["identifier_code"] = sku["identifier_code"]
    if sku.get("list_price"):
        out["list_price"] = sku["list_price"]
    if sku.get("external_list_prices"):
        out["external_list_prices"] = sku["external_list_prices"]
    return out


def product_status(product: Product) -> str:
    """Get Product's `product_status`, which ignores the audit."""
    if product.status in ("PENDING", "FAILED"):
        return "ACTIVATE" if product.approved_once else "DRAFT"
    return product.status


def product_view(base_url: str, state: State, shop: Shop, product: Product) -> dict[str, Any]:
    """Get Product's `data`."""
    fields = product.fields
    tree = catalog.category_tree(shop.region, product.category_version)
    out: dict[str, Any] = {
        "id": product.id, "status": product.status, "title": fields["title"],
        "category_chains": [c.as_api() for c in reversed(tree.chain(fields["category_id"]))],
        "main_images": [image_view(base_url, state, i["uri"]) for i in fields["main_images"]],
        "description": fields["description"],
        "package_weight": fields["package_weight"],
        "skus": [sku_view(base_url, state, s) for s in product.skus],
        "certifications": fields["certifications"],
        "is_cod_allowed": fields["is_cod_allowed"],
        "product_attributes": fields["product_attributes"],
        "audit_failed_reasons": product.audit_failed_reasons,
        "update_time": product.update_time, "create_time": product.create_time,
        "delivery_options": [{"id": o["id"], "name": o["name"], "is_available": True}
                             for o in catalog.delivery_options(shop.market)],
        "external_product_id": fields["external_product_id"],
        "is_not_for_sale": fields["is_not_for_sale"],
        "minimum_order_quantity": fields["minimum_order_quantity"],
        "audit": {"status": product.audit_status},
        "has_draft": False,
        "product_status": product_status(product),
        "listing_quality_tier": "GOOD",
        "shipping_insurance_requirement": "OPTIONAL",
        "is_pre_owned": False,
    }
    for chain in out["category_chains"]:
        chain.pop("permission_statuses", None)
    if fields["package_dimensions"]:
        out["package_dimensions"] = fields["package_dimensions"]
    if fields["brand_id"]:
        name = state.custom_brands.get(fields["brand_id"]) or next(
            n for i, (n, _, _) in enumerate(catalog.BRANDS) if catalog.brand_id(i) == fields["brand_id"])
        out["brand"] = {"id": fields["brand_id"], "name": name}
    if fields["video"]:
        out["video"] = fields["video"]
    if fields["size_chart"]:
        out["size_chart"] = fields["size_chart"]
    return out


def search_view(product: Product, shop: Shop) -> dict[str, Any]:
    """One row of Search Products (key fields only)."""
    return {
        "id": product.id, "title": product.fields["title"], "status": product.status,
        "skus": [{"id": s["id"], "seller_sku": s["seller_sku"],
                  "price": {"currency": s["price"]["currency"], "tax_exclusive_price": s["price"]["amount"],
                            "sale_price": s["price"].get("sale_price", s["price"]["amount"])},
                  "inventory": [dict(row) for row in s["inventory"]],
                  "status_info": {"status": s["status"]}} for s in product.skus],
        "sales_regions": [shop.region], "create_time": product.create_time, "update_time": product.update_time,
        "is_not_for_sale": product.fields["is_not_for_sale"], "listing_quality_tier": "GOOD",
        "audit": {"status": product.audit_status}, "has_draft": False,
    }
