"""The TikTok sandbox gate: signatures, timestamps, tokens, shop_cipher rules, OAuth, rate limits."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.sandbox_tiktok.conftest import subscribe
from tests.integration.sandbox_tiktok.helpers import TikTok, WebhookReceiver, sign, webhook_sign

VECTORS = json.loads((Path(__file__).parent / "signing_vectors.json").read_text())
SHOPS = "/authorization/202309/shops"
WAREHOUSES = "/logistics/202309/warehouses"


@pytest.mark.parametrize("vector", VECTORS["request_signing"]["vectors"], ids=lambda v: v["name"])
def test_signing_helper_matches_published_request_vectors(vector: dict[str, Any]) -> None:
    multipart = vector["content_type"].startswith("multipart")
    got = sign(vector["app_secret"], vector["path"], vector["query"], vector["body"].encode(), multipart)
    assert got == vector["expected_sign"]


def test_webhook_signature_helper_matches_published_vector() -> None:
    vector = VECTORS["webhook_signing"]["vectors"][0]
    got = webhook_sign(vector["app_key"], vector["app_secret"], vector["raw_body"].encode())
    assert got == vector["expected_authorization"]


def test_correctly_signed_call_lists_authorized_shops_with_cipher(tt: TikTok) -> None:
    data = tt.ok("GET", SHOPS, shop=False)
    assert data["shops"] == [{"id": tt.shop["id"], "name": tt.shop["name"], "region": "US",
                              "seller_type": "LOCAL", "cipher": tt.shop["cipher"], "code": data["shops"][0]["code"]}]


def test_bad_signature_answers_106001_with_http_401(tt: TikTok) -> None:
    status, code, _ = tt.error("GET", SHOPS, shop=False, secret="not-the-secret")
    assert (status, code) == (401, 106001)


def test_signature_covers_the_body_bytes(tt: TikTok) -> None:
    params = {"app_key": tt.manifest["app_key"], "timestamp": str(int(time.time())),
              "shop_cipher": tt.shop["cipher"], "page_size": "10"}
    signed_body = b'{"status":"ALL"}'
    params["sign"] = sign(tt.manifest["app_secret"], "/product/202502/products/search", params, signed_body)
    response = httpx.post(tt.manifest["api_url"] + "/product/202502/products/search", params=params,
                          content=b'{"status": "ALL"}', headers={"x-tts-access-token": tt.token,
                                                                 "content-type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (401, 106001)


@pytest.mark.parametrize("offset", [-301, 31])
def test_timestamp_outside_the_window_answers_36009004(tt: TikTok, offset: int) -> None:
    status, code, message = tt.error("GET", SHOPS, shop=False, timestamp=int(time.time()) + offset)
    assert (status, code) == (401, 36009004)
    assert "timestamp" in message.lower()


def test_timestamp_inside_the_window_is_accepted(tt: TikTok) -> None:
    tt.ok("GET", SHOPS, shop=False, timestamp=int(time.time()) - 240)


def test_missing_access_token_answers_105001(tt: TikTok) -> None:
    status, code, _ = tt.error("GET", SHOPS, shop=False, token="")
    assert (status, code) == (401, 105001)


def test_unknown_app_key_answers_36009004(tt: TikTok) -> None:
    response = tt.http.get(tt.manifest["api_url"] + SHOPS, params={"app_key": "nope", "timestamp": "1",
                                                                   "sign": "x"})
    assert (response.status_code, response.json()["code"]) == (401, 36009004)


def test_expired_token_answers_105002_and_refresh_restores_access(tt: TikTok) -> None:
    tt.advance(7 * 24 * 3600 + 1)
    status, code, _ = tt.error("GET", SHOPS, shop=False)
    assert (status, code) == (401, 105002)
    answer = tt.http.get(tt.manifest["auth_url"] + "/api/v2/token/refresh", params={
        "app_key": tt.manifest["app_key"], "app_secret": tt.manifest["app_secret"],
        "refresh_token": tt.shop["refresh_token"], "grant_type": "refresh_token"}).json()
    assert answer["code"] == 0
    data = answer["data"]
    assert data["refresh_token"] == tt.shop["refresh_token"]
    assert data["access_token_expire_in"] > time.time() + 7 * 24 * 3600  # a timestamp, on the sandbox clock
    tt.ok("GET", SHOPS, shop=False, token=data["access_token"])


def test_auth_code_gives_tokens_once(tt: TikTok) -> None:
    gb = tt.manifest["shops"][1]
    code = tt.control("POST", "/authorize", {"shop_id": gb["id"]})["code"]
    params = {"app_key": tt.manifest["app_key"], "app_secret": tt.manifest["app_secret"], "auth_code": code,
              "grant_type": "authorized_code"}
    first = tt.http.get(tt.manifest["auth_url"] + "/api/v2/token/get", params=params).json()
    assert first["code"] == 0
    assert first["data"]["seller_base_region"] == "GB"
    shops = tt.ok("GET", SHOPS, shop=False, token=first["data"]["access_token"])["shops"]
    assert [s["cipher"] for s in shops] == [gb["cipher"]]
    again = tt.http.get(tt.manifest["auth_url"] + "/api/v2/token/get", params=params).json()
    assert again["code"] == 36004004


def test_auth_code_expires_after_30_minutes(tt: TikTok) -> None:
    code = tt.control("POST", "/authorize", {})["code"]
    tt.advance(31 * 60)
    answer = tt.http.get(tt.manifest["auth_url"] + "/api/v2/token/get", params={
        "app_key": tt.manifest["app_key"], "app_secret": tt.manifest["app_secret"], "auth_code": code,
        "grant_type": "authorized_code"}).json()
    assert answer["code"] == 36004004


def test_consent_page_redirects_with_code_and_state(tt: TikTok) -> None:
    response = tt.http.get(tt.manifest["auth_url"] + "/oauth/authorize", params={
        "app_key": tt.manifest["app_key"], "state": "csrf123", "redirect_uri": "https://example.test/cb"})
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert location.params["state"] == "csrf123" and location.params["code"]


def test_missing_shop_cipher_answers_106013(tt: TikTok) -> None:
    _, code, _ = tt.error("GET", WAREHOUSES, shop=False)
    assert code == 106013


def test_unexpected_shop_cipher_answers_36009004(tt: TikTok) -> None:
    _, code, message = tt.error("GET", SHOPS, shop=True)
    assert code == 36009004 and "shop_cipher" in message


def test_token_of_another_shop_is_refused(tt: TikTok) -> None:
    gb = tt.manifest["shops"][1]
    status, code, _ = tt.error("GET", WAREHOUSES, token=gb["access_token"])
    assert (status, code) == (401, 36009004)


def test_rate_limit_answers_429_with_36009002(tt: TikTok) -> None:
    tt.control("POST", "/ratelimit", {"limit": 3, "window": 60})
    for _ in range(3):
        tt.ok("GET", WAREHOUSES)
    status, code, _ = tt.error("GET", WAREHOUSES)
    assert (status, code) == (429, 36009002)
    tt.ok("GET", "/product/202309/brands", query={"page_size": "10"})  # the budget is per API path


def test_injected_fault_answers_with_tiktok_envelope(tt: TikTok) -> None:
    tt.control("POST", "/faults", {"kind": "status", "path": "/logistics/", "status": 503})
    response = tt.call("GET", WAREHOUSES)
    assert response.status_code == 503 and response.json()["code"] == 36009003
    tt.ok("GET", WAREHOUSES)


def test_unknown_path_answers_36009009(tt: TikTok) -> None:
    response = tt.call("GET", "/product/209901/categories")
    assert (response.status_code, response.json()["code"]) == (404, 36009009)


def test_authorization_expiry_is_announced_daily_in_the_last_30_days(tt: TikTok, receiver: WebhookReceiver) -> None:
    assert receiver.server is not None
    subscribe(tt, receiver.server.url + "/hooks", "UPCOMING_AUTHORIZATION_EXPIRATION")
    tt.advance(300 * 86400)
    tt.drain()
    assert receiver.of_type(7) == []
    tt.advance(36 * 86400)   # 29 days left
    tt.advance(3600)
    tt.drain()
    notices = receiver.of_type(7)
    assert len(notices) == 1 and notices[0]["data"]["expiration_time"] > notices[0]["timestamp"]
    tt.advance(86400)
    tt.drain()
    assert len(receiver.of_type(7)) == 2


def test_deauthorization_revokes_tokens_and_notifies(tt: TikTok, receiver: WebhookReceiver) -> None:
    assert receiver.server is not None
    subscribe(tt, receiver.server.url + "/hooks", "SELLER_DEAUTHORIZATION")
    tt.control("POST", "/deauthorize", {"shop_id": tt.shop["id"]})
    tt.drain()
    assert len(receiver.of_type(6)) == 1
    assert tt.error("GET", SHOPS, shop=False)[1] == 105001


def test_malformed_parameters_answer_an_error_envelope_not_a_crash(tt: TikTok) -> None:
    response = tt.call("POST", "/order/202309/orders/search", {"create_time_ge": "yesterday"},
                       query={"page_size": "10"})
    assert response.json()["code"] == 21001001


def test_wrongly_typed_field_answers_a_parameter_error(tt: TikTok) -> None:
    response = tt.call("POST", "/product/202502/products/search", {"seller_skus": 5}, query={"page_size": "10"})
    assert (response.status_code, response.json()["code"]) == (400, 36009004)
