"""Listings in the TikTok sandbox: catalog data, image upload, validation codes, review and its webhooks,
search with page tokens, edits, price and stock updates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sandbox_tiktok.conftest import subscribe
from tests.integration.sandbox_tiktok.helpers import TikTok, WebhookReceiver, webhook_sign

PRODUCTS = "/product/202309/products"


def test_us_category_tree_is_v2_with_hundreds_of_categories(tt: TikTok) -> None:
    categories = tt.ok("GET", "/product/202309/categories", query={"category_version": "v2"})["categories"]
    leaves = [c for c in categories if c["is_leaf"]]
    assert len(categories) >= 300 and len(leaves) >= 250
    ids = {c["id"] for c in categories}
    assert all(c["parent_id"] == "0" or c["parent_id"] in ids for c in categories)
    assert {"AVAILABLE", "INVITE_ONLY"} <= {s for c in categories for s in c["permission_statuses"]}


def test_us_shop_asking_for_v1_categories_gets_12052217(tt: TikTok) -> None:
    _, code, _ = tt.error("GET", "/product/202309/categories", query={"category_version": "v1"})
    assert code == 12052217


def test_gb_shop_uses_v1_tree_and_uk_carriers(tt: TikTok) -> None:
    gb = TikTok(tt.manifest, shop=1)
    categories = gb.ok("GET", "/product/202309/categories", query={"category_version": "v1"})["categories"]
    assert len(categories) >= 300
    options = gb.ok("GET", f"/logistics/202309/warehouses/{gb.shop['warehouse_id']}/delivery_options")
    seller = next(o for o in options["delivery_options"] if o["type"] == "SEND_BY_SELLER")
    providers = gb.ok("GET", f"/logistics/202309/delivery_options/{seller['id']}/shipping_providers")
    assert {"Royal Mail", "Evri", "DPD"} <= {p["name"] for p in providers["shipping_providers"]}


def test_leaf_attributes_include_required_material_and_sales_size(tt: TikTok) -> None:
    leaf = tt.leaf_for("Ocean Blue Shirt")
    attributes = tt.ok("GET", f"/product/202309/categories/{leaf}/attributes",
                       query={"category_version": "v2"})["attributes"]
    by_name = {a["name"]: a for a in attributes}
    assert by_name["Material"]["is_requried"] is True and by_name["Material"]["type"] == "PRODUCT_PROPERTY"
    assert by_name["Size"]["type"] == "SALES_PROPERTY" and by_name["Size"]["values"]
    rules = tt.ok("GET", f"/product/202309/categories/{leaf}/rules", query={"category_version": "v2"})
    assert rules["package_dimension"] == {"is_required": True}
    assert rules["size_chart"]["is_supported"] is True


def test_recommend_category_without_a_match_answers_12019064(tt: TikTok) -> None:
    _, code, _ = tt.error("POST", "/product/202309/categories/recommend",
                          {"product_title": "Zzyzx qwv", "category_version": "v2"})
    assert code == 12019064


def test_us_carriers_include_usps_ups_fedex_dhl(tt: TikTok) -> None:
    options = tt.ok("GET", f"/logistics/202309/warehouses/{tt.shop['warehouse_id']}/delivery_options")
    seller = next(o for o in options["delivery_options"] if o["type"] == "SEND_BY_SELLER")
    providers = tt.ok("GET", f"/logistics/202309/delivery_options/{seller['id']}/shipping_providers")
    names = {p["name"] for p in providers["shipping_providers"]}
    assert {"USPS", "UPS", "FedEx", "DHL eCommerce"} <= names


def test_image_upload_returns_uri_url_and_size(tt: TikTok) -> None:
    image = tt.upload_image(640, 480)
    assert image["uri"] and (image["width"], image["height"]) == (640, 480)
    assert tt.http.get(image["url"]).content.startswith(b"\x89PNG")


def test_image_upload_rejects_too_small_main_image(tt: TikTok) -> None:
    with pytest.raises(AssertionError, match="12038014"):
        tt.upload_image(200, 200)


def test_created_listing_is_reviewed_and_webhook_is_signed(tt: TikTok, receiver: WebhookReceiver) -> None:
    subscribe(tt, receiver_address(receiver), "PRODUCT_STATUS_CHANGE")
    created = tt.ok("POST", PRODUCTS, tt.product_body())
    product = tt.ok("GET", f"{PRODUCTS}/{created['product_id']}")
    assert (product["status"], product["audit"]["status"]) == ("PENDING", "AUDITING")
    assert [s["seller_sku"] for s in created["skus"]] == ["OBS-S", "OBS-M"]
    tt.advance(31)
    tt.drain()
    product = tt.ok("GET", f"{PRODUCTS}/{created['product_id']}")
    assert (product["status"], product["audit"]["status"]) == ("ACTIVATE", "APPROVED")
    assert len(receiver.received) == 1
    hook = receiver.received[0]
    assert hook.headers["authorization"] == webhook_sign(tt.manifest["app_key"], tt.manifest["app_secret"],
                                                         hook.body)
    payload = hook.json
    assert payload["type"] == 5 and payload["shop_id"] == tt.shop["id"]
    assert str(payload["data"]["product_id"]) == created["product_id"]
    assert payload["data"]["status"] == "PRODUCT_FIRST_PASS_REVIEW"


def receiver_address(receiver: WebhookReceiver) -> str:
    assert receiver.server is not None
    return receiver.server.url + "/tiktok/webhooks"


def test_title_with_review_keyword_fails_with_reasons(tt: TikTok, receiver: WebhookReceiver) -> None:
    subscribe(tt, receiver_address(receiver), "PRODUCT_STATUS_CHANGE")
    created = tt.ok("POST", PRODUCTS, tt.product_body("Ocean Blue Shirt FAILREVIEW"))
    tt.advance(31)
    tt.drain()
    product = tt.ok("GET", f"{PRODUCTS}/{created['product_id']}")
    assert product["status"] == "FAILED"
    reason = product["audit_failed_reasons"][0]
    assert reason["position"] == "product" and reason["reasons"] and reason["suggestions"]
    assert [h["data"]["status"] for h in receiver.of_type(5)] == ["PRODUCT_AUDIT_FAILURE"]


def test_review_rules_are_configurable(tt: TikTok) -> None:
    tt.control("POST", "/review_rules", {"fail_title_keywords": ["Replica"], "delay": 5})
    created = tt.ok("POST", PRODUCTS, tt.product_body("Replica Ocean Shirt"))
    tt.advance(6)
    assert tt.ok("GET", f"{PRODUCTS}/{created['product_id']}")["status"] == "FAILED"


def test_webhook_is_retried_until_the_receiver_accepts_it(tt: TikTok) -> None:
    flaky = WebhookReceiver(fail_first=2)
    address = flaky.start()
    try:
        subscribe(tt, address, "PRODUCT_STATUS_CHANGE")
        created = tt.ok("POST", PRODUCTS, tt.product_body())
        tt.control("POST", f"/products/{created['product_id']}/review", {"result": "approve"})
        tt.drain()
        assert flaky.attempts == 3 and len(flaky.received) == 1
        log = [d for d in tt.control("GET", "/webhooks")["deliveries"] if d["topic"] == "PRODUCT_STATUS_CHANGE"]
        assert log[-1]["attempts"] == 3 and log[-1]["delivered"] is True
    finally:
        flaky.stop()


def test_every_notification_has_its_own_id(tt: TikTok, receiver: WebhookReceiver) -> None:
    subscribe(tt, receiver_address(receiver), "PRODUCT_STATUS_CHANGE", "PRODUCT_AUDIT_STATUS_CHANGE")
    for title in ("Ocean Blue Shirt", "Classic Varsity Top"):
        created = tt.ok("POST", PRODUCTS, tt.product_body(title))
        tt.control("POST", f"/products/{created['product_id']}/review", {"result": "approve"})
    tt.drain()
    ids = [h.json["tts_notification_id"] for h in receiver.received]
    assert len(ids) == 4 and len(set(ids)) == 4


def _bad(tt: TikTok, **overrides: Any) -> int:
    return tt.error("POST", PRODUCTS, tt.product_body(**overrides))[1]


@pytest.mark.parametrize(("overrides", "code"), [
    ({"title": "x" * 256}, 12052051),
    ({"title": ""}, 12052261),
    ({"title": "Shirt \U0001F600 blue"}, 12052931),
    ({"description": "<p>" + "a" * 10_001 + "</p>"}, 12052013),
    ({"description": ""}, 12052015),
    ({"main_images": []}, 12052028),
    ({"main_images": [{"uri": "tos-maliva-i-o3syd03w52-us/not-uploaded"}]}, 12052722),
    ({"package_weight": None}, 12052006),
    ({"package_weight": {"value": "0", "unit": "KILOGRAM"}}, 12052181),
    ({"package_dimensions": None}, 12019012),
    ({"product_attributes": []}, 12052104),
    ({"category_version": "v1"}, 12052217),
    ({"brand_id": "7082427311584347909"}, 12052201),
])
def test_invalid_listing_answers_tiktok_code(tt: TikTok, overrides: dict[str, Any], code: int) -> None:
    assert _bad(tt, **overrides) == code


def test_more_than_nine_main_images_answers_12052306(tt: TikTok) -> None:
    uri = tt.upload_image()["uri"]
    assert _bad(tt, main_images=[{"uri": uri}] * 10) == 12052306


def test_non_leaf_category_answers_12052024(tt: TikTok) -> None:
    categories = tt.ok("GET", "/product/202309/categories", query={"category_version": "v2"})["categories"]
    parent = next(c for c in categories if not c["is_leaf"])
    assert _bad(tt, category_id=parent["id"]) == 12052024


def test_sku_rules_answer_tiktok_codes(tt: TikTok) -> None:
    four = tt.sku("A1", "S")
    four["sales_attributes"] += [{"name": n, "value_name": "x"} for n in ("Color", "Style", "Fit")]
    assert _bad(tt, skus=[four]) == 12052525
    wrong_currency = tt.sku("A1", "S")
    wrong_currency["price"]["currency"] = "GBP"
    assert _bad(tt, skus=[wrong_currency]) == 12052084
    assert _bad(tt, skus=[tt.sku("A1", "S", price="7600.01")]) == 12052570
    assert _bad(tt, skus=[tt.sku("A1", "S"), tt.sku("A2", "S")]) == 12052560
    assert _bad(tt, skus=[tt.sku("x" * 51, "S")]) == 12052054
    assert _bad(tt, skus=[]) == 12052902


def test_sg_titles_need_25_characters(tt: TikTok) -> None:
    sg = tt.control("POST", "/shops", {"region": "SG"})
    client = TikTok({**tt.manifest, "shops": [sg]})
    body = client.product_body("Blue Shirt", category_version="v1")
    assert client.error("POST", PRODUCTS, body)[1] == 12052051
    client.ok("POST", PRODUCTS, body | {"title": "Ocean Blue Cotton Shirt Long Sleeve"})


def test_idempotency_key_returns_the_first_product(tt: TikTok) -> None:
    body = tt.product_body(idempotency_key="3f1d0b9e-2b1a-4c55-9a8e-8f7f7a0c1d22")
    first = tt.ok("POST", PRODUCTS, body)
    again = tt.ok("POST", PRODUCTS, body)
    assert first["product_id"] == again["product_id"]


def test_search_finds_by_seller_sku_and_pages_with_token(tt: TikTok) -> None:
    for i in range(5):
        tt.ok("POST", PRODUCTS, tt.product_body(f"Ocean Blue Shirt {i}", skus=[tt.sku(f"SKU-{i}", "M")]))
    seen, token = [], ""
    while True:
        query = {"page_size": "2"} | ({"page_token": token} if token else {})
        data = tt.ok("POST", "/product/202502/products/search", {"status": "ALL"}, query=query)
        assert data["total_count"] == 5
        seen += [p["id"] for p in data["products"]]
        token = data["next_page_token"]
        if not token:
            break
    assert len(seen) == 5 == len(set(seen))
    found = tt.ok("POST", "/product/202309/products/search", {"seller_skus": ["SKU-3"]},
                  query={"page_size": "10"})["products"]
    assert [p["title"] for p in found] == ["Ocean Blue Shirt 3"]
    assert tt.error("POST", "/product/202502/products/search", {}, query={"page_size": "101"})[1] == 12019109


def test_edit_sends_the_listing_back_to_review_and_drops_missing_skus(tt: TikTok) -> None:
    product = tt.live_product()
    body = tt.product_body("Ocean Blue Shirt v2")
    keep = product["skus"][0]
    body["skus"] = [{"id": keep["id"], "seller_sku": keep["seller_sku"],
                     "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]}
                                          for a in keep["sales_attributes"]]}]
    tt.ok("PUT", f"/product/202509/products/{product['id']}", body)
    edited = tt.ok("GET", f"{PRODUCTS}/{product['id']}")
    assert edited["status"] == "PENDING" and edited["title"] == "Ocean Blue Shirt v2"
    assert [s["id"] for s in edited["skus"]] == [keep["id"]]
    assert edited["skus"][0]["price"] == keep["price"]  # price and stock stay when omitted


def test_partial_edit_changes_only_the_fields_sent(tt: TikTok) -> None:
    product = tt.live_product()
    tt.ok("POST", f"/product/202509/products/{product['id']}/partial_edit", {"title": "Ocean Blue Oxford Shirt"})
    edited = tt.ok("GET", f"{PRODUCTS}/{product['id']}")
    assert edited["title"] == "Ocean Blue Oxford Shirt" and edited["description"] == product["description"]
    assert len(edited["skus"]) == 2


def test_price_and_inventory_updates_apply_without_review(tt: TikTok) -> None:
    product = tt.live_product()
    sku = product["skus"][0]
    tt.ok("POST", f"{PRODUCTS}/{product['id']}/prices/update",
          {"skus": [{"id": sku["id"], "price": {"amount": "44.50", "currency": "USD"}}]})
    data = tt.ok("POST", f"{PRODUCTS}/{product['id']}/inventory/update", {"skus": [
        {"id": sku["id"], "inventory": [{"warehouse_id": tt.shop["warehouse_id"], "quantity": 3}]},
        {"id": "999", "inventory": [{"warehouse_id": tt.shop["warehouse_id"], "quantity": 3}]}]})
    assert data["errors"][0]["code"] == 12052556  # per-SKU failure under code 0
    fresh = tt.ok("GET", f"{PRODUCTS}/{product['id']}")
    assert fresh["status"] == "ACTIVATE"
    assert fresh["skus"][0]["price"]["tax_exclusive_price"] == "44.50"
    assert fresh["skus"][0]["inventory"][0]["quantity"] == 3
    _, code, _ = tt.error("POST", f"{PRODUCTS}/{product['id']}/prices/update",
                          {"skus": [{"id": sku["id"], "price": {"amount": "9000", "currency": "USD"}}]})
    assert code == 12052570


def test_price_update_on_a_listing_never_approved_is_refused(tt: TikTok) -> None:
    created = tt.ok("POST", PRODUCTS, tt.product_body())
    sku_id = created["skus"][0]["id"]
    _, code, _ = tt.error("POST", f"{PRODUCTS}/{created['product_id']}/prices/update",
                          {"skus": [{"id": sku_id, "price": {"amount": "10", "currency": "USD"}}]})
    assert code == 12019113


def test_deactivate_activate_and_delete(tt: TikTok) -> None:
    product = tt.live_product()
    tt.ok("POST", f"{PRODUCTS}/deactivate", {"product_ids": [product["id"]]})
    assert tt.ok("GET", f"{PRODUCTS}/{product['id']}")["status"] == "SELLER_DEACTIVATED"
    tt.ok("POST", f"{PRODUCTS}/activate", {"product_ids": [product["id"]]})
    assert tt.ok("GET", f"{PRODUCTS}/{product['id']}")["status"] == "PENDING"
    data = tt.ok("DELETE", PRODUCTS, {"product_ids": [product["id"], "123"]})
    assert data["errors"][0]["detail"]["product_id"] == "123"
    assert tt.ok("GET", f"{PRODUCTS}/{product['id']}")["status"] == "DELETED"


def test_listing_check_reports_failures_without_creating(tt: TikTok) -> None:
    failed = tt.ok("POST", f"{PRODUCTS}/listing_check", tt.product_body(title="x" * 300))
    assert failed["check_result"] == "FAILED" and failed["fail_reasons"][0]["code"] == 12052051
    passed = tt.ok("POST", f"{PRODUCTS}/listing_check", tt.product_body())
    assert passed["check_result"] == "PASS"
    assert tt.ok("POST", "/product/202502/products/search", {}, query={"page_size": "10"})["total_count"] == 0


def test_inventory_search_shows_units_committed_to_open_orders(tt: TikTok) -> None:
    product = tt.live_product()
    sku = product["skus"][0]
    tt.control("POST", "/buyer/orders", {"items": [{"sku_id": sku["id"], "quantity": 3}]})
    data = tt.ok("POST", "/product/202309/inventory/search", {"sku_ids": [sku["id"]]})
    row = data["inventory"][0]["skus"][0]
    assert (row["total_available_quantity"], row["total_committed_quantity"]) == (7, 3)


def test_deleted_listing_can_be_recovered_deactivated(tt: TikTok) -> None:
    product = tt.live_product()
    tt.ok("DELETE", PRODUCTS, {"product_ids": [product["id"]]})
    tt.ok("POST", f"{PRODUCTS}/recover", {"product_ids": [product["id"]]})
    assert tt.ok("GET", f"{PRODUCTS}/{product['id']}")["status"] == "SELLER_DEACTIVATED"


def test_custom_brand_is_listed_and_usable(tt: TikTok) -> None:
    brand = tt.ok("POST", "/product/202309/brands", {"name": "Ocean Outfitters"}, shop=False)
    assert tt.error("POST", "/product/202309/brands", {"name": "Ocean Outfitters"}, shop=False)[1] == 12052205
    brands = tt.ok("GET", "/product/202309/brands", query={"page_size": "100", "brand_name": "Ocean"})["brands"]
    assert [b["id"] for b in brands] == [brand["id"]]
    created = tt.ok("POST", PRODUCTS, tt.product_body(brand_id=brand["id"]))
    assert created["warnings"] == []
