"""Store adapters, one package per platform, each implementing `feedbridge.sync.ports.StorePort`."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from feedbridge.sync.ports import StorePort

PLATFORMS: dict[str, str] = {
    "shopify": "feedbridge.stores.shopify.adapter:ShopifyAdapter",
    "bigcommerce": "feedbridge.stores.bigcommerce.adapter:BigCommerceAdapter",
    "woocommerce": "feedbridge.stores.woocommerce.adapter:WooCommerceAdapter",
    "magento": "feedbridge.stores.magento.adapter:MagentoAdapter",
}


def build_store(platform: str, base_url: str, credentials: Mapping[str, Any], **options: Any) -> StorePort:
    """Build the adapter for one store connection from its credentials."""
    module_name, _, class_name = PLATFORMS[platform].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    adapter: StorePort = cls(base_url, credentials, **options)
    return adapter
