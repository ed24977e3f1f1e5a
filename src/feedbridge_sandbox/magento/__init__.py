"""Magento 2 sandbox: a store speaking the Magento REST API (`/rest/<store>/V1`), no webhooks (as Open Source).

`create_sandbox(seed=True, allow_bearer=False, reserve_imported_orders=True)`; the manifest's credentials are
what `MagentoAdapter` takes (OAuth 1.0a integration values).
"""

from __future__ import annotations

from typing import Any

from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender
from feedbridge_sandbox.magento.app import Store, build_app
from feedbridge_sandbox.magento.auth import Authenticator, Integration
from feedbridge_sandbox.magento.seed import seed_catalog


class MagentoSandbox:
    """A running-ready Magento store simulator."""

    name = "magento"

    def __init__(self, *, seed: bool = True, allow_bearer: bool = False, reserve_imported_orders: bool = True,
                 currency: str = "USD", integration: Integration | None = None) -> None:
        self.should_seed = seed
        self.clock = Clock()
        self.faults = FaultInjector()
        self.integration = integration or Integration()
        self.store = Store(self.clock, reserve_imported_orders=reserve_imported_orders, currency=currency)
        self.auth = Authenticator(self.integration, allow_bearer=allow_bearer)
        self.app = build_app(self.store, self.auth, self.faults, webhooks=WebhookSender(self.faults))

    async def seed(self, base_url: str) -> None:
        """Load the default apparel catalog through the REST API (no-op when created with seed=False)."""
        if self.should_seed:
            await seed_catalog(base_url, self.integration)

    def manifest(self, base_url: str) -> dict[str, Any]:
        credentials: dict[str, Any] = self.integration.credentials()
        return {"platform": "magento", "base_url": base_url, "credentials": credentials, "currency":
                self.store.currency, "store_code": "default", "stock_id": 1, "webhooks": False,
                "bearer_allowed": self.auth.allow_bearer}


def create_sandbox(*, seed: bool = True, **options: Any) -> MagentoSandbox:
    """A Magento sandbox; `seed=False` starts with an empty catalog (default source and stock only)."""
    return MagentoSandbox(seed=seed, **options)
