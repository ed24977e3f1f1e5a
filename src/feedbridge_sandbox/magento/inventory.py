"""MSI in the sandbox: sources, one default stock linked to sources, source items and reservations.

Salable quantity for a stock = the quantities of in-stock source items on the stock's enabled sources plus
the reservations on that stock (orders add negative ones; shipments and cancellations compensate).
"""

from __future__ import annotations

from typing import Any

from feedbridge_sandbox.magento.errors import bad_request, not_found, required


class Inventory:
    """Sources, stock-source links, source items keyed by (sku, source_code) and reservations."""

    def __init__(self) -> None:
        self.sources: dict[str, dict[str, Any]] = {
            "default": {"source_code": "default", "name": "Default Source", "enabled": True,
                        "country_id": "US", "postcode": "00000", "use_default_carrier_config": True,
                        "carrier_links": []},
        }
        self.stocks: dict[int, dict[str, Any]] = {1: {"stock_id": 1, "name": "Default Stock"}}
        self.links: list[dict[str, Any]] = [{"stock_id": 1, "source_code": "default", "priority": 1}]
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.reservations: list[dict[str, Any]] = []

    def add_source(self, data: dict[str, Any]) -> None:
        for name in ("source_code", "name", "country_id", "postcode"):
            if not data.get(name):
                raise required(name)
        code = str(data["source_code"])
        if code in self.sources:
            raise bad_request('Could not save Source: Source with code "%1" already exists.', [code])
        self.sources[code] = {"enabled": True, "use_default_carrier_config": True, "carrier_links": [], **data}

    def source(self, code: str) -> dict[str, Any]:
        if code not in self.sources:
            raise not_found('Source with code "%value" does not exist.', {"value": code})
        return self.sources[code]

    def link(self, links: list[dict[str, Any]]) -> None:
        for link in links:
            stock_id, code = int(link.get("stock_id") or 0), str(link.get("source_code") or "")
            if stock_id not in self.stocks:
                raise bad_request('Stock with id "%value" does not exist.', {"value": stock_id})
            self.source(code)
            self.links = [x for x in self.links if not (x["stock_id"] == stock_id and x["source_code"] == code)]
            self.links.append({"stock_id": stock_id, "source_code": code, "priority": int(link.get("priority") or 1)})

    def save_items(self, items: list[dict[str, Any]], known_sku: Any) -> None:
        for item in items:
            sku, code = item.get("sku"), item.get("source_code")
            if not sku:
                raise required("sku")
            if not code:
                raise required("source_code")
            self.source(str(code))
            if not known_sku(str(sku)):
                raise bad_request('Product with SKU "%1" does not exist.', [sku])
            quantity = float(item.get("quantity") or 0)
            self.items[(str(sku), str(code))] = {"sku": str(sku), "source_code": str(code), "quantity": quantity,
                                                 "status": int(item.get("status", 1 if quantity > 0 else 0))}

    def item_list(self) -> list[dict[str, Any]]:
        return list(self.items.values())

    def stock_sources(self, stock_id: int) -> list[str]:
        return [link["source_code"] for link in sorted(self.links, key=lambda x: x["priority"])
                if link["stock_id"] == stock_id and self.sources[link["source_code"]].get("enabled", True)]

    def salable(self, sku: str, stock_id: int = 1) -> float:
        if stock_id not in self.stocks:
            raise bad_request('Stock with id "%value" does not exist.', {"value": stock_id})
        quantity = sum(item["quantity"] for code in self.stock_sources(stock_id)
                       if (item := self.items.get((sku, code))) and item["status"] == 1)
        reserved = sum(r["quantity"] for r in self.reservations if r["sku"] == sku and r["stock_id"] == stock_id)
        return quantity + reserved

    def reserve(self, sku: str, quantity: float, event: str, order_id: int, stock_id: int = 1) -> None:
        self.reservations.append({"sku": sku, "quantity": quantity, "stock_id": stock_id,
                                  "metadata": {"event_type": event, "object_type": "order", "object_id": order_id}})

    def deduct(self, sku: str, quantity: float, source_code: str | None, stock_id: int = 1) -> str:
        """Take shipped quantity from a source (the named one, else the first with enough); its code."""
        codes = [source_code] if source_code else self.stock_sources(stock_id)
        if source_code:
            self.source(source_code)
        chosen = next((c for c in codes if (i := self.items.get((sku, c))) and i["quantity"] >= quantity),
                      codes[0] if codes else "default")
        item = self.items.setdefault((sku, chosen), {"sku": sku, "source_code": chosen, "quantity": 0.0,
                                                     "status": 0})
        item["quantity"] -= quantity
        if item["quantity"] <= 0:
            item["status"] = 0
        return chosen
