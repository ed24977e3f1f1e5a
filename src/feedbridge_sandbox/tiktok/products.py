"""Product endpoints: create, get, search, edit, partial edit, price, inventory, activate, deactivate, delete,
recover, inventory search, listing check.

New and edited listings go to PENDING (audit AUDITING); `review.py` decides them after the review delay.
Price and inventory updates need no audit.
"""

from __future__ import annotations

import copy
from typing import Any

from feedbridge_sandbox.tiktok.api import ApiError
from feedbridge_sandbox.tiktok.catalog_api import check_time_filters, page, page_window
from feedbridge_sandbox.tiktok.endpoint import Ctx
from feedbridge_sandbox.tiktok.product_rules import QUANTITY_MAX, _money, check_listing
from feedbridge_sandbox.tiktok.product_view import product_view, search_view
from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Product, Shop

BATCH_MAX = 20
NOT_FOUND = 12052032
WRONG_STATUS = 12052901
STATUSES = ("ALL", "DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED",
            "FREEZE", "DELETED")


def base_url(ctx: Ctx) -> str:
    """The sandbox's own URL as the request reached it."""
    return str(ctx.request.base_url).rstrip("/")


def owned_product(runtime: Runtime, shop: Shop, product_id: str) -> Product:
    """A product of the shop, or TikTok's not-found / not-yours error."""
    product = runtime.state.products.get(product_id)
    if product is None:
        raise ApiError(NOT_FOUND, "The product does not exist")
    if product.shop_id != shop.id:
        raise ApiError(12052048, "You cannot edit the specified product(s) as it isn't listed in your account "
                                 "or shop.")
    return product


def submit_for_review(runtime: Runtime, product: Product) -> None:
    """Send a listing to the audit: PENDING until the review delay has passed."""
    product.status = "PENDING"
    product.audit_status = "AUDITING"
    product.audit_failed_reasons = []
    product.review_due = runtime.clock.now() + runtime.settings.review.delay
    runtime.state.pending_reviews.add(product.id)


def sku_summary(product: Product) -> list[dict[str, Any]]:
    """SKU ids and attributes as Create/Edit Product answer them."""
    return [{"id": s["id"], "seller_sku": s["seller_sku"], "external_sku_id": s["external_sku_id"],
             "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]} for a in s["sales_attributes"]]}
            for s in product.skus]


async def create_product(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products."""
    shop, body, state = ctx.need_shop(), ctx.body(), runtime.state
    key = str(body.get("idempotency_key") or "")
    if key and (shop.id, key) in state.idempotency:
        return copy.deepcopy(state.idempotency[(shop.id, key)])
    listing = check_listing(state, shop, body)
    now = state.now()
    product = Product(state.new_id("17295"), shop.id, listing.fields, listing.skus, "DRAFT", now, now,
                      category_version=listing.version)
    if body.get("save_mode", "LISTING") != "AS_DRAFT":
        submit_for_review(runtime, product)
    state.products[product.id] = product
    answer = {"product_id": product.id, "skus": sku_summary(product), "warnings": listing.warnings}
    if key:
        state.idempotency[(shop.id, key)] = copy.deepcopy(answer)
    runtime.notify(shop.id, "PRODUCT_CREATION", {"product_id": int(product.id), "product_types": ["NORMAL"],
                                                 "update_time": now})
    return answer


async def get_product(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/products/{product_id}."""
    shop = ctx.need_shop()
    product = owned_product(runtime, shop, ctx.path_params["product_id"])
    return product_view(base_url(ctx), runtime.state, shop, product)


async def search_products(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309|202502/products/search."""
    shop, body = ctx.need_shop(), ctx.body()
    offset, size = page_window(ctx, default=20, low=1, high=100)
    check_time_filters({k: v for k, v in body.items() if k.startswith("create")}, 12019118)
    check_time_filters({k: v for k, v in body.items() if k.startswith("update")}, 12019119)
    status = str(body.get("status") or "ALL")
    if status not in STATUSES:
        raise ApiError(12052910, f"Invalid input parameters: status {status!r} is not one of {', '.join(STATUSES)}")
    seller_skus = [str(s) for s in body.get("seller_skus") or []]
    sku_ids = [str(s) for s in body.get("sku_ids") or []]
    if len(seller_skus) > 10:
        raise ApiError(12019027, "The maximum count of “seller_skus” in the search filter is 10.")
    if len(sku_ids) > 10:
        raise ApiError(12019087, "The number of SKU IDs exceeds the limit of 10")
    audit = set(body.get("audit_status") or [])
    found = []
    for product in runtime.state.shop_products(shop.id):
        if status == "ALL" and product.status == "DELETED" or status != "ALL" and product.status != status:
            continue
        if seller_skus and not any(s["seller_sku"] in seller_skus for s in product.skus):
            continue
        if sku_ids and not any(s["id"] in sku_ids for s in product.skus):
            continue
        if audit and product.audit_status not in audit:
            continue
        if not _in_range(product.create_time, body, "create_time") or not _in_range(
                product.update_time, body, "update_time"):
            continue
        found.append(product)
    if len(found) > 10_000 and offset == 0:
        raise ApiError(12052180, "The total number of search results can not exceed 10000.")
    found.sort(key=lambda p: (-p.create_time, p.id))
    chunk, token = page(found, offset, size)
    return {"total_count": len(found), "products": [search_view(p, shop) for p in chunk],
            "next_page_token": token}


def _in_range(value: int, body: dict[str, Any], name: str) -> bool:
    low, high = body.get(f"{name}_ge"), body.get(f"{name}_le")
    return (low is None or value >= int(low)) and (high is None or value <= int(high))


def _editable(product: Product) -> None:
    if product.status in ("DELETED", "FREEZE"):
        raise ApiError(WRONG_STATUS, f"The product in its current status ({product.status}) is not available for "
                                     "this operation.")


def _apply_edit(runtime: Runtime, ctx: Ctx, shop: Shop, product: Product, body: dict[str, Any],
                changed: list[str]) -> dict[str, Any]:
    listing = check_listing(runtime.state, shop, body, product)
    product.fields, product.skus, product.category_version = listing.fields, listing.skus, listing.version
    product.update_time = runtime.state.now()
    if product.status != "DRAFT" or body.get("save_mode", "LISTING") != "AS_DRAFT":
        submit_for_review(runtime, product)
    runtime.notify(shop.id, "PRODUCT_INFORMATION_CHANGE", {
        "product_id": int(product.id), "change_source": "OPEN_API", "changed_fields": changed,
        "update_time": product.update_time})
    return {"product_id": product.id, "skus": sku_summary(product), "warnings": listing.warnings,
            "audit": {"status": product.audit_status}}


async def edit_product(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """PUT /product/202309|202509/products/{product_id}: full replace; SKUs left out are deleted."""
    shop = ctx.need_shop()
    product = owned_product(runtime, shop, ctx.path_params["product_id"])
    _editable(product)
    return _apply_edit(runtime, ctx, shop, product, ctx.body(), sorted(ctx.body()))


def current_body(product: Product) -> dict[str, Any]:
    """The product as an edit body (what Partial Edit merges into)."""
    body = copy.deepcopy(product.fields)
    body["category_version"] = product.category_version
    body["skus"] = [{"id": s["id"], "seller_sku": s["seller_sku"], "external_sku_id": s["external_sku_id"],
                     "sales_attributes": [{k: a[k] for k in ("id", "value_id", "value_name")}
                                          | ({"sku_img": a["sku_img"]} if a.get("sku_img") else {})
                                          for a in s["sales_attributes"]],
                     "identifier_code": s["identifier_code"], "list_price": s["list_price"],
                     "external_list_prices": s["external_list_prices"]} for s in product.skus]
    body["product_attributes"] = [{"id": a["id"], "values": [{"id": v["id"]} if v["id"] else {"name": v["name"]}
                                                             for v in a["values"]]}
                                  for a in product.fields["product_attributes"]]
    return body


async def partial_edit_product(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309|202509/products/{product_id}/partial_edit: top-level fields sent alone replace
    the current ones; nested objects must be complete."""
    shop = ctx.need_shop()
    product = owned_product(runtime, shop, ctx.path_params["product_id"])
    _editable(product)
    body = current_body(product)
    body.update(ctx.body())
    return _apply_edit(runtime, ctx, shop, product, body, sorted(ctx.body()))


def _live_for_updates(product: Product) -> bool:
    # TikTok allows price/stock updates on live listings; an approved listing under re-review stays live.
    return product.status == "ACTIVATE" or (product.status == "PENDING" and product.approved_once)


async def update_price(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/{product_id}/prices/update."""
    shop = ctx.need_shop()
    product = owned_product(runtime, shop, ctx.path_params["product_id"])
    if not _live_for_updates(product):
        raise ApiError(12019113, f"product status is invalid: prices can be updated on live products only "
                                 f"(status {product.status}).")
    given = ctx.body().get("skus")
    if not isinstance(given, list) or not given:
        raise ApiError(12052902, "The SKU list is empty. Either omit the list entirely, or provide all required "
                                 "details.")
    by_id = {s["id"]: s for s in product.skus}
    seen: set[str] = set()
    updates = []
    for row in given:
        sku_id = str(row.get("id") or "") if isinstance(row, dict) else ""
        if sku_id not in by_id:
            raise ApiError(12052557, f"The SKU ID does not belong to the product: {sku_id}")
        if sku_id in seen:
            raise ApiError(12052553, "Sku id duplicate")
        seen.add(sku_id)
        updates.append((by_id[sku_id], _money(shop, row.get("price"), required=True)))
    for sku, price in updates:
        sku["price"] = price
    product.update_time = runtime.state.now()
    return {}


async def update_inventory(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/{product_id}/inventory/update; per-SKU failures come back in
    data.errors under code 0."""
    shop = ctx.need_shop()
    product = owned_product(runtime, shop, ctx.path_params["product_id"])
    if product.status in ("DELETED", "FREEZE", "DRAFT", "FAILED") or (
            product.status == "PENDING" and not product.approved_once):
        raise ApiError(WRONG_STATUS, f"The product in its current status ({product.status}) is not available for "
                                     "this operation.")
    given = ctx.body().get("skus")
    if not isinstance(given, list) or not given:
        raise ApiError(12052902, "The SKU list is empty. Either omit the list entirely, or provide all required "
                                 "details.")
    by_id = {s["id"]: s for s in product.skus}
    errors = []
    for row in given:
        sku_id = str(row.get("id") or "") if isinstance(row, dict) else ""
        if not sku_id:
            raise ApiError(12052036, "The SKU ID is necessary")
        sku = by_id.get(sku_id)
        if sku is None:
            errors.append({"code": 12052556, "message": "The SKU id not exist.", "detail": {"sku_id": sku_id}})
            continue
        extra = []
        rows = row.get("inventory") or []
        for item in rows:
            warehouse_id = str(item.get("warehouse_id") or shop.warehouse_id)
            quantity = item.get("quantity")
            if warehouse_id != shop.warehouse_id:
                extra.append({"warehouse_id": warehouse_id, "code": 12052097,
                              "message": "The warehouse does not exist"})
            elif not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= QUANTITY_MAX:
                extra.append({"warehouse_id": warehouse_id, "code": 12052055,
                              "message": f"The SKU inventory quantity for the warehouse must be within allowed "
                                         f"limits (0-{QUANTITY_MAX})."})
        if not rows:
            extra.append({"warehouse_id": shop.warehouse_id, "code": 12019022,
                          "message": "SKU must contain a valid warehouse."})
        if extra:
            errors.append({"code": 12052990, "message": "Check failed",
                           "detail": {"sku_id": sku_id, "extra_errors": extra}})
            continue
        sku["inventory"] = [{"warehouse_id": shop.warehouse_id, "quantity": rows[-1]["quantity"]}]
    product.update_time = runtime.state.now()
    return {"errors": errors} if errors else {}


def _batch_ids(ctx: Ctx) -> list[str]:
    ids = ctx.body().get("product_ids")
    if not isinstance(ids, list) or not ids:
        raise ApiError(12052910, "Invalid input parameters: product_ids is required.")
    if len(ids) > BATCH_MAX:
        raise ApiError(12019120, f"The number of provided product IDs exceeds the limit ({BATCH_MAX}).")
    return [str(i) for i in ids]


def _batch(runtime: Runtime, ctx: Ctx, allowed: tuple[str, ...], target: str) -> dict[str, Any]:
    shop = ctx.need_shop()
    errors = []
    for product_id in _batch_ids(ctx):
        product = runtime.state.products.get(product_id)
        if product is None or product.shop_id != shop.id:
            errors.append({"code": 12052048, "message": "You can't edit other sellers' products",
                           "detail": {"product_id": product_id}})
            continue
        if product.status not in allowed:
            errors.append({"code": WRONG_STATUS, "message": f"The product in its current status ({product.status}) "
                                                            "is not available for this operation.",
                           "detail": {"product_id": product_id}})
            continue
        if target == "PENDING":
            submit_for_review(runtime, product)
        else:
            product.status = target
        product.update_time = runtime.state.now()
        if target != "PENDING":
            runtime.notify(shop.id, "PRODUCT_STATUS_CHANGE", {"product_id": int(product.id),
                                                              "status": "PRODUCT_STATUS_CHANGED",
                                                              "suspended_reason": "",
                                                              "update_time": product.update_time})
    return {"errors": errors} if errors else {}


async def activate_products(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/activate: deactivated or draft listings go back to audit."""
    return _batch(runtime, ctx, ("SELLER_DEACTIVATED", "DRAFT", "FAILED"), "PENDING")


async def deactivate_products(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/deactivate."""
    return _batch(runtime, ctx, ("ACTIVATE", "PENDING", "FAILED"), "SELLER_DEACTIVATED")


async def delete_products(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """DELETE /product/202309/products (JSON body)."""
    return _batch(runtime, ctx, ("DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED",
                                 "PLATFORM_DEACTIVATED"), "DELETED")


async def recover_products(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/recover: deleted listings come back deactivated."""
    return _batch(runtime, ctx, ("DELETED",), "SELLER_DEACTIVATED")


async def inventory_search(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/inventory/search (product_ids ≤100 or sku_ids ≤600; sku_ids win)."""
    shop, body = ctx.need_shop(), ctx.body()
    product_ids = [str(i) for i in body.get("product_ids") or []]
    sku_ids = [str(i) for i in body.get("sku_ids") or []]
    if len(product_ids) > 100:
        raise ApiError(12019120, "The number of provided product IDs exceeds the limit.")
    if len(sku_ids) > 600:
        raise ApiError(12019015, "The number of SKU exceed the limit")
    if not product_ids and not sku_ids:
        raise ApiError(12052910, "Invalid input parameters: product_ids or sku_ids is required.")
    out = []
    for product in runtime.state.shop_products(shop.id):
        skus = [s for s in product.skus if s["id"] in sku_ids] if sku_ids else (
            product.skus if product.id in product_ids else [])
        if not skus:
            continue
        out.append({"product_id": product.id, "skus": [{
            "id": s["id"], "seller_sku": s["seller_sku"],
            "total_available_quantity": sum(r["quantity"] for r in s["inventory"]),
            "total_committed_quantity": committed(runtime, s["id"]),
            "warehouse_inventory": [{"warehouse_id": r["warehouse_id"], "available_quantity": r["quantity"],
                                     "committed_quantity": committed(runtime, s["id"])}
                                    for r in s["inventory"]]} for s in skus]})
    return {"inventory": out}


def committed(runtime: Runtime, sku_id: str) -> int:
    """Units of a SKU in orders that are placed but not yet shipped."""
    return sum(1 for order in runtime.state.orders.values()
               if order.status in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")
               for item in order.line_items if item["sku_id"] == sku_id)


async def listing_check(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/products/listing_check: the create checks without creating."""
    shop = ctx.need_shop()
    try:
        listing = check_listing(runtime.state, shop, ctx.body())
    except ApiError as error:
        return {"check_result": "FAILED", "fail_reasons": [{"code": error.code, "message": error.message}],
                "warnings": []}
    return {"check_result": "PASS", "fail_reasons": [], "warnings": listing.warnings}
