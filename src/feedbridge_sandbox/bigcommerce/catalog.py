"""v3 catalog routes of the BigCommerce sandbox: products, variants, images, categories and category trees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.bigcommerce.app import BigCommerceSandbox, api, body_of
from feedbridge_sandbox.bigcommerce.shapes import (
    PRODUCT_DEFAULTS,
    VARIANT_DEFAULTS,
    defaults,
    id_list,
    listing,
)
from feedbridge_sandbox.bigcommerce.state import ApiError

V3 = "/stores/{store_hash}/v3"
PRODUCT_FIELDS = set(PRODUCT_DEFAULTS) | {"name", "brand_name", "custom_url"}
VARIANT_FIELDS = set(VARIANT_DEFAULTS) - {"option_values"}


def _parse_time(value: str) -> datetime:
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise ApiError(422, "The filter date is not valid.", {"date_modified:min": "not a date"}) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(422, "JSON data is missing or invalid", {field: f"{field} must be a number"})
    return float(value) if isinstance(value, float) else value


def catalog_routes(sb: BigCommerceSandbox) -> list[Route]:
    """Routes for /v3/catalog/..."""
    st = sb.state

    def render_variant(v: dict[str, Any]) -> dict[str, Any]:
        product = st.products[v["product_id"]]
        out = dict(v)
        price = v["price"] if v["price"] is not None else product["price"]
        sale = v["sale_price"] if v["sale_price"] is not None else product["sale_price"]
        out["calculated_price"] = sale if sale and sale < price else price
        out["calculated_weight"] = v["weight"] if v["weight"] is not None else product["weight"]
        out["inventory_level"] = st.variant_stock(v["id"])
        out["option_values"] = [dict(ov) for ov in v["option_values"]]
        return out

    def render_product(p: dict[str, Any], include: set[str]) -> dict[str, Any]:
        out = dict(p)
        variants = st.product_variants(p["id"])
        out["inventory_level"] = sum(st.variant_stock(v["id"]) for v in variants)
        out["calculated_price"] = p["sale_price"] if p["sale_price"] and p["sale_price"] < p["price"] else p["price"]
        if len(variants) == 1 and not variants[0]["option_values"]:
            out["base_variant_id"] = variants[0]["id"]  # only products without options have a base variant
        if "variants" in include:
            out["variants"] = [render_variant(v) for v in variants]
        if "images" in include:
            out["images"] = [dict(i) for i in sorted(st.images.values(), key=lambda i: i["id"])
                             if i["product_id"] == p["id"]]
        if "options" in include:
            out["options"] = st.options.get(p["id"], [])
        return out

    def option_values_for(product_id: int, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        options = st.options.setdefault(product_id, [])
        out = []
        for value in values:
            name = str(value.get("option_display_name") or "")
            label = str(value.get("label") or "")
            if not name or not label:
                raise ApiError(422, "JSON data is missing or invalid",
                               {"option_values": "option_display_name and label are required"})
            option = next((o for o in options if o["display_name"] == name), None)
            if option is None:
                option = {"id": st.next_id("option"), "product_id": product_id, "display_name": name,
                          "type": "rectangles", "sort_order": len(options), "option_values": []}
                options.append(option)
            entry = next((e for e in option["option_values"] if e["label"] == label), None)
            if entry is None:
                entry = {"id": st.next_id("option_value"), "label": label,
                         "sort_order": len(option["option_values"]), "value_data": {}, "is_default": False}
                option["option_values"].append(entry)
            out.append({"id": entry["id"], "label": label, "option_id": option["id"],
                        "option_display_name": name})
        return out

    def add_variant(product_id: int, data: dict[str, Any]) -> dict[str, Any]:
        sku = str(data.get("sku") or "")
        if st.sku_taken(sku):
            raise ApiError(409, f"Sku {sku} is not unique.", {"sku": "SKU must be unique"})
        vid = st.next_id("variant")
        variant = defaults(VARIANT_DEFAULTS)
        for key in VARIANT_FIELDS & set(data):
            variant[key] = data[key]
        variant.update({"id": vid, "product_id": product_id, "sku": sku, "sku_id": vid + 1000,
                        "option_values": option_values_for(product_id, data.get("option_values") or [])})
        st.variants[vid] = variant
        level = data.get("inventory_level")
        if level is not None:
            st.stock[(vid, min(st.locations))] = int(level)
        return variant

    def add_image(product_id: int, data: dict[str, Any]) -> dict[str, Any]:
        url = str(data.get("image_url") or "")
        if not url:
            raise ApiError(422, "JSON data is missing or invalid", {"image_url": "image_url is required"})
        iid = st.next_id("image")
        image = {"id": iid, "product_id": product_id, "is_thumbnail": bool(data.get("is_thumbnail", False)),
                 "sort_order": int(data.get("sort_order", 0)), "description": str(data.get("description", "")),
                 "image_file": url.rsplit("/", 1)[-1], "url_zoom": url, "url_standard": url,
                 "url_thumbnail": url, "url_tiny": url, "date_modified": st.now_iso()}
        st.images[iid] = image
        return image

    @api
    async def list_products(request: Request) -> Response:
        q = request.query_params
        include = set(filter(None, q.get("include", "").split(",")))
        rows = list(st.products.values())
        ids = id_list(q.get("id:in"))
        if ids is not None:
            rows = [p for p in rows if p["id"] in ids]
        if q.get("date_modified:min"):
            since = _parse_time(q["date_modified:min"])
            rows = [p for p in rows if datetime.fromisoformat(p["date_modified"]) >= since]
        if q.get("sku"):
            skus = {v["product_id"] for v in st.variants.values() if v["sku"] == q["sku"]}
            rows = [p for p in rows if p["id"] in skus or p["sku"] == q["sku"]]
        key = q.get("sort", "id")
        if key not in ("id", "name", "sku", "price", "date_modified"):
            raise ApiError(422, "The sort field is not valid.", {"sort": key})
        rows.sort(key=lambda p: (p[key], p["id"]), reverse=q.get("direction") == "desc")
        rendered = [render_product(p, include) for p in rows]
        fields = set(filter(None, q.get("include_fields", "").split(",")))
        if fields:
            keep = fields | {"id"} | include
            rendered = [{k: v for k, v in p.items() if k in keep} for p in rendered]
        return listing(rendered, request)

    @api
    async def create_product(request: Request) -> Response:
        data = await body_of(request)
        if not isinstance(data, dict):
            raise ApiError(422, "JSON data is missing or invalid", {"body": "must be an object"})
        missing = {k: f"{k} is required" for k in ("name", "type", "weight", "price") if k not in data}
        if missing:
            raise ApiError(422, "JSON data is missing or invalid", missing)
        _number(data["price"], "price")
        _number(data["weight"], "weight")
        if any(p["name"] == data["name"] for p in st.products.values()):
            raise ApiError(409, f"The product name \"{data['name']}\" is a duplicate.",
                           {"name": "Product name must be unique"})
        pid = st.next_id("product")
        product = defaults(PRODUCT_DEFAULTS)
        for key in PRODUCT_FIELDS & set(data):
            product[key] = data[key]
        now = st.now_iso()
        slug = "".join(c if c.isalnum() else "-" for c in str(data["name"]).lower()).strip("-")
        product.update({"id": pid, "name": str(data["name"]), "date_created": now, "date_modified": now,
                        "custom_url": {"url": f"/{slug}/", "is_customized": False}})
        product.pop("brand_name", None)
        st.products[pid] = product
        try:
            variants = data.get("variants") or [{"sku": product["sku"],
                                                 "inventory_level": data.get("inventory_level")}]
            for v in variants:
                add_variant(pid, v)
            for image in data.get("images") or []:
                add_image(pid, image)
        except ApiError:
            for v in st.product_variants(pid):
                del st.variants[v["id"]]
            del st.products[pid]
            raise
        sb.emit("store/product/created", {"type": "product", "id": pid})
        return JSONResponse({"data": render_product(product, {"variants", "images"}), "meta": {}})

    @api
    async def get_product(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        include = set(filter(None, request.query_params.get("include", "").split(",")))
        return JSONResponse({"data": render_product(product, include), "meta": {}})

    @api
    async def update_product(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        data = await body_of(request)
        for key in PRODUCT_FIELDS & set(data):
            if key in ("price", "weight", "sale_price", "retail_price"):
                _number(data[key], key)
            product[key] = data[key]
        product.pop("brand_name", None)
        st.touch(product["id"])
        sb.emit("store/product/updated", {"type": "product", "id": product["id"]})
        return JSONResponse({"data": render_product(product, set()), "meta": {}})

    @api
    async def delete_product(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        pid = product["id"]
        for v in st.product_variants(pid):
            del st.variants[v["id"]]
            for key in [k for k in st.stock if k[0] == v["id"]]:
                del st.stock[key]
        for iid in [i for i, img in st.images.items() if img["product_id"] == pid]:
            del st.images[iid]
        del st.products[pid]
        sb.emit("store/product/deleted", {"type": "product", "id": pid})
        return Response(status_code=204)

    @api
    async def list_variants(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        return listing([render_variant(v) for v in st.product_variants(product["id"])], request)

    @api
    async def create_variant(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        data = await body_of(request)
        if st.sku_taken(str(data.get("sku") or "")):
            raise ApiError(409, f"Sku {data['sku']} is not unique.", {"sku": "SKU must be unique"})
        existing = st.product_variants(product["id"])
        base = existing[0] if len(existing) == 1 and not existing[0]["option_values"] else None
        if base is not None and data.get("option_values"):
            # the first option variant replaces the product's base variant, as in the real catalog
            del st.variants[base["id"]]
            for key in [k for k in st.stock if k[0] == base["id"]]:
                del st.stock[key]
        variant = add_variant(product["id"], data)
        st.touch(product["id"])
        sb.emit("store/sku/created", {"type": "sku", "id": variant["sku_id"],
                                      "sku": {"product_id": product["id"], "variant_id": variant["id"]}})
        return JSONResponse({"data": render_variant(variant), "meta": {}})

    def find_variant(request: Request) -> dict[str, Any]:
        product = st.product(int(request.path_params["product_id"]))
        variant = st.variants.get(int(request.path_params["variant_id"]))
        if variant is None or variant["product_id"] != product["id"]:
            raise ApiError(404, "The requested variant was not found.")
        return variant

    @api
    async def get_variant(request: Request) -> Response:
        return JSONResponse({"data": render_variant(find_variant(request)), "meta": {}})

    @api
    async def update_variant(request: Request) -> Response:
        variant = find_variant(request)
        data = await body_of(request)
        if "sku" in data and st.sku_taken(str(data["sku"]), except_variant=variant["id"]):
            raise ApiError(409, f"Sku {data['sku']} is not unique.", {"sku": "SKU must be unique"})
        for key in VARIANT_FIELDS & set(data):
            if key in ("price", "sale_price", "retail_price", "weight") and data[key] is not None:
                _number(data[key], key)
            variant[key] = data[key]
        if data.get("inventory_level") is not None:
            st.stock[(variant["id"], min(st.locations))] = int(data["inventory_level"])
        st.touch(variant["product_id"])
        sb.emit("store/sku/updated", {"type": "sku", "id": variant["sku_id"],
                                      "sku": {"product_id": variant["product_id"], "variant_id": variant["id"]}})
        return JSONResponse({"data": render_variant(variant), "meta": {}})

    @api
    async def list_images(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        return listing([dict(i) for i in st.images.values() if i["product_id"] == product["id"]], request)

    @api
    async def create_image(request: Request) -> Response:
        product = st.product(int(request.path_params["product_id"]))
        image = add_image(product["id"], await body_of(request))
        st.touch(product["id"])
        return JSONResponse({"data": image, "meta": {}})

    def render_category(c: dict[str, Any]) -> dict[str, Any]:
        return dict(c)

    @api
    async def list_tree_categories(request: Request) -> Response:
        rows = sorted(st.categories.values(), key=lambda c: c["category_id"])
        parents = id_list(request.query_params.get("parent_id:in"))
        if parents is not None:
            rows = [c for c in rows if c["parent_id"] in parents]
        return listing([render_category(c) for c in rows], request, default_limit=50)

    @api
    async def create_tree_categories(request: Request) -> Response:
        data = await body_of(request)
        if not isinstance(data, list) or not data:
            raise ApiError(422, "JSON data is missing or invalid", {"body": "must be a list of categories"})
        created = []
        for row in data:
            name = str(row.get("name") or "")
            parent = int(row.get("parent_id") or 0)
            if not name:
                raise ApiError(422, "JSON data is missing or invalid", {"name": "name is required"})
            if parent and parent not in st.categories:
                raise ApiError(422, "The parent category does not exist.", {"parent_id": str(parent)})
            cid = st.next_id("category")
            category = {"category_id": cid, "parent_id": parent, "tree_id": int(row.get("tree_id") or 1),
                        "name": name, "description": "", "views": 0, "sort_order": 0, "page_title": "",
                        "meta_keywords": [], "meta_description": "", "layout_file": "category.html",
                        "image_url": "", "is_visible": bool(row.get("is_visible", True)), "search_keywords": "",
                        "default_product_sort": "use_store_settings",
                        "url": {"path": f"/{name.lower().replace(' ', '-')}/", "is_customized": False}}
            st.categories[cid] = category
            created.append(render_category(category))
            sb.emit("store/category/created", {"type": "category", "id": cid})
        return JSONResponse({"data": created, "meta": {}}, status_code=201)

    @api
    async def list_trees(request: Request) -> Response:
        return JSONResponse({"data": [{"id": 1, "name": "Default tree", "channels": [1]}], "meta": {}})

    return [
        Route(V3 + "/catalog/products", list_products, methods=["GET"]),
        Route(V3 + "/catalog/products", create_product, methods=["POST"]),
        Route(V3 + "/catalog/products/{product_id:int}", get_product, methods=["GET"]),
        Route(V3 + "/catalog/products/{product_id:int}", update_product, methods=["PUT"]),
        Route(V3 + "/catalog/products/{product_id:int}", delete_product, methods=["DELETE"]),
        Route(V3 + "/catalog/products/{product_id:int}/variants", list_variants, methods=["GET"]),
        Route(V3 + "/catalog/products/{product_id:int}/variants", create_variant, methods=["POST"]),
        Route(V3 + "/catalog/products/{product_id:int}/variants/{variant_id:int}", get_variant, methods=["GET"]),
        Route(V3 + "/catalog/products/{product_id:int}/variants/{variant_id:int}", update_variant,
              methods=["PUT"]),
        Route(V3 + "/catalog/products/{product_id:int}/images", list_images, methods=["GET"]),
        Route(V3 + "/catalog/products/{product_id:int}/images", create_image, methods=["POST"]),
        Route(V3 + "/catalog/trees/categories", list_tree_categories, methods=["GET"]),
        Route(V3 + "/catalog/trees/categories", create_tree_categories, methods=["POST"]),
        Route(V3 + "/catalog/trees", list_trees, methods=["GET"]),
    ]
