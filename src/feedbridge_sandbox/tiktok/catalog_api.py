"""Catalog prerequisite endpoints: categories, rules, attributes, recommend, brands, warehouses, delivery
options, shipping providers, image upload, listing prerequisites."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.datastructures import UploadFile

from feedbridge_sandbox.tiktok import catalog
from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog import Category, CategoryTree
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.images import image_size
from feedbridge_sandbox.tiktok.regions import Region
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Image, Shop

CATEGORY_NOT_FOUND = 12052023
NOT_LEAF = 12052024
WRONG_VERSION = 12052217
NO_MATCH = 12019064
PAGE_SIZE_INVALID = 12019109
VERSION_MESSAGE = ("Incorrect category version. For US shops or global sellers with an active US shop, specify "
                   "'category version=v2'. For shops in other regions specify 'category_version=v1'.")

WAREHOUSE_ADDRESSES: dict[str, dict[str, str]] = {
    "US": {"region": "United States", "state": "California", "city": "San Jose", "postal_code": "95110",
           "full_address": "1199 Coleman Ave, San Jose, CA 95110", "phone_number": "(+1)408-***-0100"},
    "GB": {"region": "United Kingdom", "state": "England", "city": "Manchester", "postal_code": "M1 1AE",
           "full_address": "10 Piccadilly, Manchester M1 1AE", "phone_number": "(+44)161-***-0100"},
    "SG": {"region": "Singapore", "state": "Singapore", "city": "Singapore", "postal_code": "018956",
           "full_address": "1 Marina Blvd, Singapore 018956", "phone_number": "(+65)6***-0100"},
    "VN": {"region": "Vietnam", "state": "Ho Chi Minh", "city": "District 1", "postal_code": "700000",
           "full_address": "12 Nguyen Hue, District 1, Ho Chi Minh City", "phone_number": "(+84)28-***-0100"},
    "TH": {"region": "Thailand", "state": "Bangkok", "city": "Pathum Wan", "postal_code": "10330",
           "full_address": "999 Rama I Rd, Pathum Wan, Bangkok 10330", "phone_number": "(+66)2-***-0100"},
    "MY": {"region": "Malaysia", "state": "Kuala Lumpur", "city": "Kuala Lumpur", "postal_code": "50088",
           "full_address": "1 Jalan Sultan Ismail, 50088 Kuala Lumpur", "phone_number": "(+60)3-***-0100"},
    "ID": {"region": "Indonesia", "state": "DKI Jakarta", "city": "Jakarta Pusat", "postal_code": "10310",
           "full_address": "Jl. M.H. Thamrin No.1, Jakarta Pusat 10310", "phone_number": "(+62)21-***-0100"},
    "PH": {"region": "Philippines", "state": "Metro Manila", "city": "Makati", "postal_code": "1226",
           "full_address": "6750 Ayala Ave, Makati, Metro Manila 1226", "phone_number": "(+63)2-***-0100"},
    "CN": {"region": "China", "state": "Guangdong", "city": "Guangzhou", "postal_code": "510000",
           "full_address": "South Sea Road 11, Huadu, Guangzhou", "phone_number": "(+86)188-***-2234"},
}


def version_of(ctx: Ctx, region: Region, body: dict[str, Any] | None = None) -> str:
    """The category version a request asks for; US must ask for v2, every other market for v1."""
    source = body if body is not None else ctx.query
    version = str(source.get("category_version") or "v1")
    if version not in ("v1", "v2") or version != region.category_version:
        raise ApiError(WRONG_VERSION, VERSION_MESSAGE)
    return version


def shop_tree(ctx: Ctx, body: dict[str, Any] | None = None) -> tuple[Shop, CategoryTree]:
    """The request's shop and the category tree its version asks for."""
    shop = ctx.need_shop()
    version = version_of(ctx, shop.market, body)
    return shop, catalog.category_tree(shop.region, version)


def leaf(tree: CategoryTree, category_id: str) -> Category:
    """A leaf category of the tree, or TikTok's error for a missing / non-leaf / other-version id."""
    category = tree.by_id.get(str(category_id))
    if category is None:
        other = catalog.find_category(str(category_id))
        if other is not None:
            raise ApiError(12052230, "The specified category ID is not a leaf category, or it does not belong "
                                     "to the specified category version.")
        raise ApiError(CATEGORY_NOT_FOUND, "Category does not exist")
    if not category.is_leaf:
        raise ApiError(NOT_LEAF, "Category is not final category")
    return category


async def get_categories(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories."""
    _, tree = shop_tree(ctx)
    keyword = ctx.query.get("keyword", "").lower()
    include_prohibited = ctx.query.get("include_prohibited_categories", "false").lower() == "true"
    out = []
    for category in tree.categories:
        if "PROHIBITED" in category.permission_statuses and not include_prohibited:
            continue
        if keyword and keyword not in category.local_name.lower():
            continue
        out.append(category.as_api())
    return {"categories": out}


async def get_rules(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories/{category_id}/rules."""
    shop, tree = shop_tree(ctx)
    category = leaf(tree, ctx.path_params["category_id"])
    if "PROHIBITED" in category.permission_statuses:
        raise ApiError(12052220, "This category is prohibited or unsupported on TikTok Shop. Select another "
                                 "category.")
    return catalog.rules_for(category, shop.market).as_api()


async def get_attributes(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories/{category_id}/attributes."""
    _, tree = shop_tree(ctx)
    category = leaf(tree, ctx.path_params["category_id"])
    return {"attributes": [a.as_api() for a in catalog.attributes_for(category)]}


async def recommend_category(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/categories/recommend."""
    body = ctx.body()
    title = str(body.get("product_title") or "")
    if not title.strip():
        raise ApiError(12052261, "product name is empty")
    if len(title) > 255:
        raise ApiError(12052051, "The product name exceed max limit characters")
    _, tree = shop_tree(ctx, body)
    found = catalog.recommend(tree, title)
    if found is None:
        raise ApiError(NO_MATCH, "No matching categories. Provide the full name of your product, edit its "
                                 "product properties, and try again.")
    chain = list(reversed(tree.chain(found.id)))
    return {"leaf_category_id": found.id, "categories": [
        {"id": c.id, "name": c.local_name, "level": c.level, "is_leaf": c.is_leaf,
         "permission_statuses": list(c.permission_statuses)} for c in chain]}


def page_window(ctx: Ctx, *, default: int, low: int, high: int, required: bool = True) -> tuple[int, int]:
    """(offset, page_size) from page_size / page_token; TikTok's tokens are opaque, ours encode an offset."""
    raw = ctx.query.get("page_size", "")
    if not raw and not required:
        raw = str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(PAGE_SIZE_INVALID, f"page size is invalid: page_size must be between {low} and {high}")
    return decode_token(ctx.query.get("page_token", "")), int(raw)


def encode_token(offset: int) -> str:
    """A page token for an offset (TikTok's tokens are opaque base64 strings too)."""
    import base64
    return base64.b64encode(f"offset={offset}".encode()).decode()


def decode_token(token: str) -> int:
    """The offset in a page token; a token we did not issue is a parameter error."""
    import base64
    if not token:
        return 0
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
        key, _, value = text.partition("=")
        if key != "offset" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except ValueError as exc:
        raise ApiError(12052910, "Invalid input parameters: page_token is not valid.") from exc


TIME_FILTERS = ("create_time_ge", "create_time_lt", "create_time_le", "update_time_ge", "update_time_lt",
                "update_time_le")


def check_time_filters(body: dict[str, Any], code: int) -> None:
    """Time-range filters must be Unix seconds (integers); TikTok answers `code` otherwise."""
    for key in TIME_FILTERS:
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApiError(code, f"Invalid parameters: {key} must be a Unix timestamp in seconds, got {value!r}.")


def page(items: list[Any], offset: int, size: int) -> tuple[list[Any], str]:
    """One page and the next page token ("" when this is the last page)."""
    chunk = items[offset:offset + size]
    return chunk, encode_token(offset + size) if offset + size < len(items) else ""


async def get_brands(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/brands."""
    shop = ctx.need_shop()
    offset, size = page_window(ctx, default=20, low=1, high=100)
    if ctx.query.get("category_version"):
        version_of(ctx, shop.market)
    prefix = ctx.query.get("brand_name", "").lower()
    only_authorized = ctx.query.get("is_authorized", "").lower() in ("true", "1")
    brands = [{"id": catalog.brand_id(i), "name": name, "authorized_status": status, "is_t1_brand": t1,
               "brand_status": "AVAILABLE"} for i, (name, status, t1) in enumerate(catalog.BRANDS)]
    brands += [{"id": bid, "name": name, "authorized_status": "AUTHORIZED", "is_t1_brand": False,
                "brand_status": "AVAILABLE"} for bid, name in runtime.state.custom_brands.items()]
    brands = [b for b in brands if str(b["name"]).lower().startswith(prefix)
              and (not only_authorized or b["authorized_status"] == "AUTHORIZED")]
    chunk, token = page(brands, offset, size)
    return {"brands": chunk, "total_count": len(brands), "next_page_token": token}


async def create_brand(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/brands (custom brand; no shop_cipher)."""
    name = str(ctx.body().get("name") or "").strip()
    if len(name) < 2:
        raise ApiError(12052189, "Brand names must be at least 2 characters.")
    if len(name) > 30:
        raise ApiError(12052190, "Brand names must not be longer than 30 characters.")
    known = {n.lower() for n, _, _ in catalog.BRANDS} | {n.lower() for n in runtime.state.custom_brands.values()}
    if name.lower() in known:
        raise ApiError(12052205, "This brand name already exists.")
    brand_id = runtime.state.new_id("70824")
    runtime.state.custom_brands[brand_id] = name
    return {"id": brand_id}


def warehouses_of(shop: Shop) -> list[dict[str, Any]]:
    """Get Warehouse List rows of a shop: its sales and return warehouses."""
    address = dict(WAREHOUSE_ADDRESSES[shop.region])
    address.update({"region_code": shop.region, "contact_person": shop.seller_name,
                    "address_line1": address["full_address"]})
    return [
        {"id": shop.warehouse_id, "entity_id": shop.id, "name": f"{shop.name} main warehouse",
         "effect_status": "ENABLED", "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
         "is_default": True, "address": address},
        {"id": shop.return_warehouse_id, "entity_id": shop.id, "name": f"{shop.name} returns",
         "effect_status": "ENABLED", "type": "RETURN_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
         "is_default": True, "address": address},
    ]


async def get_warehouses(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/warehouses."""
    return {"warehouses": warehouses_of(ctx.need_shop())}


async def get_delivery_options(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/warehouses/{warehouse_id}/delivery_options."""
    shop = ctx.need_shop()
    if ctx.path_params["warehouse_id"] != shop.warehouse_id:
        raise ApiError(11005004, "warehouse not exist")
    return {"delivery_options": catalog.delivery_options(shop.market)}


async def get_shipping_providers(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/delivery_options/{delivery_option_id}/shipping_providers."""
    shop = ctx.need_shop()
    option = next((o for o in catalog.delivery_options(shop.market)
                   if o["id"] == ctx.path_params["delivery_option_id"]), None)
    if option is None:
        raise ApiError(21008116, "No Subscription without specified delivery option.")
    if option["type"] != "SEND_BY_SELLER":
        raise ApiError(21008117, "The delivery of the specified delivery_option_id is fulfilled by TikTok. No "
                                 "shipping provider will be returned.")
    return {"shipping_providers": catalog.shipping_providers(shop.region)}


IMAGE_USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE",
                   "SIZE_CHART_IMAGE")
MAX_IMAGE_BYTES = 10 * 1024 * 1024


async def upload_image(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/images/upload (multipart: data, use_case)."""
    if not ctx.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError(36009022, "The content type must be multipart/form-data for file uploads.", status=400)
    form = await ctx.request.form()
    upload = form.get("data")
    use_case = str(form.get("use_case") or "MAIN_IMAGE")
    if not isinstance(upload, UploadFile) or use_case not in IMAGE_USE_CASES:
        raise ApiError(11050001, "invalid param: `data` must be a file and `use_case` one of "
                                 + ", ".join(IMAGE_USE_CASES))
    data = await upload.read()
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(12038005, "The file size exceeds the maximum allowed size.")
    sniffed = image_size(data)
    if sniffed is None:
        raise ApiError(12038015, "Failed to process the image. The format or content is not supported. "
                                 "Supported formats: JPG, JPEG, PNG, WEBP, HEIC, BMP")
    kind, width, height = sniffed
    low, high = (300, 4000) if use_case in ("MAIN_IMAGE", "ATTRIBUTE_IMAGE") else (100, 20000)
    if not (low <= width <= high and low <= height <= high):
        raise ApiError(12038014, f"The image dimensions exceed the allowed limits. Allowed dimensions (width x "
                                 f"height in pixels): {low} x {low} to {high} x {high}")
    uri = f"tos-maliva-i-o3syd03w52-us/{secrets.token_hex(16)}"
    runtime.state.images[uri] = Image(uri, width, height, use_case, f"image/{kind}", data)
    return {"uri": uri, "url": image_url(ctx, uri), "width": width, "height": height, "use_case": use_case}


def image_url(ctx: Ctx, uri: str) -> str:
    """Where an uploaded image is served (the `url` of Upload Product Image)."""
    return f"{str(ctx.request.base_url).rstrip('/')}/_sandbox/images/{uri}"


async def prerequisites(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202312/prerequisites: every sandbox shop is fully set up."""
    ctx.need_shop()
    items = ("SHOP_STATUS", "SHOP_TAX", "PICKUP_WAREHOUSE", "RETURN_WAREHOUSE", "DELIVERY_OPTION",
             "SHIPPING_TEMPLATE", "PRODUCT_QUANTITY_LIMIT", "BANK_ACCOUNT", "CONTACT_INFO")
    return {"check_results": [{"check_item": i, "is_failed": False, "fail_reasons": []} for i in items]}
