"""v3 inventory routes of the BigCommerce sandbox: locations, items per location, absolute/relative adjustments."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge_sandbox.bigcommerce.app import BigCommerceSandbox, api, body_of
from feedbridge_sandbox.bigcommerce.shapes import id_list, listing
from feedbridge_sandbox.bigcommerce.state import ApiError

V3 = "/stores/{store_hash}/v3"


def inventory_routes(sb: BigCommerceSandbox) -> list[Route]:
    """Routes for /v3/inventory/..."""
    st = sb.state

    def item(variant: dict[str, Any], locations: list[int] | None) -> dict[str, Any]:
        rows = []
        for lid, loc in sorted(st.locations.items()):
            if locations is not None and lid not in locations:
                continue
            qty = st.stock.get((variant["id"], lid), 0)
            rows.append({"location_id": lid, "location_code": loc["code"], "location_name": loc["label"],
                         "available_to_sell": qty, "total_inventory_onhand": qty,
                         "location_enabled": loc["enabled"],
                         "settings": {"safety_stock": 0, "is_in_stock": qty > 0, "warning_level": 0,
                                      "bin_picking_number": ""}})
        return {"identity": {"sku": variant["sku"], "variant_id": variant["id"],
                             "product_id": variant["product_id"], "sku_id": variant["sku_id"]},
                "locations": rows}

    @api
    async def list_locations(request: Request) -> Response:
        rows = sorted(st.locations.values(), key=lambda loc: loc["id"])
        ids = id_list(request.query_params.get("location_id:in"))
        if ids is not None:
            rows = [loc for loc in rows if loc["id"] in ids]
        return listing([dict(loc) for loc in rows], request)

    @api
    async def create_locations(request: Request) -> Response:
        data = await body_of(request)
        if not isinstance(data, list) or not data:
            raise ApiError(422, "JSON data is missing or invalid", {"body": "must be a list of locations"})
        now = st.now_iso()
        for row in data:
            if not row.get("label") or not row.get("code"):
                raise ApiError(422, "JSON data is missing or invalid", {"label": "label and code are required"})
            if any(loc["code"] == row["code"] for loc in st.locations.values()):
                raise ApiError(422, "The location code is already in use.", {"code": str(row["code"])})
            lid = st.next_id("location")
            st.locations[lid] = {
                "id": lid, "code": str(row["code"]), "label": str(row["label"]),
                "managed_by_external_source": bool(row.get("managed_by_external_source", False)),
                "type_id": str(row.get("type_id", "PHYSICAL")), "enabled": bool(row.get("enabled", True)),
                "storefront_visibility": bool(row.get("storefront_visibility", True)),
                "time_zone": str(row.get("time_zone", "Etc/UTC")), "created_at": now, "updated_at": now,
                "address": row.get("address") or {"address1": "", "city": "", "state": "", "zip": "",
                                                   "email": "store@example.com", "country_code": "US"},
            }
        return JSONResponse({"transaction_id": str(uuid.uuid4())})

    def variants_matching(request: Request) -> list[dict[str, Any]]:
        q = request.query_params
        rows = sorted(st.variants.values(), key=lambda v: v["id"])
        for param, key in (("variant_id:in", "id"), ("product_id:in", "product_id")):
            ids = id_list(q.get(param))
            if ids is not None:
                rows = [v for v in rows if v[key] in ids]
        if q.get("sku:in"):
            skus = set(q["sku:in"].split(","))
            rows = [v for v in rows if v["sku"] in skus]
        return rows

    @api
    async def list_items(request: Request) -> Response:
        locations = id_list(request.query_params.get("location_id:in"))
        return listing([item(v, locations) for v in variants_matching(request)], request)

    @api
    async def list_location_items(request: Request) -> Response:
        lid = int(request.path_params["location_id"])
        if lid not in st.locations:
            raise ApiError(404, "The requested location was not found.")
        rows = []
        for v in variants_matching(request):
            qty = st.stock.get((v["id"], lid), 0)
            rows.append({"identity": {"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"],
                                      "sku_id": v["sku_id"]},
                         "settings": {"safety_stock": 0, "is_in_stock": qty > 0, "warning_level": 0,
                                      "bin_picking_number": ""},
                         "available_to_sell": qty, "total_inventory_onhand": qty})
        return listing(rows, request)

    def resolve(row: dict[str, Any]) -> dict[str, Any]:
        if "variant_id" in row:
            variant = st.variants.get(int(row["variant_id"]))
        elif "sku" in row:
            variant = next((v for v in st.variants.values() if v["sku"] == row["sku"]), None)
        elif "product_id" in row:
            variants = st.product_variants(int(row["product_id"]))
            variant = variants[0] if len(variants) == 1 else None
        else:
            variant = None
        if variant is None:
            raise ApiError(422, "The item does not identify a variant.", {"items": str(row)})
        if int(row.get("location_id", 0)) not in st.locations:
            raise ApiError(422, "The location does not exist.", {"location_id": str(row.get("location_id"))})
        return variant

    async def adjust(request: Request, relative: bool) -> Response:
        data = await body_of(request)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise ApiError(422, "JSON data is missing or invalid", {"items": "items is required"})
        resolved = [(resolve(row), int(row["location_id"]), int(row["quantity"])) for row in items]
        touched: dict[int, dict[str, Any]] = {}
        for variant, lid, qty in resolved:
            key = (variant["id"], lid)
            st.stock[key] = st.stock.get(key, 0) + qty if relative else qty
            touched[variant["id"]] = variant
        for variant in touched.values():
            pid = variant["product_id"]
            st.touch(pid)
            value = st.variant_stock(variant["id"])
            method = "relative" if relative else "absolute"
            if variant["option_values"]:
                sb.emit("store/sku/inventory/updated", {"type": "sku", "id": variant["sku_id"], "inventory": {
                    "product_id": pid, "method": method, "value": value, "variant_id": variant["id"]}})
            else:
                sb.emit("store/product/inventory/updated", {"type": "product", "id": pid, "inventory": {
                    "product_id": pid, "method": method, "value": value}})
        return JSONResponse({"transaction_id": str(uuid.uuid4())})

    @api
    async def absolute(request: Request) -> Response:
        return await adjust(request, relative=False)

    @api
    async def relative(request: Request) -> Response:
        return await adjust(request, relative=True)

    return [
        Route(V3 + "/inventory/locations", list_locations, methods=["GET"]),
        Route(V3 + "/inventory/locations", create_locations, methods=["POST"]),
        Route(V3 + "/inventory/items", list_items, methods=["GET"]),
        Route(V3 + "/inventory/locations/{location_id:int}/items", list_location_items, methods=["GET"]),
        Route(V3 + "/inventory/adjustments/absolute", absolute, methods=["PUT"]),
        Route(V3 + "/inventory/adjustments/relative", relative, methods=["POST"]),
    ]
