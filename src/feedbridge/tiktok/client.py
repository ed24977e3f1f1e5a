"""Async client for the TikTok Shop Open API, one instance per shop connection (no module-level state).

Every request carries `app_key`, `timestamp` and `sign` in the query, the seller token in `x-tts-access-token`,
and `shop_cipher` exactly where the endpoint takes it (see endpoints.py). JSON bodies are serialized once and
those same bytes are signed and sent. Calls are paced per API path (about 50 requests/s per API per shop);
429 and TikTok's transient codes are retried with backoff; an expired token (105002) is refreshed once through
the token provider and the call repeated. Any other non-zero code raises a typed error (errors.py).
Methods return TikTok's `data` object as a plain dict; mappers.py turns those into typed values.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from feedbridge.errors import DataError
from feedbridge.http.ratelimit import Limiter, process_budget
from feedbridge.http.redaction import register_secret
from feedbridge.http.retry import retry_after_seconds, send_with_retries
from feedbridge.http.tls import ssl_context
from feedbridge.tiktok import endpoints as ep
from feedbridge.tiktok.endpoints import Endpoint
from feedbridge.tiktok.errors import (
    EXPIRED_TOKEN,
    RETRYABLE_CODES,
    TikTokError,
    TikTokRetryableError,
    error_for,
)
from feedbridge.tiktok.signing import sign

log = logging.getLogger(__name__)

PLATFORM_NAME = "TikTok Shop"
DEFAULT_API_URL = "https://open-api.tiktokglobalshop.com"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Batch limits TikTok documents for list parameters.
PRODUCT_BATCH = 20
ORDER_DETAIL_BATCH = 50

JSONDict = dict[str, Any]


class TokenProvider(Protocol):
    """Gives the client a fresh access token when TikTok says the current one expired (105002)."""

    async def refresh(self) -> str:
        """Refresh the shop's tokens, store them, and return the new access token."""
        ...


def encode_json(body: Any) -> bytes:
    """The one serialization of a JSON body: compact, UTF-8; these exact bytes are signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def query_value(value: Any) -> str | None:
    """A query value as TikTok expects it: booleans lowercase, lists comma-joined; None/empty means omit."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        text = ",".join(str(v) for v in value)
    else:
        text = str(value)
    # Empty values are dropped from both URL and signature, as TikTok's own SDKs do.
    return text or None


def _clean_body(body: Mapping[str, Any]) -> JSONDict:
    """Drop top-level None values so optional filters are simply absent."""
    return {k: v for k, v in body.items() if v is not None}


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


async def paginate(fetch: Callable[[str | None], Awaitable[JSONDict]], items_key: str) -> AsyncIterator[JSONDict]:
    """Yield every item of a cursor-paginated search, following `next_page_token` until it is empty."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        data = await fetch(token)
        items = data.get(items_key) or []
        if not isinstance(items, list):
            raise DataError(f"TikTok returned {items_key!r} that is not a list.", field=items_key)
        for item in items:
            yield item
        token = data.get("next_page_token") or None
        if not token:
            return
        # A repeated cursor would loop forever; stop loudly instead.
        if token in seen:
            raise DataError("TikTok returned the same page token twice; stopping the listing.", field="page_token")
        seen.add(token)


class TikTokClient:
    """One TikTok shop connection: credentials, the shop cipher, an HTTP client and per-API rate limits."""

    def __init__(
        self,
        api_url: str,
        app_key: str,
        app_secret: str,
        *,
        access_token: str,
        shop_cipher: str,
        token_provider: TokenProvider | None = None,
        rate: float = 50.0,
        burst: float | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
        limiter: Limiter | None = None,
    ) -> None:
        if not app_key or not app_secret:
            raise DataError("The TikTok app key and app secret are required.", field="app_key")
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.app_key = app_key
        self._app_secret = app_secret
        self._access_token = access_token
        self.shop_cipher = shop_cipher
        self.token_provider = token_provider
        self.max_attempts = max_attempts
        self._clock = clock
        # TikTok counts `rate` calls per second per API per shop. `limiter` is the budget shared by every worker
        # process (production). Otherwise every client of this shop in this process (one per job) paces against
        # the same buckets; a bucket of size b refilling at r allows b + r calls in one second, so it refills at
        # rate - b: never more than `rate` in any second.
        size = burst if burst is not None else max(1.0, rate / 10)
        self._limits: Limiter = limiter or process_budget(f"{self.api_url} {shop_cipher}",
                                                          max(rate - size, rate / 2), size)
        self._http = httpx.AsyncClient(base_url=self.api_url, timeout=timeout, verify=ssl_context())
        register_secret(app_secret)
        register_secret(access_token)

    @property
    def access_token(self) -> str:
        """The access token currently sent in `x-tts-access-token`."""
        return self._access_token

    def set_access_token(self, token: str) -> None:
        """Use a new access token from now on (after a refresh elsewhere)."""
        register_secret(token)
        self._access_token = token

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> TikTokClient:
        """Use as `async with TikTokClient(...) as client:`; closes the pool on exit."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- the request edge -------------------------------------------------------------------------------

    def _path(self, endpoint: Endpoint, path_params: Mapping[str, str] | None) -> str:
        values = {}
        for name, value in (path_params or {}).items():
            text = str(value).strip()
            if not text:
                raise DataError(f"{name} is empty.", field=name)
            values[name] = quote(text, safe="")
        try:
            return endpoint.path.format(**values)
        except KeyError as exc:
            raise DataError(f"{exc.args[0]} is required for {endpoint.key}.", field=str(exc.args[0])) from None

    def _signed_query(self, endpoint: Endpoint, path: str, query: Mapping[str, Any] | None, body: bytes) -> dict[str, str]:
        params: dict[str, str] = {}
        for key, value in (query or {}).items():
            text = query_value(value)
            if text is not None:
                params[key] = text
        params["app_key"] = self.app_key
        params["timestamp"] = str(int(self._clock()))
        if endpoint.sends_cipher:
            if not self.shop_cipher:
                raise DataError("This shop has no shop cipher; reconnect the TikTok shop.", field="shop_cipher")
            params["shop_cipher"] = self.shop_cipher
        else:
            params.pop("shop_cipher", None)
        params["sign"] = sign(self._app_secret, path, params, body)
        return params

    async def _send_once(
        self,
        endpoint: Endpoint,
        path: str,
        query: Mapping[str, Any] | None,
        body: bytes | None,
        multipart: tuple[Mapping[str, Any], Mapping[str, str]] | None,
    ) -> httpx.Response:
        await self._limits.acquire(endpoint.key)
        headers = {"x-tts-access-token": self._access_token}
        if multipart is not None:
            # Multipart uploads sign path and query only; httpx sets the boundary content type.
            params = self._signed_query(endpoint, path, query, b"")
            files, fields = multipart
            return await self._http.request(
                endpoint.method, path, params=params, headers=headers, files=files, data=dict(fields)
            )
        content = body or b""
        headers["content-type"] = "application/json"
        # Signed on every attempt: the timestamp must be fresh and the token may have been refreshed.
        params = self._signed_query(endpoint, path, query, content)
        return await self._http.request(
            endpoint.method, path, params=params, headers=headers, content=content if body is not None else None
        )

    @staticmethod
    def _envelope(response: httpx.Response) -> JSONDict:
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise error_for(
                None,
                f"TikTok answered HTTP {response.status_code} without a JSON body.",
                status=response.status_code,
            )
        return parsed

    @staticmethod
    def _is_retryable(response: httpx.Response) -> bool:
        if response.status_code in RETRY_STATUSES:
            return True
        # Cheap pre-check: every retryable code starts with 3600900; most answers need no parse here.
        if b"3600900" not in response.content:
            return False
        try:
            code = response.json().get("code")
        except (ValueError, AttributeError):
            return False
        return _as_int(code) in RETRYABLE_CODES

    async def request(
        self,
        endpoint: Endpoint,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        multipart: tuple[Mapping[str, Any], Mapping[str, str]] | None = None,
    ) -> JSONDict:
        """Call one endpoint and return its `data` object; raise the typed error for a failure."""
        path = self._path(endpoint, path_params)
        encoded = encode_json(body) if body is not None else None
        refreshed = False
        while True:
            response = await send_with_retries(
                lambda: self._send_once(endpoint, path, query, encoded, multipart),
                platform=PLATFORM_NAME,
                attempts=self.max_attempts,
                is_retryable=self._is_retryable,
            )
            envelope = self._envelope(response)
            code = _as_int(envelope.get("code"))
            message = str(envelope.get("message") or "")
            request_id = envelope.get("request_id")
            if code == 0 and response.is_success:
                data = envelope.get("data")
                return data if isinstance(data, dict) else {}
            if code == EXPIRED_TOKEN and self.token_provider is not None and not refreshed:
                log.info("TikTok access token expired (request id %s); refreshing once", request_id)
                self.set_access_token(await self.token_provider.refresh())
                refreshed = True
                continue
            log.warning(
                "TikTok %s failed: code %s, HTTP %s, request id %s", endpoint.key, code, response.status_code, request_id
            )
            error = error_for(
                code,
                message or f"TikTok answered HTTP {response.status_code}.",
                request_id=str(request_id) if request_id else None,
                status=response.status_code,
            )
            if isinstance(error, TikTokRetryableError):
                error.delay = retry_after_seconds(response, error.delay or 1.0)
            raise error

    # ---- authorization -----------------------------------------------------------------------------------

    async def get_authorized_shops(self) -> list[JSONDict]:
        """The shops this token may act for, each with `id`, `name`, `region`, `seller_type`, `cipher`, `code`."""
        data = await self.request(ep.AUTHORIZED_SHOPS)
        return list(data.get("shops") or [])

    # ---- catalog prerequisites ---------------------------------------------------------------------------

    async def get_categories(
        self,
        *,
        category_version: str | None = None,
        locale: str | None = None,
        keyword: str | None = None,
        listing_platform: str | None = None,
        include_prohibited_categories: bool | None = None,
    ) -> JSONDict:
        """The shop's category tree (`categories[]`); US shops must pass category_version="v2"."""
        return await self.request(
            ep.CATEGORIES,
            query={
                "category_version": category_version,
                "locale": locale,
                "keyword": keyword,
                "listing_platform": listing_platform,
                "include_prohibited_categories": include_prohibited_categories,
            },
        )

    async def get_category_rules(
        self, category_id: str, *, category_version: str | None = None, locale: str | None = None
    ) -> JSONDict:
        """What a listing in this leaf category needs (certifications, size chart, dimensions, ...)."""
        return await self.request(
            ep.CATEGORY_RULES,
            path_params={"category_id": category_id},
            query={"category_version": category_version, "locale": locale},
        )

    async def get_attributes(
        self, category_id: str, *, category_version: str | None = None, locale: str | None = None
    ) -> JSONDict:
        """The category's product and sales attributes (`attributes[]`, note TikTok's `is_requried`)."""
        return await self.request(
            ep.ATTRIBUTES,
            path_params={"category_id": category_id},
            query={"category_version": category_version, "locale": locale},
        )

    async def recommend_category(
        self,
        product_title: str,
        *,
        description: str | None = None,
        images: Sequence[str] | None = None,
        category_version: str | None = None,
    ) -> JSONDict:
        """TikTok's suggested leaf category for a title (`leaf_category_id`, `categories[]`)."""
        return await self.request(
            ep.RECOMMEND_CATEGORY,
            body=_clean_body(
                {
                    "product_title": product_title,
                    "description": description,
                    "images": [{"uri": uri} for uri in images] if images else None,
                    "category_version": category_version,
                }
            ),
        )

    async def get_brands(
        self,
        *,
        page_size: int = 100,
        page_token: str | None = None,
        category_id: str | None = None,
        brand_name: str | None = None,
        is_authorized: bool | None = None,
        category_version: str | None = None,
    ) -> JSONDict:
        """One page of brands (`brands[]`, `next_page_token`)."""
        return await self.request(
            ep.BRANDS,
            query={
                "page_size": page_size,
                "page_token": page_token,
                "category_id": category_id,
                "brand_name": brand_name,
                "is_authorized": is_authorized,
                "category_version": category_version,
            },
        )

    def iter_brands(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every brand matching the filters, across all pages."""
        return paginate(lambda token: self.get_brands(page_size=page_size, page_token=token, **filters), "brands")

    async def get_warehouses(self) -> list[JSONDict]:
        """The shop's warehouses (`id`, `name`, `type`, `effect_status`, `is_default`, `address`)."""
        data = await self.request(ep.WAREHOUSES)
        return list(data.get("warehouses") or [])

    async def check_listing_prerequisites(self) -> JSONDict:
        """Whether the shop may list at all (`check_results[]` with `is_failed` and `fail_reasons`)."""
        return await self.request(ep.PREREQUISITES)

    async def upload_image(
        self,
        data: bytes,
        *,
        use_case: str = "MAIN_IMAGE",
        filename: str = "image.jpg",
        content_type: str = "image/jpeg",
    ) -> JSONDict:
        """Upload an image to TikTok (multipart; signed over path and query only) → `uri`, `url`, size."""
        if not data:
            raise DataError("The image is empty.", field="image")
        return await self.request(
            ep.UPLOAD_IMAGE,
            multipart=({"data": (filename, data, content_type)}, {"use_case": use_case}),
        )

    # ---- products --------------------------------------------------------------------------------------

    async def create_product(self, product: Mapping[str, Any]) -> JSONDict:
        """Create a product (goes to audit) → `product_id`, `skus[]{id, seller_sku, ...}`, `warnings`.

        An `idempotency_key` is added when the caller gave none, so a retry after a lost answer cannot
        create the product twice (the same serialized body, key included, is resent).
        """
        body = dict(product)
        body.setdefault("idempotency_key", str(uuid.uuid4()))
        return await self.request(ep.CREATE_PRODUCT, body=body)

    async def edit_product(self, product_id: str, product: Mapping[str, Any]) -> JSONDict:
        """Replace a product entirely (blank fields are blanked, unlisted SKUs deleted; price/stock kept if omitted)."""
        return await self.request(ep.EDIT_PRODUCT, path_params={"product_id": product_id}, body=product)

    async def partial_edit_product(self, product_id: str, fields: Mapping[str, Any]) -> JSONDict:
        """Change only the top-level fields given (each nested object sent must be complete)."""
        return await self.request(ep.PARTIAL_EDIT_PRODUCT, path_params={"product_id": product_id}, body=fields)

    async def update_price(self, product_id: str, skus: Sequence[Mapping[str, Any]]) -> JSONDict:
        """Set SKU prices: skus = [{"id", "price": {"amount", "currency"}}, ...]; ACTIVATE products only."""
        return await self.request(
            ep.UPDATE_PRICE, path_params={"product_id": product_id}, body={"skus": [dict(s) for s in skus]}
        )

    async def update_inventory(self, product_id: str, skus: Sequence[Mapping[str, Any]]) -> JSONDict:
        """Set SKU stock per warehouse: skus = [{"id", "inventory": [{"warehouse_id", "quantity"}]}, ...].

        Per-SKU failures come back in `data.errors[]` under a success code; the caller must read them.
        """
        return await self.request(
            ep.UPDATE_INVENTORY, path_params={"product_id": product_id}, body={"skus": [dict(s) for s in skus]}
        )

    async def search_inventory(
        self, *, product_ids: Sequence[str] | None = None, sku_ids: Sequence[str] | None = None
    ) -> JSONDict:
        """Stock per SKU and warehouse for up to 100 products or 600 SKUs."""
        return await self.request(
            ep.SEARCH_INVENTORY,
            body=_clean_body(
                {"product_ids": list(product_ids) if product_ids else None, "sku_ids": list(sku_ids) if sku_ids else None}
            ),
        )

    async def search_products(
        self, *, page_size: int = 100, page_token: str | None = None, **filters: Any
    ) -> JSONDict:
        """One page of products (`products[]`, `next_page_token`, `total_count`); filters go in the body."""
        return await self.request(
            ep.SEARCH_PRODUCTS,
            query={"page_size": page_size, "page_token": page_token},
            body=_clean_body(filters),
        )

    def iter_products(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every product matching the filters, across all pages (TikTok caps a search at 10,000)."""
        return paginate(
            lambda token: self.search_products(page_size=page_size, page_token=token, **filters), "products"
        )

    async def get_product(
        self,
        product_id: str,
        *,
        return_under_review_version: bool | None = None,
        return_draft_version: bool | None = None,
        locale: str | None = None,
    ) -> JSONDict:
        """One product with SKUs, stock, status, audit and audit failure reasons."""
        return await self.request(
            ep.GET_PRODUCT,
            path_params={"product_id": product_id},
            query={
                "return_under_review_version": return_under_review_version,
                "return_draft_version": return_draft_version,
                "locale": locale,
            },
        )

    async def _batch_products(self, endpoint: Endpoint, product_ids: Sequence[str]) -> JSONDict:
        if not product_ids:
            raise DataError("No product ids given.", field="product_ids")
        errors: list[Any] = []
        for chunk in _chunks(product_ids, PRODUCT_BATCH):
            data = await self.request(endpoint, body={"product_ids": chunk})
            errors.extend(data.get("errors") or [])
        return {"errors": errors}

    async def activate_products(self, product_ids: Sequence[str]) -> JSONDict:
        """Activate products (20 per call; they go to audit). Returns the merged per-product `errors`."""
        return await self._batch_products(ep.ACTIVATE_PRODUCTS, product_ids)

    async def deactivate_products(self, product_ids: Sequence[str]) -> JSONDict:
        """Deactivate products (20 per call). Returns the merged per-product `errors`."""
        return await self._batch_products(ep.DEACTIVATE_PRODUCTS, product_ids)

    async def delete_products(self, product_ids: Sequence[str]) -> JSONDict:
        """Delete products (DELETE with a JSON body, 20 per call). Returns the merged per-product `errors`."""
        return await self._batch_products(ep.DELETE_PRODUCTS, product_ids)

    # ---- orders ----------------------------------------------------------------------------------------

    async def search_orders(
        self,
        *,
        page_size: int = 100,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        **filters: Any,
    ) -> JSONDict:
        """One page of orders (`orders[]`, `next_page_token`); filters such as update_time_ge go in the body."""
        return await self.request(
            ep.SEARCH_ORDERS,
            query={"page_size": page_size, "page_token": page_token, "sort_field": sort_field, "sort_order": sort_order},
            body=_clean_body(filters),
        )

    def iter_orders(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every order matching the filters, across all pages."""
        return paginate(lambda token: self.search_orders(page_size=page_size, page_token=token, **filters), "orders")

    async def get_order_detail(self, order_ids: Sequence[str]) -> list[JSONDict]:
        """Full orders for the given ids (50 per call, comma-joined `ids`)."""
        if not order_ids:
            raise DataError("No order ids given.", field="ids")
        orders: list[JSONDict] = []
        for chunk in _chunks(order_ids, ORDER_DETAIL_BATCH):
            data = await self.request(ep.ORDER_DETAIL, query={"ids": chunk})
            orders.extend(data.get("orders") or [])
        return orders

    # ---- logistics and fulfilment ---------------------------------------------------------------------

    async def get_delivery_options(self, warehouse_id: str, *, scope: str | None = None) -> list[JSONDict]:
        """A warehouse's delivery options (`id`, `name`, `type` such as SEND_BY_SELLER)."""
        data = await self.request(
            ep.DELIVERY_OPTIONS, path_params={"warehouse_id": warehouse_id}, query={"scope": scope}
        )
        return list(data.get("delivery_options") or [])

    async def get_shipping_providers(self, delivery_option_id: str) -> list[JSONDict]:
        """Carriers (`id`, `name`) usable with a delivery option; store carriers map onto these ids."""
        data = await self.request(ep.SHIPPING_PROVIDERS, path_params={"delivery_option_id": delivery_option_id})
        return list(data.get("shipping_providers") or [])

    async def search_packages(
        self,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        **filters: Any,
    ) -> JSONDict:
        """One page of packages (`packages[]`, `next_page_token`); page_size at most 50."""
        return await self.request(
            ep.SEARCH_PACKAGES,
            query={"page_size": page_size, "page_token": page_token, "sort_field": sort_field, "sort_order": sort_order},
            body=_clean_body(filters),
        )

    def iter_packages(self, *, page_size: int = 50, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every package matching the filters, across all pages."""
        return paginate(
            lambda token: self.search_packages(page_size=page_size, page_token=token, **filters), "packages"
        )

    async def get_package_detail(self, package_id: str) -> JSONDict:
        """One package: status, tracking number, carrier, order line items."""
        return await self.request(ep.PACKAGE_DETAIL, path_params={"package_id": package_id})

    async def ship_package(
        self,
        package_id: str,
        *,
        tracking_number: str | None = None,
        shipping_provider_id: str | None = None,
        handover_method: str | None = None,
        pickup_slot: Mapping[str, int] | None = None,
    ) -> JSONDict:
        """Mark a package shipped: with the seller's own carrier (tracking + provider id) or a TikTok handover."""
        if (tracking_number is None) != (shipping_provider_id is None):
            raise DataError(
                "Give both the tracking number and the TikTok carrier, or neither.", field="tracking_number"
            )
        body: JSONDict = _clean_body({"handover_method": handover_method, "pickup_slot": pickup_slot})
        if tracking_number is not None:
            body["self_shipment"] = {"tracking_number": tracking_number, "shipping_provider_id": shipping_provider_id}
        return await self.request(ep.SHIP_PACKAGE, path_params={"package_id": package_id}, body=body)

    async def update_package_shipping_info(
        self, package_id: str, *, tracking_number: str, shipping_provider_id: str
    ) -> JSONDict:
        """Change a shipped package's tracking number or carrier (seller-shipped packages)."""
        return await self.request(
            ep.UPDATE_PACKAGE_SHIPPING_INFO,
            path_params={"package_id": package_id},
            body={"tracking_number": tracking_number, "shipping_provider_id": shipping_provider_id},
        )

    async def update_order_shipping_info(
        self, order_id: str, *, tracking_number: str, shipping_provider_id: str
    ) -> JSONDict:
        """Change an order's tracking (seller-shipped, within 72 h of shipping; unsplit orders)."""
        return await self.request(
            ep.UPDATE_ORDER_SHIPPING_INFO,
            path_params={"order_id": order_id},
            body={"tracking_number": tracking_number, "shipping_provider_id": shipping_provider_id},
        )

    async def mark_package_as_shipped(
        self,
        order_id: str,
        *,
        tracking_number: str,
        shipping_provider_id: str,
        order_line_item_ids: Sequence[str] | None = None,
    ) -> JSONDict:
        """Ship some or all line items of an order with the seller's carrier → `package_id` (US, UK, EU, JP)."""
        return await self.request(
            ep.MARK_PACKAGE_SHIPPED,
            path_params={"order_id": order_id},
            body=_clean_body(
                {
                    "tracking_number": tracking_number,
                    "shipping_provider_id": shipping_provider_id,
                    "order_line_item_ids": list(order_line_item_ids) if order_line_item_ids else None,
                }
            ),
        )

    # ---- cancellations and returns --------------------------------------------------------------------

    async def search_cancellations(
        self, *, page_size: int = 50, page_token: str | None = None, **filters: Any
    ) -> JSONDict:
        """One page of cancellations (`cancellations[]`, `next_page_token`); page_size at most 50."""
        return await self.request(
            ep.SEARCH_CANCELLATIONS,
            query={"page_size": page_size, "page_token": page_token},
            body=_clean_body(filters),
        )

    def iter_cancellations(self, *, page_size: int = 50, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every cancellation matching the filters, across all pages."""
        return paginate(
            lambda token: self.search_cancellations(page_size=page_size, page_token=token, **filters),
            "cancellations",
        )

    async def search_returns(self, *, page_size: int = 50, page_token: str | None = None, **filters: Any) -> JSONDict:
        """One page of returns (`return_orders[]`, `next_page_token`); page_size 10 to 50."""
        return await self.request(
            ep.SEARCH_RETURNS,
            query={"page_size": page_size, "page_token": page_token},
            body=_clean_body(filters),
        )

    def iter_returns(self, *, page_size: int = 50, **filters: Any) -> AsyncIterator[JSONDict]:
        """Every return matching the filters, across all pages."""
        return paginate(
            lambda token: self.search_returns(page_size=page_size, page_token=token, **filters), "return_orders"
        )

    # ---- webhooks --------------------------------------------------------------------------------------

    async def get_webhooks(self) -> list[JSONDict]:
        """The shop's webhook subscriptions (`event_type`, `address`)."""
        data = await self.request(ep.GET_WEBHOOKS)
        return list(data.get("webhooks") or [])

    async def update_webhook(self, event_type: str, address: str) -> JSONDict:
        """Subscribe `address` (https, at most 255 characters) to one event type, e.g. ORDER_STATUS_CHANGE."""
        if len(address) > 255:
            raise DataError("The webhook address is longer than 255 characters.", field="address")
        return await self.request(ep.UPDATE_WEBHOOK, body={"address": address, "event_type": event_type})

    async def delete_webhook(self, event_type: str) -> JSONDict:
        """Stop deliveries of one event type to this app."""
        return await self.request(ep.DELETE_WEBHOOK, body={"event_type": event_type})


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


__all__ = ["TikTokClient", "TokenProvider", "TikTokError", "encode_json", "paginate", "query_value"]
