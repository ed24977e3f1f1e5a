"""WooCommerce sandbox routes for orders, order notes and the Shipment Tracking extension."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from feedbridge_sandbox.woocommerce import orders as order_ops
from feedbridge_sandbox.woocommerce.plumbing import (
    WooApiBase,
    int_list,
)
from feedbridge_sandbox.woocommerce.store import (
    TRACKING_PROVIDERS,
    ApiError,
)


class OrderRoutes(WooApiBase):
    """Order, note and tracking handlers."""

    # ---- orders -----------------------------------------------------------------------------------------

    async def list_orders(self, request: Request) -> Response:
        """GET /orders (search covers addresses, email and item names)."""
        q = request.query_params
        orders = list(self.store.orders.values())
        status = q.get("status", "any")
        if status != "any":
            wanted = set(status.split(","))
            orders = [o for o in orders if o["status"] in wanted]
        if "search" in q:
            term = q["search"].lower().strip()
            orders = [o for o in orders if term == str(o["id"]) or term in self.store.order_search_text(o)]
        if "include" in q:
            ids = int_list(q["include"])
            orders = [o for o in orders if o["id"] in ids]
        items = [order_ops.order_json(self.store, o) for o in orders]
        items = self.filter_dates(request, items)
        items = self.order_by(request, items, ("date", "id", "include", "title", "slug", "modified"))
        return self.page(request, items)

    async def create_order(self, request: Request) -> Response:
        """POST /orders."""
        order = order_ops.create_order(self.store, await self.body(request))
        return JSONResponse(order_ops.order_json(self.store, order), status_code=201)

    async def get_order(self, request: Request) -> dict[str, Any]:
        """GET /orders/{id}."""
        return order_ops.order_json(self.store, order_ops.get_order(self.store, request.path_params["id"]))

    async def update_order(self, request: Request) -> dict[str, Any]:
        """PUT /orders/{id}."""
        order = order_ops.update_order(self.store, request.path_params["id"], await self.body(request))
        return order_ops.order_json(self.store, order)

    async def list_notes(self, request: Request) -> list[dict[str, Any]]:
        """GET /orders/{id}/notes."""
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        kind = request.query_params.get("type", "any")
        notes = self.store.notes.get(oid, [])
        if kind == "customer":
            notes = [n for n in notes if n["customer_note"]]
        elif kind == "internal":
            notes = [n for n in notes if not n["customer_note"]]
        return [order_ops.note_json(self.store, oid, n) for n in reversed(notes)]

    async def create_note(self, request: Request) -> Response:
        """POST /orders/{id}/notes."""
        oid = request.path_params["order_id"]
        data = await self.body(request)
        note = order_ops.add_note(self.store, oid, str(data.get("note") or ""),
                                  customer_note=bool(data.get("customer_note", False)))
        return JSONResponse(order_ops.note_json(self.store, oid, note), status_code=201)

    # ---- Shipment Tracking extension ----------------------------------------------------------------------

    async def list_trackings(self, request: Request) -> list[dict[str, Any]]:
        """GET shipment-trackings."""
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        return [order_ops.tracking_json(self.store, oid, t) for t in self.store.trackings.get(oid, [])]

    async def create_tracking(self, request: Request) -> Response:
        """POST shipment-trackings."""
        oid = request.path_params["order_id"]
        entry = order_ops.add_tracking(self.store, oid, await self.body(request))
        return JSONResponse(order_ops.tracking_json(self.store, oid, entry), status_code=201)

    async def get_tracking(self, request: Request) -> dict[str, Any]:
        """GET shipment-trackings/{id}."""
        oid = request.path_params["order_id"]
        order_ops.get_order(self.store, oid)
        for entry in self.store.trackings.get(oid, []):
            if entry["tracking_id"] == request.path_params["tracking_id"]:
                return order_ops.tracking_json(self.store, oid, entry)
        raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid tracking ID.")

    async def delete_tracking(self, request: Request) -> dict[str, Any]:
        """DELETE shipment-trackings/{id}."""
        oid = request.path_params["order_id"]
        entries = self.store.trackings.get(oid, [])
        for entry in entries:
            if entry["tracking_id"] == request.path_params["tracking_id"]:
                entries.remove(entry)
                self.store.emit("order.updated", "order", oid)
                return {"message": "Successfully deleted tracking ID."}
        raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid tracking ID.")

    async def providers(self, request: Request) -> dict[str, Any]:
        """GET shipment-trackings/providers."""
        return TRACKING_PROVIDERS
