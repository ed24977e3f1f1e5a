"""v2 order routes of the BigCommerce sandbox: orders, their products, shipping addresses, shipments, statuses."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from feedbridge.stores.bigcommerce.carriers import carrier_name, is_valid_value
from feedbridge_sandbox.bigcommerce.app import BigCommerceSandbox, api, body_of
from feedbridge_sandbox.bigcommerce.shapes import (
    ADDRESS_KEYS,
    ORDER_DEFAULTS,
    ORDER_STATUSES,
    SHIPPING_PROVIDERS,
    defaults,
    v2_listing,
)
from feedbridge_sandbox.bigcommerce.state import ApiError

V2 = "/stores/{store_hash}/v2"
RELEASES_STOCK = {4, 5, 6}  # Refunded, Cancelled, Declined
WRITABLE = {"staff_notes", "customer_message", "payment_method", "external_source", "external_id",
            "external_merchant_id", "discount_amount"}


def _amount(value: Any, field: str) -> str:
    try:
        return f"{Decimal(str(value if value not in (None, '') else 0)):.4f}"
    except InvalidOperation as exc:
        raise ApiError(400, f"The field '{field}' is invalid.") from exc


def _address(data: Any, field: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ApiError(400, f"The field '{field}' is invalid.")
    if not data.get("zip"):
        raise ApiError(400, f"The field '{field}.zip' cannot be blank.")
    return {k: str(data.get(k) or "") for k in ADDRESS_KEYS}


def order_routes(sb: BigCommerceSandbox) -> list[Route]:
    """Routes for /v2/orders..., /v2/order_statuses and /v2/store."""
    st = sb.state

    def render(order: dict[str, Any]) -> dict[str, Any]:
        out = dict(order)
        base = f"https://api.bigcommerce.com/stores/{sb.store_hash}/v2/orders/{order['id']}"
        for name in ("products", "shipping_addresses", "coupons"):
            out[name] = {"url": f"{base}/{name}", "resource": f"/orders/{order['id']}/{name}"}
        out["billing_address"] = {**order["billing_address"], "form_fields": []}
        return out

    def find(request: Request) -> dict[str, Any]:
        order = st.orders.get(int(request.path_params["order_id"]))
        if order is None or order["is_deleted"]:
            raise ApiError(404, "The requested resource was not found.")
        return order

    def stock_changed(variant: dict[str, Any], change: int) -> None:
        inventory = {"product_id": variant["product_id"], "method": "relative", "value": change}
        st.touch(variant["product_id"])
        if variant["option_values"]:
            sb.emit("store/sku/inventory/order/updated", {"type": "sku", "id": variant["sku_id"], "inventory": {
                **inventory, "variant_id": variant["id"]}})
        else:
            sb.emit("store/product/inventory/order/updated", {"type": "product", "id": variant["product_id"],
                                                              "inventory": inventory})

    def take_stock(order_id: int) -> None:
        """Orders take stock from the default location, as the store's default inventory settings do."""
        location = min(st.locations)
        taken = []
        for line in st.order_products[order_id]:
            variant = st.variants.get(line["variant_id"])
            if variant is None:
                continue
            have = st.stock.get((variant["id"], location), 0)
            qty = min(have, line["quantity"])
            st.stock[(variant["id"], location)] = have - qty
            taken.append((variant["id"], location, qty))
            stock_changed(variant, -qty)
        st.order_stock[order_id] = taken

    def return_stock(order_id: int) -> None:
        """A cancelled, declined or refunded order gives back what it took."""
        for variant_id, location, qty in st.order_stock.pop(order_id, []):
            variant = st.variants.get(variant_id)
            if variant is None:
                continue
            st.stock[(variant_id, location)] = st.stock.get((variant_id, location), 0) + qty
            stock_changed(variant, qty)

    def set_status(order: dict[str, Any], status_id: int) -> None:
        if status_id not in ORDER_STATUSES:
            raise ApiError(400, f"The field 'status_id' is invalid: {status_id}.")
        previous = order["status_id"]
        order.update({"status_id": status_id, "status": ORDER_STATUSES[status_id],
                      "custom_status": ORDER_STATUSES[status_id]})
        if status_id == 2 and not order["date_shipped"]:
            order["date_shipped"] = st.now_rfc()
        if status_id in RELEASES_STOCK and order["id"] in st.order_stock:
            return_stock(order["id"])
        if previous != status_id and order["id"] in st.orders:
            sb.emit("store/order/statusUpdated", {"type": "order", "id": order["id"], "status": {
                "previous_status_id": previous, "new_status_id": status_id}})

    @api
    async def list_orders(request: Request) -> Response:
        q = request.query_params
        rows = [o for o in st.orders.values() if not o["is_deleted"]]
        for param in ("channel_id", "status_id", "customer_id"):
            if q.get(param) is not None:
                rows = [o for o in rows if str(o[param]) == q[param]]
        if q.get("external_order_id") is not None:
            rows = [o for o in rows if o["external_order_id"] == q["external_order_id"]]
        if q.get("email"):
            rows = [o for o in rows if o["billing_address"]["email"] == q["email"]]
        key = q.get("sort", "id").split(":")[0]
        if key not in ("id", "customer_id", "date_created", "date_modified", "status_id", "channel_id"):
            raise ApiError(400, f"The sort field '{key}' is invalid.")
        rows.sort(key=lambda o: (o[key], o["id"]), reverse=q.get("sort", "").endswith(":desc"))
        return v2_listing([render(o) for o in rows], request)

    @api
    async def create_order(request: Request) -> Response:
        data = await body_of(request)
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be an object.")
        if "billing_address" not in data:
            raise ApiError(400, "The field 'billing_address' cannot be blank.")
        if not data.get("products"):
            raise ApiError(400, "The field 'products' cannot be blank.")
        billing = _address(data["billing_address"], "billing_address")
        channel_id = int(data.get("channel_id", 1))
        channel = st.channels.get(channel_id)
        if channel is None or channel["status"] in ("archived", "deleted"):
            raise ApiError(400, f"The channel {channel_id} does not exist or is not enabled.")
        lines = []
        for index, row in enumerate(data["products"]):
            quantity = int(row.get("quantity") or 0)
            if quantity < 1:
                raise ApiError(400, f"The field 'products[{index}].quantity' is invalid.")
            if "product_id" in row:
                product = st.products.get(int(row["product_id"]))
                if product is None:
                    raise ApiError(400, f"Product {row['product_id']} does not exist.")
                variants = st.product_variants(product["id"])
                variant = next((v for v in variants if v["id"] == int(row.get("variant_id") or 0)), None)
                if variant is None and len(variants) == 1:
                    variant = variants[0]
                if variant is None:
                    raise ApiError(400, f"products[{index}].variant_id does not belong to product {product['id']}.")
                name, sku, product_id, variant_id = product["name"], variant["sku"], product["id"], variant["id"]
                price = row.get("price_inc_tax", variant["price"] if variant["price"] is not None
                                else product["price"])
            else:
                if not row.get("name"):
                    raise ApiError(400, f"The field 'products[{index}].name' cannot be blank.")
                name, sku, product_id, variant_id = str(row["name"]), str(row.get("sku", "")), 0, 0
                price = row.get("price_inc_tax", 0)
            lines.append((name, sku, product_id, variant_id, quantity, _amount(price, "price_inc_tax"),
                          _amount(row.get("price_ex_tax", price), "price_ex_tax")))
        oid = st.next_id("order")
        now = st.now_rfc()
        order = defaults(ORDER_DEFAULTS)
        for key in WRITABLE & set(data):
            order[key] = data[key]
        currency = str(data.get("default_currency_code") or st.currency)
        order.update({
            "id": oid, "date_created": now, "date_modified": now, "billing_address": billing,
            "channel_id": channel_id, "customer_id": int(data.get("customer_id") or 0),
            "external_order_id": str(data.get("external_order_id") or ""),
            "items_total": sum(line[4] for line in lines), "currency_code": currency,
            "default_currency_code": currency, "store_default_currency_code": st.currency,
            "cart_id": f"sbx-cart-{oid}",
        })
        for field in ("subtotal_ex_tax", "subtotal_inc_tax", "shipping_cost_ex_tax", "shipping_cost_inc_tax",
                      "total_ex_tax", "total_inc_tax", "discount_amount"):
            if field in data:
                order[field] = _amount(data[field], field)
        order["base_shipping_cost"] = order["shipping_cost_inc_tax"]
        order["total_tax"] = f"{Decimal(order['total_inc_tax']) - Decimal(order['total_ex_tax']):.4f}"
        order["subtotal_tax"] = f"{Decimal(order['subtotal_inc_tax']) - Decimal(order['subtotal_ex_tax']):.4f}"
        set_status(order, int(data.get("status_id", 1)))
        addresses = []
        for row in data.get("shipping_addresses") or [data["billing_address"]]:
            address = _address(row, "shipping_addresses")
            aid = st.next_id("order_address")
            addresses.append({"id": aid, "order_id": oid, **address,
                              "shipping_method": str(row.get("shipping_method", "")), "items_total": 0,
                              "items_shipped": 0, "base_cost": order["shipping_cost_inc_tax"],
                              "cost_ex_tax": order["shipping_cost_ex_tax"],
                              "cost_inc_tax": order["shipping_cost_inc_tax"], "cost_tax": "0.0000",
                              "cost_tax_class_id": 2, "base_handling_cost": "0.0000",
                              "handling_cost_ex_tax": "0.0000", "handling_cost_inc_tax": "0.0000",
                              "handling_cost_tax": "0.0000", "handling_cost_tax_class_id": 2,
                              "shipping_zone_id": 1, "shipping_zone_name": "United States", "form_fields": [],
                              "shipping_quotes": {"url": "", "resource": ""}})
        addresses[0]["items_total"] = order["items_total"]
        order["shipping_address_count"] = len(addresses)
        products = []
        for name, sku, product_id, variant_id, quantity, inc, ex in lines:
            opid = st.next_id("order_product")
            products.append({
                "id": opid, "order_id": oid, "product_id": product_id, "variant_id": variant_id,
                "order_address_id": addresses[0]["id"], "name": name, "sku": sku, "type": "physical",
                "base_price": inc, "price_ex_tax": ex, "price_inc_tax": inc,
                "price_tax": f"{Decimal(inc) - Decimal(ex):.4f}",
                "base_total": f"{Decimal(inc) * quantity:.4f}", "total_ex_tax": f"{Decimal(ex) * quantity:.4f}",
                "total_inc_tax": f"{Decimal(inc) * quantity:.4f}",
                "total_tax": f"{(Decimal(inc) - Decimal(ex)) * quantity:.4f}", "quantity": quantity,
                "quantity_shipped": 0, "is_refunded": False, "quantity_refunded": 0, "refund_amount": "0.0000",
                "return_id": 0, "wrapping_id": 0, "wrapping_name": None, "base_wrapping_cost": "0.0000",
                "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000",
                "wrapping_cost_tax": "0.0000", "wrapping_message": "", "event_name": None, "event_date": None,
                "fixed_shipping_cost": "0.0000", "ebay_item_id": "", "ebay_transaction_id": "",
                "option_set_id": None, "parent_order_product_id": None, "is_bundled_product": False,
                "bin_picking_number": "", "external_id": None, "brand": "", "applied_discounts": [],
                "product_options": [], "configurable_fields": [], "upc": "",
            })
        st.orders[oid] = order
        st.order_addresses[oid] = addresses
        st.order_products[oid] = products
        st.shipments[oid] = []
        if order["status_id"] not in RELEASES_STOCK and order["status_id"] != 0:
            take_stock(oid)
        sb.emit("store/order/created", {"type": "order", "id": oid})
        return JSONResponse(render(order))  # orders.v2.oas2.yml documents 200 for createOrder

    @api
    async def get_order(request: Request) -> Response:
        return JSONResponse(render(find(request)))

    @api
    async def update_order(request: Request) -> Response:
        order = find(request)
        data = await body_of(request)
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be an object.")
        for key in WRITABLE & set(data):
            order[key] = data[key]
        if "status_id" in data:
            set_status(order, int(data["status_id"]))
        order["date_modified"] = st.now_rfc()
        sb.emit("store/order/updated", {"type": "order", "id": order["id"]})
        return JSONResponse(render(order))

    @api
    async def order_products(request: Request) -> Response:
        order = find(request)
        return v2_listing([dict(p) for p in st.order_products[order["id"]]], request)

    @api
    async def order_addresses(request: Request) -> Response:
        order = find(request)
        return v2_listing([dict(a) for a in st.order_addresses[order["id"]]], request)

    @api
    async def list_shipments(request: Request) -> Response:
        order = find(request)
        return v2_listing([dict(s) for s in st.shipments[order["id"]]], request)

    @api
    async def create_shipment(request: Request) -> Response:
        order = find(request)
        data = await body_of(request)
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be an object.")
        address = next((a for a in st.order_addresses[order["id"]]
                        if a["id"] == int(data.get("order_address_id") or 0)), None)
        if address is None:
            raise ApiError(400, "The field 'order_address_id' is invalid.")
        carrier = str(data.get("tracking_carrier") or "")
        if carrier and not is_valid_value(carrier):
            raise ApiError(400, f"The field 'tracking_carrier' is invalid: {carrier}.")
        provider = str(data.get("shipping_provider") or "")
        if provider not in SHIPPING_PROVIDERS and not provider.startswith("carrier_"):
            raise ApiError(400, f"The field 'shipping_provider' is invalid: {provider}.")
        products = {p["id"]: p for p in st.order_products[order["id"]]}
        items = []
        for row in data.get("items") or []:
            product = products.get(int(row.get("order_product_id") or 0))
            quantity = int(row.get("quantity") or 0)
            if product is None:
                raise ApiError(400, f"The order product {row.get('order_product_id')} is not in this order.")
            if quantity < 1 or product["quantity_shipped"] + quantity > product["quantity"]:
                raise ApiError(400, f"The quantity for order product {product['id']} is more than remains.")
            items.append((product, quantity))
        if not items:
            raise ApiError(400, "The field 'items' cannot be blank.")
        for product, quantity in items:
            product["quantity_shipped"] += quantity
        sid = st.next_id("shipment")
        tracking = str(data.get("tracking_number") or "")
        link = str(data.get("tracking_link") or "")
        if not link and carrier:
            link = f"https://track.aftership.com/{carrier}/{tracking}"
        shipment = {
            "id": sid, "order_id": order["id"], "customer_id": order["customer_id"],
            "order_address_id": address["id"], "date_created": st.now_rfc(), "tracking_number": tracking,
            "merchant_shipping_cost": _amount(data.get("merchant_shipping_cost", 0), "merchant_shipping_cost"),
            "shipping_method": str(data.get("shipping_method") or "None"), "comments": str(data.get("comments", "")),
            "shipping_provider": provider, "tracking_carrier": carrier, "tracking_link": str(data.get("tracking_link") or ""),
            "billing_address": {k: order["billing_address"][k] for k in ADDRESS_KEYS},
            "shipping_address": {k: address[k] for k in ADDRESS_KEYS},
            "items": [{"order_product_id": p["id"], "product_id": p["product_id"], "quantity": q} for p, q in items],
            "shipping_provider_display_name": SHIPPING_PROVIDERS.get(provider, "") or
            (carrier_name(carrier) if carrier else ""),
            "generated_tracking_link": link,
        }
        st.shipments[order["id"]].append(shipment)
        shipped = sum(p["quantity_shipped"] for p in st.order_products[order["id"]])
        order["items_shipped"] = shipped
        set_status(order, 2 if shipped >= order["items_total"] else 3)
        sb.emit("store/shipment/created", {"type": "shipment", "id": sid, "orderId": order["id"]})
        return JSONResponse(shipment, status_code=201)

    @api
    async def list_statuses(request: Request) -> Response:
        return JSONResponse([{"id": sid, "name": name, "system_label": name, "custom_label": name,
                              "system_description": name, "order": sid} for sid, name in ORDER_STATUSES.items()])

    @api
    async def store_info(request: Request) -> Response:
        return JSONResponse({
            "id": sb.store_hash, "domain": "sandbox.mybigcommerce.com",
            "secure_url": "https://sandbox.mybigcommerce.com", "name": st.store_name,
            "first_name": "Sandbox", "last_name": "Merchant", "address": "1 Commerce Way, Austin, TX 78701",
            "country": "United States", "country_code": "US", "phone": "5550100", "admin_email": "store@example.com",
            "order_email": "store@example.com", "timezone": {"name": "Etc/UTC", "raw_offset": 0,
                                                            "dst_offset": 0, "dst_correction": False},
            "language": "en", "currency": st.currency, "currency_symbol": "$", "decimal_separator": ".",
            "thousands_separator": ",", "decimal_places": 2, "dimension_units": "Inches", "weight_units": "LBS",
            "plan_name": "Sandbox", "plan_level": "Standard", "industry": "Retail", "is_price_entered_with_tax": False,
            "features": {"multi_location_inventory": True},
        })

    return [
        Route(V2 + "/orders", list_orders, methods=["GET"]),
        Route(V2 + "/orders", create_order, methods=["POST"]),
        Route(V2 + "/orders/{order_id:int}", get_order, methods=["GET"]),
        Route(V2 + "/orders/{order_id:int}", update_order, methods=["PUT"]),
        Route(V2 + "/orders/{order_id:int}/products", order_products, methods=["GET"]),
        Route(V2 + "/orders/{order_id:int}/shipping_addresses", order_addresses, methods=["GET"]),
        Route(V2 + "/orders/{order_id:int}/shipments", list_shipments, methods=["GET"]),
        Route(V2 + "/orders/{order_id:int}/shipments", create_shipment, methods=["POST"]),
        Route(V2 + "/order_statuses", list_statuses, methods=["GET"]),
        Route(V2 + "/store", store_info, methods=["GET"]),
    ]
