"""Listing validation as TikTok applies it on create and edit, answering with TikTok's 12052xxx codes.

`check_listing` returns the normalised product fields and SKUs or raises the first `ApiError` found, in the
order TikTok's docs list the checks: title, description, category, brand, images, package, attributes,
certifications, SKUs (sales attributes, seller_sku, price, inventory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from feedbridge_sandbox.tiktok import catalog
from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog import Attribute, Category
from feedbridge_sandbox.tiktok.catalog_api import VERSION_MESSAGE, WRONG_VERSION, leaf
from feedbridge_sandbox.tiktok.regions import IMPERIAL_UNITS
from feedbridge_sandbox.tiktok.state import Product, Shop, State

TITLE_MAX = 255
DESCRIPTION_MAX = 10_000
MAIN_IMAGES_MAX = 9
DESCRIPTION_IMAGES_MAX = 30
SALES_ATTRIBUTES_MAX = 3
SELLER_SKU_MAX = 50
QUANTITY_MAX = 99_999

ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\U00002600-\U000027BF\U0001F000-\U0001F2FF]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
IMG_TAG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)


def _has_bad_characters(text: str) -> bool:
    return bool(ENTITY.search(text) or CONTROL.search(text) or EMOJI.search(text))


@dataclass
class Listing:
    """A validated product: top-level fields, SKUs, the leaf category and warnings."""

    fields: dict[str, Any]
    skus: list[dict[str, Any]]
    category: Category
    version: str
    warnings: list[dict[str, str]] = field(default_factory=list)


def check_title(shop: Shop, title: Any) -> str:
    """The title, or TikTok's title error for the shop's market."""
    if not isinstance(title, str) or not title.strip():
        raise ApiError(12052261, "product name is empty")
    low = shop.market.title_min
    if not low <= len(title) <= TITLE_MAX:
        raise ApiError(12052051, f"The product name exceed max limit characters: the title is {len(title)} "
                                 f"characters; {shop.region} allows {low} to {TITLE_MAX}.")
    if CHINESE.search(title) and shop.region != "CN":
        raise ApiError(12052262, "Chinese characters are not supported in product name")
    if _has_bad_characters(title):
        raise ApiError(12052931, "The title must follow these formatting rules: it cannot contain HTML escape "
                                 "characters (e.g. &nbsp;), emojis, or ASCII control characters.")
    return title


def check_description(shop: Shop, description: Any) -> str:
    """The HTML description, or TikTok's description error."""
    if not isinstance(description, str) or not description.strip():
        raise ApiError(12052015, "The product description is required")
    if len(description) > DESCRIPTION_MAX:
        raise ApiError(12052013, f"The product description cannot exceed maximum characters: it is "
                                 f"{len(description)} characters; TikTok allows {DESCRIPTION_MAX}.")
    if CHINESE.search(description) and shop.region != "CN":
        raise ApiError(12052346, "The product description has Chinese characters")
    if _has_bad_characters(description):
        raise ApiError(12052932, "The description must follow these formatting rules: it cannot contain HTML "
                                 "escape characters (e.g. &nbsp;), emojis, or ASCII control characters.")
    images = IMG_TAG.findall(description)
    if len(images) > DESCRIPTION_IMAGES_MAX:
        raise ApiError(12052056, f"The num of image in description cannot exceed max limit "
                                 f"({DESCRIPTION_IMAGES_MAX}).")
    for attrs in images:
        src = re.search(r'src\s*=\s*"([^"]*)"', attrs)
        if not src or not ("/_sandbox/images/" in src.group(1) or "ibyteimg.com" in src.group(1)):
            raise ApiError(12052340, "product description image uri illegal: description images must be "
                                     "uploaded with Upload Product Image (use_case=DESCRIPTION_IMAGE).")
        if not re.search(r"\bwidth\s*=", attrs) or not re.search(r"\bheight\s*=", attrs):
            raise ApiError(12052348, "The product description html tag required attribute is miss: <img> needs "
                                     "src, width and height.")
    return description


def check_category(shop: Shop, body: dict[str, Any]) -> tuple[Category, str]:
    """The leaf category and version, or TikTok's category error."""
    version = str(body.get("category_version") or "v1")
    if version != shop.market.category_version:
        raise ApiError(WRONG_VERSION, VERSION_MESSAGE)
    if not body.get("category_id"):
        raise ApiError(12052002, "Incorrect category format: category_id is required.")
    category = leaf(catalog.category_tree(shop.region, version), str(body["category_id"]))
    if "PROHIBITED" in category.permission_statuses:
        raise ApiError(12052220, "This category is prohibited or unsupported on TikTok Shop. Select another "
                                 "category.")
    if "INVITE_ONLY" in category.permission_statuses:
        raise ApiError(12052223, "This category is restricted. To sell in this category, apply through the "
                                 "Qualification Center in Seller Center.")
    return category, version


def check_brand(state: State, brand_id: Any, warnings: list[dict[str, str]]) -> str:
    """The brand id ('' for none), or TikTok's brand error; unauthorized non-T1 brands warn."""
    if not brand_id:
        return ""
    brand_id = str(brand_id)
    if brand_id in state.custom_brands:
        return brand_id
    for i, (name, status, t1) in enumerate(catalog.BRANDS):
        if catalog.brand_id(i) == brand_id:
            if status != "AUTHORIZED" and t1:
                raise ApiError(12052201, f"You are not authorized to sell this brand ({name}) in this category. "
                                         "To do so, apply through the Qualification Center.")
            if status != "AUTHORIZED":
                warnings.append({"message": f"The brand {name} is not authorized; it will not be displayed."})
            return brand_id
    raise ApiError(12052026, "Brand does not exist")


def check_images(state: State, images: Any) -> list[dict[str, str]]:
    """The main images as {uri}, or TikTok's image error."""
    if not isinstance(images, list) or not images:
        raise ApiError(12052028, "Main product image is required")
    if len(images) > MAIN_IMAGES_MAX:
        raise ApiError(12052306, f"main product images count exceed limit: {len(images)} images; TikTok allows "
                                 f"{MAIN_IMAGES_MAX}.")
    out = []
    for image in images:
        uri = image.get("uri") if isinstance(image, dict) else None
        if not uri:
            raise ApiError(12052300, "product main image uri illegal")
        stored = state.images.get(str(uri))
        if stored is None:
            raise ApiError(12052722, f"The image URI does not exist in TikTok Shop: {uri}. Upload it with Upload "
                                     "Product Image first.")
        if min(stored.width, stored.height) < 300:
            raise ApiError(12052301, f"Width and length of main image must be at least 300, check uri {uri}")
        out.append({"uri": str(uri)})
    return out


def _positive_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def check_package(shop: Shop, category: Category, body: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Package weight and dimensions, or TikTok's package error."""
    weight = body.get("package_weight")
    if not isinstance(weight, dict) or weight.get("value") in (None, ""):
        raise ApiError(12052006, "Incorrect parcel weight format: package_weight {value, unit} is required.")
    value = _positive_decimal(weight["value"])
    unit = str(weight.get("unit") or "")
    if value is None or value < 0:
        raise ApiError(12052006, "Incorrect parcel weight format")
    if value == 0:
        raise ApiError(12052181, "The package weight of the product can not be zero.")
    if unit not in shop.market.weight_units:
        if unit in IMPERIAL_UNITS:
            raise ApiError(12019061, "Product weight or dimensions unit does not support the imperial units on "
                                     "non-US local products.")
        raise ApiError(12052916, f"The package unit is not supported in the current region: {unit or 'empty'}.")
    dims = body.get("package_dimensions")
    rules = catalog.rules_for(category, shop.market)
    dims_out: dict[str, str] = {}
    if dims:
        if not isinstance(dims, dict):
            raise ApiError(12019012, "product package size is invalid")
        for key, code in (("length", 12052005), ("width", 12052004), ("height", 12052003)):
            raw = str(dims.get(key, ""))
            if not raw.isdigit() or int(raw) <= 0:
                raise ApiError(code, f"Incorrect parcel {key} format: a positive whole number is required.")
        dims_unit = str(dims.get("unit") or "")
        if dims_unit not in shop.market.dimension_units:
            raise ApiError(12052916, f"The package unit is not supported in the current region: {dims_unit}.")
        if (dims_unit in IMPERIAL_UNITS) != (unit in IMPERIAL_UNITS):
            raise ApiError(12052915, "package weight unit and dimension unit miss match.")
        dims_out = {"length": str(dims["length"]), "width": str(dims["width"]), "height": str(dims["height"]),
                    "unit": dims_unit}
    elif rules.dimensions_required:
        raise ApiError(12019012, "product package size is invalid: package_dimensions are required in this "
                                 "category.")
    return {"value": str(weight["value"]), "unit": unit}, dims_out


def check_product_attributes(category: Category, given: Any) -> list[dict[str, Any]]:
    """Product attributes with names and value ids; required ones must be present."""
    known = {a.id: a for a in catalog.attributes_for(category) if a.type == "PRODUCT_PROPERTY"}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in given or []:
        attr_id = str(item.get("id") or "") if isinstance(item, dict) else ""
        if not attr_id:
            raise ApiError(12052241, "attribute name or attribute id is empty.")
        attr = known.get(attr_id)
        if attr is None:
            raise ApiError(12052527, f"The attribute id {attr_id} does not exist in this category.")
        if attr_id in seen:
            raise ApiError(12052254, "Duplicate attribute id")
        seen.add(attr_id)
        values = item.get("values") or []
        if not values:
            raise ApiError(12052248, f"The product attribute value name or attribute value id is empty "
                                     f"(attribute {attr.name}).")
        if len(values) > 1 and not attr.multiple:
            raise ApiError(12052246, f"The product attribute does not support multi selected, attribute id is "
                                     f":{attr_id}.")
        out.append({"id": attr.id, "name": attr.name, "values": [_attribute_value(attr, v) for v in values]})
    for attr in known.values():
        if attr.required and attr.id not in seen:
            raise ApiError(12052104, f"property is required: the product attribute '{attr.name}' (id {attr.id}) "
                                     "is required in this category.")
    return out


def _attribute_value(attr: Attribute, value: Any) -> dict[str, str]:
    value = value if isinstance(value, dict) else {}
    if value.get("id"):
        for i, name in enumerate(attr.values):
            if attr.value_id(i) == str(value["id"]):
                return {"id": attr.value_id(i), "name": name}
        raise ApiError(12052529, f" The property value id not exist: {value['id']} (attribute {attr.name}).")
    name = str(value.get("name") or "").strip()
    if not name:
        raise ApiError(12052248, f"The product attribute value name or attribute value id is empty ({attr.name}).")
    for i, known in enumerate(attr.values):
        if known.lower() == name.lower():
            return {"id": attr.value_id(i), "name": known}
    if not attr.customizable:
        raise ApiError(12052247, f"Do not support custom product attribute: {attr.name} takes one of its listed "
                                 "values.")
    return {"id": "", "name": name}


def check_certifications(shop: Shop, category: Category, given: Any) -> list[dict[str, Any]]:
    """The certifications; the category's required ones must be present."""
    provided = {str(c.get("id")) for c in given or [] if isinstance(c, dict)}
    for cert in catalog.rules_for(category, shop.market).certifications:
        if cert.required and cert.id not in provided:
            raise ApiError(12052105, f"required qualification miss: {cert.name} (id {cert.id}).")
    return list(given or [])


def check_listing(state: State, shop: Shop, body: dict[str, Any], existing: Product | None = None) -> Listing:
    """Validate a create/edit body; SKUs keep their ids (and price/inventory when omitted) on edit."""
    warnings: list[dict[str, str]] = []
    title = check_title(shop, body.get("title"))
    description = check_description(shop, body.get("description"))
    category, version = check_category(shop, body)
    brand_id = check_brand(state, body.get("brand_id"), warnings)
    images = check_images(state, body.get("main_images"))
    weight, dims = check_package(shop, category, body)
    attributes = check_product_attributes(category, body.get("product_attributes"))
    certifications = check_certifications(shop, category, body.get("certifications"))
    skus = check_skus(state, shop, category, body.get("skus"), existing)
    fields = {
        "title": title, "description": description, "category_id": category.id, "brand_id": brand_id,
        "main_images": images, "package_weight": weight, "package_dimensions": dims,
        "product_attributes": attributes, "certifications": certifications,
        "size_chart": body.get("size_chart") or {}, "video": body.get("video") or {},
        "external_product_id": str(body.get("external_product_id") or ""),
        "is_cod_allowed": bool(body.get("is_cod_allowed", False)),
        "is_not_for_sale": bool(body.get("is_not_for_sale", False)),
        "delivery_option_ids": [str(d) for d in body.get("delivery_option_ids") or []],
        "minimum_order_quantity": int(body.get("minimum_order_quantity") or 1),
    }
    return Listing(fields, skus, category, version, warnings)


def _money(shop: Shop, price: Any, *, required: bool) -> dict[str, str] | None:
    if price is None and not required:
        return None
    if not isinstance(price, dict) or price.get("amount") in (None, ""):
        raise ApiError(12052571, "Missing price for SKU(s)")
    amount = _positive_decimal(price["amount"])
    if amount is None:
        raise ApiError(12052012, f"Incorrect price format: {price['amount']!r}")
    currency = str(price.get("currency") or "")
    if currency != shop.market.currency:
        raise ApiError(12052084, f"The provided currency is not available for this shop/region: {currency or 'empty'}"
                                 f"; this shop sells in {shop.market.currency}.")
    low, high = shop.market.price_min, shop.market.price_max
    if not low <= amount <= high:
        raise ApiError(12052570, f"product price exceed limit: {amount} {currency} is outside {low}-{high}.")
    out = {"amount": str(amount), "currency": currency}
    if price.get("sale_price") not in (None, ""):
        sale = _positive_decimal(price["sale_price"])
        if sale is None or not low <= sale <= high:
            raise ApiError(12052092, "product sale price is invalid")
        out["sale_price"] = str(sale)
    return out


def _inventory(shop: Shop, given: Any, *, required: bool) -> list[dict[str, Any]] | None:
    if given is None and not required:
        return None
    if not isinstance(given, list) or not given:
        raise ApiError(12019022, "SKU must contain a valid warehouse.")
    out = []
    for row in given:
        warehouse_id = str(row.get("warehouse_id") or "") if isinstance(row, dict) else ""
        if not warehouse_id:
            raise ApiError(12019022, "SKU must contain a valid warehouse.")
        if warehouse_id != shop.warehouse_id:
            raise ApiError(12052530, f"The warehouse '{warehouse_id}' does not belong to this shop/seller.")
        quantity = row.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= QUANTITY_MAX:
            raise ApiError(12052055, f"The SKU inventory quantity for the warehouse must be within allowed limits "
                                     f"(0-{QUANTITY_MAX}); got {quantity!r}.")
        out.append({"warehouse_id": warehouse_id, "quantity": quantity})
    return out


def check_skus(state: State, shop: Shop, category: Category, given: Any,
               existing: Product | None) -> list[dict[str, Any]]:
    """The SKUs with ids, resolved sales attributes, price and inventory."""
    if not isinstance(given, list) or not given:
        raise ApiError(12052902, "The SKU list is empty. Either omit the list entirely, or provide all required "
                                 "details.")
    if len(given) > shop.market.sku_limit:
        raise ApiError(12052558, f"Number of product skus exceed limit: {len(given)} SKUs; {shop.region} allows "
                                 f"{shop.market.sku_limit}.")
    sales_attrs = {a.id: a for a in catalog.attributes_for(category) if a.type == "SALES_PROPERTY"}
    old = {s["id"]: s for s in existing.skus} if existing else {}
    out, combos, shape = [], set(), None
    for raw in given:
        if not isinstance(raw, dict):
            raise ApiError(12052910, "Invalid input parameters: every SKU must be an object.")
        sku_id = str(raw.get("id") or "")
        previous = old.get(sku_id) if sku_id else None
        if sku_id and previous is None:
            raise ApiError(12052557, f"The SKU ID does not belong to the product: {sku_id}")
        attributes = [_sales_attribute(state, sales_attrs, a) for a in raw.get("sales_attributes") or []]
        if len(attributes) > SALES_ATTRIBUTES_MAX:
            raise ApiError(12052525, " The attribute max num cannot exceed 3.")
        names = tuple(sorted(a["id"] for a in attributes))
        if len(set(names)) != len(names):
            raise ApiError(12052560, "The SKU contains duplicate sales attribute.")
        if shape is None:
            shape = names
        elif names != shape or (len(given) > 1 and not names):
            raise ApiError(12052550, "SKU property must contain all properties: every SKU needs the same sales "
                                     "attributes.")
        combo = tuple(sorted((a["id"], a["value_name"].lower()) for a in attributes))
        if combo in combos:
            raise ApiError(12052560, "The SKU contains duplicate sales attribute values: each SKU needs a unique "
                                     "combination.")
        combos.add(combo)
        seller_sku = str(raw.get("seller_sku") or "")
        if len(seller_sku) > SELLER_SKU_MAX:
            raise ApiError(12052054, f"The seller SKU text length cannot exceed max limit characters "
                                     f"({SELLER_SKU_MAX}): {seller_sku[:60]}")
        if " " in seller_sku:
            raise ApiError(12019059, f"seller sku is invalid: spaces are not allowed ({seller_sku!r}).")
        price = _money(shop, raw.get("price"), required=previous is None)
        inventory = _inventory(shop, raw.get("inventory"), required=previous is None)
        out.append({
            "id": sku_id or state.new_id("17295"),
            "seller_sku": seller_sku,
            "external_sku_id": str(raw.get("external_sku_id") or ""),
            "sales_attributes": attributes,
            "price": price or previous["price"],  # type: ignore[index]
            "inventory": inventory or previous["inventory"],  # type: ignore[index]
            "identifier_code": raw.get("identifier_code") or {},
            "list_price": raw.get("list_price") or {},
            "external_list_prices": raw.get("external_list_prices") or [],
            "status": previous["status"] if previous else "NORMAL",
        })
    return out


def _sales_attribute(state: State, known: dict[str, Attribute], given: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise ApiError(12052910, "Invalid input parameters: sales_attributes must be objects.")
    attr_id, name = str(given.get("id") or ""), str(given.get("name") or "").strip()
    if attr_id:
        attr = known.get(attr_id)
        if attr is None and attr_id not in state.custom_attribute_ids.values():
            raise ApiError(12052527, f"The sale attribute id not exist: {attr_id}")
        name = attr.name if attr else next(k for k, v in state.custom_attribute_ids.items() if v == attr_id)
    elif name:
        if len(name) > 20:
            raise ApiError(12052242, " The attribute name characters cannot exceed 20")
        attr = next((a for a in known.values() if a.name.lower() == name.lower()), None)
        if attr:
            attr_id, name = attr.id, attr.name
        else:
            attr_id = state.custom_attribute_ids.setdefault(name.lower(), state.new_id("71"))
    else:
        raise ApiError(12052241, "attribute name or attribute id is empty.")
    attr = known.get(attr_id)
    value_id, value_name = str(given.get("value_id") or ""), str(given.get("value_name") or "").strip()
    if value_id and attr:
        match = next((v for i, v in enumerate(attr.values) if attr.value_id(i) == value_id), None)
        if match is None:
            raise ApiError(12052529, f" The property value id not exist: {value_id}")
        value_name = match
    elif value_name:
        if len(value_name) > 50:
            raise ApiError(12052249, " The sales attribute value name characters cannot exceed 50")
        index = next((i for i, v in enumerate(attr.values) if v.lower() == value_name.lower()), None) if attr \
            else None
        value_id = attr.value_id(index) if attr and index is not None else \
            state.custom_attribute_ids.setdefault(f"{attr_id}:{value_name.lower()}", state.new_id("72"))
    elif not value_id:
        raise ApiError(12052248, "The sales attribute value name or attribute value id is empty.")
    out: dict[str, Any] = {"id": attr_id, "name": name, "value_id": value_id, "value_name": value_name}
    if isinstance(given.get("sku_img"), dict) and given["sku_img"].get("uri"):
        if str(given["sku_img"]["uri"]) not in state.images:
            raise ApiError(12052520, "product sale property image uri illegal")
        out["sku_img"] = {"uri": str(given["sku_img"]["uri"])}
    return out
