"""API shapes of the BigCommerce sandbox: default fields of each resource, pagination meta, error bodies."""

from __future__ import annotations

import copy
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

PRODUCT_DEFAULTS: dict[str, Any] = {
    "type": "physical", "sku": "", "description": "", "weight": 0, "width": 0, "depth": 0, "height": 0,
    "price": 0, "cost_price": 0, "retail_price": 0, "sale_price": 0, "map_price": 0, "tax_class_id": 0,
    "product_tax_code": "", "categories": [], "brand_id": 0, "option_set_id": 0,
    "option_set_display": "right", "inventory_level": 0, "inventory_warning_level": 0,
    "inventory_tracking": "variant", "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0,
    "fixed_cost_shipping_price": 0, "is_free_shipping": False, "is_visible": True, "is_featured": False,
    "related_products": [-1], "warranty": "", "bin_picking_number": "", "layout_file": "product.html",
    "upc": "", "mpn": "", "gtin": "", "search_keywords": "", "availability": "available",
    "availability_description": "", "gift_wrapping_options_type": "any", "gift_wrapping_options_list": [],
    "sort_order": 0, "condition": "New", "is_condition_shown": False, "order_quantity_minimum": 0,
    "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [], "meta_description": "",
    "view_count": 0, "preorder_release_date": None, "preorder_message": "", "is_preorder_only": False,
    "is_price_hidden": False, "price_hidden_label": "", "open_graph_type": "product", "open_graph_title": "",
    "open_graph_description": "", "open_graph_use_meta_description": True,
    "open_graph_use_product_name": True, "open_graph_use_image": True,
}

VARIANT_DEFAULTS: dict[str, Any] = {
    "sku": "", "price": None, "sale_price": None, "retail_price": None, "map_price": None, "weight": None,
    "width": None, "height": None, "depth": None, "is_free_shipping": False,
    "fixed_cost_shipping_price": None, "purchasing_disabled": False, "purchasing_disabled_message": "",
    "image_url": "", "cost_price": None, "upc": "", "mpn": "", "gtin": "", "inventory_warning_level": 0,
    "bin_picking_number": "", "option_values": [],
}

ADDRESS_KEYS = ("first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip", "country",
                "country_iso2", "phone", "email")

ORDER_DEFAULTS: dict[str, Any] = {
    "customer_id": 0, "date_shipped": "", "status_id": 11, "status": "Awaiting Fulfillment",
    "subtotal_ex_tax": "0.0000", "subtotal_inc_tax": "0.0000", "subtotal_tax": "0.0000",
    "base_shipping_cost": "0.0000", "shipping_cost_ex_tax": "0.0000", "shipping_cost_inc_tax": "0.0000",
    "shipping_cost_tax": "0.0000", "shipping_cost_tax_class_id": 0, "base_handling_cost": "0.0000",
    "handling_cost_ex_tax": "0.0000", "handling_cost_inc_tax": "0.0000", "handling_cost_tax": "0.0000",
    "handling_cost_tax_class_id": 0, "base_wrapping_cost": "0.0000", "wrapping_cost_ex_tax": "0.0000",
    "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000", "wrapping_cost_tax_class_id": 0,
    "total_ex_tax": "0.0000", "total_inc_tax": "0.0000", "total_tax": "0.0000",
    "is_tax_inclusive_pricing": False, "items_total": 0, "items_shipped": 0, "payment_method": "",
    "payment_provider_id": "", "payment_status": "captured", "refunded_amount": "0.0000",
    "order_is_digital": False, "store_credit_amount": "0.0000", "gift_certificate_amount": "0.0000",
    "ip_address": "", "ip_address_v6": "", "geoip_country": "", "geoip_country_iso2": "", "currency_id": 1,
    "currency_code": "USD", "currency_exchange_rate": "1.0000000000", "default_currency_id": 1,
    "default_currency_code": "USD", "staff_notes": "", "customer_message": "", "discount_amount": "0.0000",
    "coupon_discount": "0.0000", "shipping_address_count": 1, "ebay_order_id": "0", "cart_id": "",
    "is_email_opt_in": False, "credit_card_type": None, "order_source": "external", "channel_id": 1,
    "external_source": None, "external_id": None, "external_merchant_id": None,
    "tax_provider_id": "BasicTaxProvider", "store_default_currency_code": "USD",
    "store_default_to_transactional_exchange_rate": "1.0000000000", "custom_status": "Awaiting Fulfillment",
    "customer_locale": "en", "external_order_id": "", "is_deleted": False,
}

ORDER_STATUSES: dict[int, str] = {
    0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
    6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
    11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded",
}

SHIPPING_PROVIDERS: dict[str, str] = {
    "auspost": "Australia Post", "canadapost": "Canada Post", "endicia": "Endicia", "usps": "USPS",
    "fedex": "FedEx", "royalmail": "Royal Mail", "ups": "UPS", "upsready": "UPS", "shipperhq": "ShipperHQ",
    "": "",
}


def defaults(template: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a resource's defaults."""
    return copy.deepcopy(template)


def v3_error(status: int, title: str, errors: dict[str, str] | None = None) -> JSONResponse:
    """The v3 error envelope."""
    body: dict[str, Any] = {"status": status, "title": title, "type": ERROR_TYPE}
    if errors is not None or status == 422:
        body["errors"] = errors or {}
    return JSONResponse(body, status_code=status)


def v2_error(status: int, message: str) -> JSONResponse:
    """The v2 error envelope: a list of {status, message}."""
    return JSONResponse([{"status": status, "message": message}], status_code=status)


def error_for(path: str, status: int, title: str, errors: dict[str, str] | None = None) -> Response:
    """The right envelope for the API version in `path`."""
    return v2_error(status, title) if "/v2/" in path else v3_error(status, title, errors)


def page_params(request: Request, default_limit: int = 50) -> tuple[int, int]:
    """(page, limit) from the query; limit is capped at 250 like the real API."""
    try:
        page = max(1, int(request.query_params.get("page", 1)))
        limit = max(1, min(250, int(request.query_params.get("limit", default_limit))))
    except ValueError:
        page, limit = 1, default_limit
    return page, limit


def paginate(rows: list[Any], page: int, limit: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of `rows` and its `meta` ({pagination: {total, count, per_page, current_page, total_pages, links}})."""
    total = len(rows)
    total_pages = max(1, -(-total // limit))
    chunk = rows[(page - 1) * limit: page * limit]
    links: dict[str, str] = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    return chunk, {"pagination": {"total": total, "count": len(chunk), "per_page": limit,
                                  "current_page": page, "total_pages": total_pages, "links": links}}


def listing(rows: list[Any], request: Request, default_limit: int = 50) -> JSONResponse:
    """A paginated v3 list answer."""
    page, limit = page_params(request, default_limit)
    chunk, meta = paginate(rows, page, limit)
    return JSONResponse({"data": chunk, "meta": meta})


def v2_listing(rows: list[Any], request: Request) -> Response:
    """A paginated v2 list answer; an empty page is 204 No Content, as BigCommerce answers."""
    page, limit = page_params(request, 50)
    chunk = rows[(page - 1) * limit: page * limit]
    if not chunk:
        return Response(status_code=204)
    return JSONResponse(chunk)


def id_list(value: str | None) -> list[int] | None:
    """A comma-separated `:in` filter as ints (None when absent)."""
    if value is None or value == "":
        return None
    try:
        return [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        return []
