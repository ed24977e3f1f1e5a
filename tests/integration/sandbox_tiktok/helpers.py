"""A tiny TikTok caller for the sandbox tests, with its own implementation of the 202309 signing algorithm
(checked against the published vectors in signing_vectors.json), and a webhook receiver that can fail."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feedbridge_sandbox.core import RunningServer, serve
from feedbridge_sandbox.tiktok.images import png_bytes


def sign(secret: str, path: str, query: dict[str, str], body: bytes = b"", multipart: bool = False) -> str:
    """hex HMAC-SHA256(secret, secret + path + sorted k+v (no sign/access_token) + body unless multipart + secret)."""
    pairs = "".join(k + v for k, v in sorted(query.items()) if k not in ("sign", "access_token"))
    message = secret.encode() + path.encode() + pairs.encode() + (b"" if multipart else body) + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_sign(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


class TikTok:
    """Signs and sends Open API calls for one shop of the sandbox manifest."""

    def __init__(self, manifest: dict[str, Any], shop: int = 0) -> None:
        self.manifest = manifest
        self.shop = manifest["shops"][shop]
        self.token = self.shop["access_token"]
        self.http = httpx.Client(timeout=30)

    def call(self, method: str, path: str, body: Any = None, *, query: dict[str, str] | None = None,
             shop: bool = True, token: str | None = None, timestamp: int | None = None,
             secret: str | None = None, files: Any = None, sign_value: str | None = None) -> httpx.Response:
        params = {"app_key": self.manifest["app_key"], "timestamp": str(timestamp or int(time.time())),
                  **(query or {})}
        if shop:
            params["shop_cipher"] = self.shop["cipher"]
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        params["sign"] = sign_value or sign(secret or self.manifest["app_secret"], path, params, raw,
                                            multipart=files is not None)
        headers = {} if token == "" else {"x-tts-access-token": token or self.token}
        if files is None:
            headers["content-type"] = "application/json"
        return self.http.request(method, self.manifest["api_url"] + path, params=params,
                                 content=None if files is not None else raw, files=files, headers=headers)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = self.call(method, path, body, **kwargs)
        answer = response.json()
        assert response.status_code == 200 and answer["code"] == 0, answer
        assert set(answer) == {"code", "message", "request_id", "data"}
        return answer["data"]

    def error(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, int, str]:
        """(HTTP status, TikTok code, message) of a call expected to fail."""
        response = self.call(method, path, body, **kwargs)
        answer = response.json()
        assert answer["code"] != 0, answer
        return response.status_code, answer["code"], answer["message"]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.manifest["control_url"] + path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock/advance", {"seconds": seconds})

    def drain(self) -> None:
        self.control("POST", "/webhooks/drain")

    # --- catalog shortcuts ---
    def upload_image(self, width: int = 800, height: int = 800) -> dict[str, Any]:
        data: dict[str, Any] = self.ok("POST", "/product/202309/images/upload", shop=False, files={
            "data": ("p.png", png_bytes(width, height), "image/png"), "use_case": (None, "MAIN_IMAGE")})
        return data

    def leaf_for(self, title: str) -> str:
        version = "v2" if self.shop["region"] == "US" else "v1"
        data = self.ok("POST", "/product/202309/categories/recommend",
                       {"product_title": title, "category_version": version})
        return str(data["leaf_category_id"])

    def product_body(self, title: str = "Ocean Blue Shirt", **overrides: Any) -> dict[str, Any]:
        """A valid Create Product body for an apparel listing with two sizes."""
        image = self.upload_image()
        version = "v2" if self.shop["region"] == "US" else "v1"
        body: dict[str, Any] = {
            "title": title, "description": "<p>Ocean blue cotton shirt with a narrow collar.</p>",
            "category_id": self.leaf_for("Ocean Blue Shirt"), "category_version": version,
            "main_images": [{"uri": image["uri"]}],
            "package_weight": {"value": "0.4", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "30", "width": "20", "height": "4", "unit": "CENTIMETER"},
            "product_attributes": [{"id": "100157", "values": [{"name": "Cotton"}]}],
            "skus": [self.sku("OBS-S", "S"), self.sku("OBS-M", "M")],
        }
        body.update(overrides)
        return body

    def sku(self, seller_sku: str, size: str, price: str = "50.00", quantity: int = 10) -> dict[str, Any]:
        return {"seller_sku": seller_sku, "sales_attributes": [{"name": "Size", "value_name": size}],
                "price": {"amount": price, "currency": self.shop["currency"]},
                "inventory": [{"warehouse_id": self.shop["warehouse_id"], "quantity": quantity}]}

    def live_product(self, title: str = "Ocean Blue Shirt") -> dict[str, Any]:
        """Create a listing and let the review approve it; returns the Get Product data."""
        created = self.ok("POST", "/product/202309/products", self.product_body(title))
        self.control("POST", f"/products/{created['product_id']}/review", {"result": "approve"})
        product: dict[str, Any] = self.ok("GET", f"/product/202309/products/{created['product_id']}")
        return product


@dataclass
class Hook:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class WebhookReceiver:
    """Records webhook POSTs; answers 500 to the first `fail_first` deliveries."""

    fail_first: int = 0
    received: list[Hook] = field(default_factory=list)
    attempts: int = 0
    server: RunningServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        async def hook(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.attempts += 1
                if self.attempts <= self.fail_first:
                    return Response(status_code=500)
                self.received.append(Hook(dict(request.headers), body))
            return Response(status_code=200)

        self.server = serve(Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])]))
        return self.server.url + "/tiktok/webhooks"

    def of_type(self, kind: int) -> list[dict[str, Any]]:
        return [h.json for h in self.received if h.json["type"] == kind]

    def stop(self) -> None:
        if self.server:
            self.server.stop()
