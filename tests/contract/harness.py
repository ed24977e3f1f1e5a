"""What each platform's contract harness provides (tests/contract/harness_<platform>.py, class `Harness`).

A harness starts its platform's sandbox on a real loopback port and acts on it only through the platform's
own API (as a merchant or the store would) or the sandbox's /_sandbox control API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from feedbridge.sync.ports import StorePort


class StoreHarness(Protocol):
    platform: str
    base_url: str

    def start(self) -> None:
        """Start the sandbox empty (no seed) on a free loopback port."""

    def stop(self) -> None: ...

    def adapter(self) -> StorePort:
        """A fresh adapter built from the sandbox's credentials."""

    async def create_products(self, count: int, variants: int = 2) -> list[str]:
        """Create products through the platform API (each with `variants` SKUs, SKU 'C-<n>-<v>'); their ids."""

    async def set_variant(self, product_id: str, variant_id: str, *, price: Decimal | None = None,
                          compare_at: Decimal | None = None, stock: dict[str, int] | None = None) -> None:
        """Change a variant through the platform API; `stock` is location id → available."""

    async def location_ids(self) -> list[str]:
        """The store's stock locations (at least two where the platform has locations)."""

    async def count_orders(self, tiktok_order_id: str) -> int:
        """How many store orders carry this TikTok order id (read through the platform API)."""

    async def control(self, method: str, path: str, json: Any = None) -> Any:
        """Call the sandbox control API (/_sandbox/...)."""

    async def set_rate_limit(self, limit: int) -> None:
        """Tighten the sandbox's rate limit (0 restores the platform default) so the adapter must honour it."""

    order_create_path: str
    """Path substring of the platform's order-create endpoint (for the timeout-after-acting fault)."""

    def carrier(self) -> str:
        """A carrier name this store uses for fulfilments."""
