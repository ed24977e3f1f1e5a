"""Shopify sandbox: the Admin GraphQL API 2026-04 (catalog, inventory, orders, fulfilments, webhooks), OAuth,
cost-based throttling and signed REST-shaped webhooks, executed with graphql-core against the stored schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feedbridge_sandbox.shopify.app import API_VERSION, GRAPHQL_PATH, ShopifySandboxApp
from feedbridge_sandbox.shopify.seed import AdminCaller, default_csvs, seed_catalog

__all__ = ["API_VERSION", "GRAPHQL_PATH", "ShopifySandbox", "create_sandbox"]


class ShopifySandbox:
    """The sandbox protocol object (name, app, seed, manifest) around one simulated shop."""

    name = "shopify"

    def __init__(self, *, seed: bool = True, csv_paths: list[Path] | None = None, **options: Any) -> None:
        self.server = ShopifySandboxApp(**options)
        self.app = self.server.app
        self.should_seed = seed
        self.csv_paths = csv_paths

    @property
    def access_token(self) -> str:
        return self.server.access_token

    @property
    def client_secret(self) -> str:
        return self.server.app_install.client_secret

    async def seed(self, base_url: str) -> None:
        """Load the sample catalogs through the Admin GraphQL API (no-op when created with seed=False)."""
        if not self.should_seed:
            return
        call = AdminCaller(base_url, self.access_token)
        bucket = self.server.bucket
        restore_rate = bucket.restore_rate
        # A merchant's catalog import is not metered like app calls; the bucket is full again afterwards.
        bucket.configure(bucket.maximum, 1_000_000.0)
        try:
            await seed_catalog(call, self.csv_paths or default_csvs())
        finally:
            await call.aclose()
            bucket.configure(bucket.maximum, restore_rate)
            bucket.refund(int(bucket.maximum))

    def manifest(self, base_url: str) -> dict[str, Any]:
        return {
            "platform": "shopify",
            "base_url": base_url,
            "credentials": {"access_token": self.access_token, "client_secret": self.client_secret},
            "currency": self.server.state.currency,
            "shop_domain": self.server.state.domain,
            "api_version": API_VERSION,
            "graphql_url": f"{base_url}{GRAPHQL_PATH}",
            "client_id": self.server.app_install.client_id,
        }


def create_sandbox(*, seed: bool = True, **options: Any) -> ShopifySandbox:
    """A Shopify sandbox; seeds the sample catalogs on `seed(base_url)` unless seed=False."""
    return ShopifySandbox(seed=seed, **options)
