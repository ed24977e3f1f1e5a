"""The TikTok sandbox's manifest and its seeded "existing" listings, over real HTTP."""

from __future__ import annotations

import asyncio

from feedbridge_sandbox.core import serve
from feedbridge_sandbox.tiktok import create_sandbox
from tests.integration.sandbox_tiktok.helpers import TikTok


def test_seed_lists_live_products_with_the_shopify_sample_skus() -> None:
    sandbox = create_sandbox(seed=True)
    server = serve(sandbox.app)
    try:
        manifest = sandbox.manifest(server.url)
        asyncio.run(sandbox.seed(server.url))
        tt = TikTok(manifest)
        found = tt.ok("POST", "/product/202309/products/search",
                      {"status": "ACTIVATE", "seller_skus": ["OCEAN-BLUE-SHIRT", "CLASSIC-VARSITY-TOP-MEDIUM",
                                                             "YELLOW-WOOL-JUMPER"]}, query={"page_size": "10"})
        assert sorted(p["title"] for p in found["products"]) == [
            "Classic Varsity Top", "Ocean Blue Shirt", "Yellow Wool Jumper"]
        varsity = next(p for p in found["products"] if p["title"] == "Classic Varsity Top")
        assert [s["seller_sku"] for s in varsity["skus"]] == [
            "CLASSIC-VARSITY-TOP-SMALL", "CLASSIC-VARSITY-TOP-MEDIUM", "CLASSIC-VARSITY-TOP-LARGE"]
    finally:
        server.stop()


def test_seed_false_leaves_the_shop_empty() -> None:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        asyncio.run(sandbox.seed(server.url))
        tt = TikTok(sandbox.manifest(server.url))
        assert tt.ok("POST", "/product/202309/products/search", {}, query={"page_size": "10"})["total_count"] == 0
    finally:
        server.stop()


def test_manifest_lists_us_and_gb_shops_with_working_tokens() -> None:
    sandbox = create_sandbox(seed=False, regions=("VN",))
    server = serve(sandbox.app)
    try:
        manifest = sandbox.manifest(server.url + "/")
        assert {k for k in manifest} >= {"platform", "api_url", "auth_url", "app_key", "app_secret", "service_id",
                                        "shops"}
        assert [s["region"] for s in manifest["shops"]] == ["US", "GB", "VN"]
        assert [s["currency"] for s in manifest["shops"]] == ["USD", "GBP", "VND"]
        for index, shop in enumerate(manifest["shops"]):
            assert set(shop) == {"id", "cipher", "region", "name", "currency", "warehouse_id", "access_token",
                                 "refresh_token"}
            tt = TikTok(manifest, shop=index)
            warehouses = tt.ok("GET", "/logistics/202309/warehouses")["warehouses"]
            assert shop["warehouse_id"] in [w["id"] for w in warehouses]
        TikTok(manifest).control("POST", "/reset")
        TikTok(manifest).ok("GET", "/logistics/202309/warehouses")  # tokens survive a reset
    finally:
        server.stop()


def test_shops_can_be_opened_in_every_served_region() -> None:
    sandbox = create_sandbox(seed=False)
    server = serve(sandbox.app)
    try:
        tt = TikTok(sandbox.manifest(server.url))
        for region in ("SG", "VN", "TH", "MY", "ID", "PH", "CN"):
            shop = tt.control("POST", "/shops", {"region": region})
            client = TikTok({**tt.manifest, "shops": [shop]})
            categories = client.ok("GET", "/product/202309/categories")["categories"]
            assert len(categories) >= 300
            options = client.ok("GET", f"/logistics/202309/warehouses/{shop['warehouse_id']}/delivery_options")
            seller = next(o for o in options["delivery_options"] if o["type"] == "SEND_BY_SELLER")
            assert client.ok("GET", f"/logistics/202309/delivery_options/{seller['id']}/shipping_providers")[
                "shipping_providers"]
    finally:
        server.stop()
