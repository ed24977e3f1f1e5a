"""The BigCommerce sandbox: v3 catalog / inventory / channels / hooks and v2 orders, as a real store answers.

`create_sandbox(seed=True)` returns the sandbox object; `seed(base_url)` loads the Shopify sample catalogs
through the sandbox's own API. Control routes: the shared /_sandbox API plus `/_sandbox/ratelimit`
(GET the quota and the 429s given; POST {"quota": n, "window_ms": ms}; 0 restores the sandbox default, 150 per 30 s).
"""

from __future__ import annotations

from typing import Any

from feedbridge_sandbox.bigcommerce.admin import admin_routes
from feedbridge_sandbox.bigcommerce.app import BigCommerceSandbox, build_app
from feedbridge_sandbox.bigcommerce.catalog import catalog_routes
from feedbridge_sandbox.bigcommerce.inventory import inventory_routes
from feedbridge_sandbox.bigcommerce.orders import order_routes
from feedbridge_sandbox.bigcommerce.seed import seed_catalog


class Sandbox:
    """A running-ready BigCommerce sandbox (see feedbridge_sandbox.base.Sandbox)."""

    name = "bigcommerce"

    def __init__(self, *, seed: bool = True, **options: Any) -> None:
        self.seed_enabled = seed
        self.store = BigCommerceSandbox(**options)
        routes = (catalog_routes(self.store) + inventory_routes(self.store) + order_routes(self.store)
                  + admin_routes(self.store))
        self.app = build_app(self.store, routes)

    async def seed(self, base_url: str) -> None:
        """Load the sample catalog through the v3 API (no-op when created with seed=False)."""
        if self.seed_enabled:
            await seed_catalog(base_url, self.store.store_hash, self.store.access_token)

    def manifest(self, base_url: str) -> dict[str, Any]:
        """What the adapter needs to connect: base URL and exactly its constructor's credentials."""
        return {
            "platform": "bigcommerce", "base_url": base_url, "currency": self.store.state.currency,
            "credentials": {"store_hash": self.store.store_hash, "access_token": self.store.access_token,
                            "client_secret": self.store.client_secret},
            "client_id": self.store.client_id,
            "locations": sorted(self.store.state.locations),
            "ratelimit": {"quota": self.store.quota, "window_ms": self.store.window_ms},
        }


def create_sandbox(*, seed: bool = True, **options: Any) -> Sandbox:
    """A BigCommerce sandbox; options: store_hash, access_token, client_secret, client_id, quota, window_ms."""
    return Sandbox(seed=seed, **options)


__all__ = ["Sandbox", "create_sandbox"]
