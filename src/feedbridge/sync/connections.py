"""Builds the store adapter or the TikTok adapter of one connection row from its decrypted credentials.

Factories can be replaced per runtime (runtime.services["store_factory"] / ["marketplace_factory"]), which the
tests of a single flow use; everything else goes through the real adapters.
"""

from __future__ import annotations

from typing import Any

from feedbridge.db.models import StoreConnection, TikTokShop
from feedbridge.runtime import Runtime
from feedbridge.stores import build_store
from feedbridge.sync.ports import MarketplacePort, StorePort


def store_for(runtime: Runtime, connection: StoreConnection) -> StorePort:
    """The adapter of one store connection."""
    factory = runtime.services.get("store_factory")
    if factory is not None:
        adapter: StorePort = factory(connection)
        return adapter
    credentials = runtime.vault.decrypt(connection.credentials)
    store = build_store(connection.platform, connection.base_url, credentials)
    # Counts its API calls; a store quota set by the operator (settings.requests_per_second) is shared by workers.
    return runtime.instrument(store, connection.platform, budget_scope=f"store:{connection.id}",  # type: ignore[no-any-return]
                              rate=(connection.settings or {}).get("requests_per_second"))


def marketplace_for(runtime: Runtime, shop: TikTokShop) -> MarketplacePort:
    """The TikTok adapter of one authorized shop (refreshes and stores its tokens when they expire)."""
    factory = runtime.services.get("marketplace_factory")
    if factory is not None:
        market: MarketplacePort = factory(shop)
        return market
    from feedbridge.tiktok.adapter import build_marketplace

    return build_marketplace(runtime, shop)


def shop_settings(shop: TikTokShop) -> dict[str, Any]:
    """A shop's order and fulfilment settings with defaults filled in."""
    defaults: dict[str, Any] = {
        "order_create_when": "after_hold",  # or "at_once"
        "order_number": "store",  # or "prefix"
        "order_prefix": "TT-",
        "default_provider_id": "",
        "restock_on_return": False,
        "auto_link_by_sku": True,
    }
    return {**defaults, **(shop.settings or {})}
