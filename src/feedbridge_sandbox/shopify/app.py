"""The Shopify sandbox ASGI app: Admin GraphQL endpoint, OAuth endpoints, signed webhooks, control API.

POST /admin/api/2026-04/graphql.json answers like Shopify: HTTP 200 with an `errors` array for invalid documents,
401 for a bad token, `extensions.cost` on every answer and THROTTLED / MAX_COST_EXCEEDED errors from the cost bucket.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from graphql import ExecutionResult, OperationDefinitionNode, execute_sync
from graphql.language import FragmentDefinitionNode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

import feedbridge_sandbox.shopify.mutations  # noqa: F401  (registers the mutation resolvers)
from feedbridge_sandbox.control import control_routes
from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender
from feedbridge_sandbox.core.faults import FaultMiddleware
from feedbridge_sandbox.core.media import MediaMiddleware
from feedbridge_sandbox.shopify import oauth_routes
from feedbridge_sandbox.shopify.cost import SINGLE_QUERY_MAX, CostBucket, CostCalculator
from feedbridge_sandbox.shopify.mutations import TOPICS
from feedbridge_sandbox.shopify.resolvers import resolve_field, resolve_type
from feedbridge_sandbox.shopify.schema import load_schema, parse_and_validate
from feedbridge_sandbox.shopify.state import ShopState

API_VERSION = "2026-04"
GRAPHQL_PATH = f"/admin/api/{API_VERSION}/graphql.json"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"


@dataclass
class App:
    """One installed app: its credentials and its cost bucket."""

    client_id: str
    client_secret: str
    access_tokens: dict[str, float | None] = field(default_factory=dict)  # token -> expiry (epoch) or None
    refresh_tokens: dict[str, tuple[float, str]] = field(default_factory=dict)  # token -> (expiry, scopes)
    token_scopes: dict[str, set[str]] = field(default_factory=dict)
    scopes: str = "read_products,write_products,read_inventory,write_inventory,read_locations,read_orders," \
                  "write_orders,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders"


class RequestContext:
    """What resolvers see as `info.context`."""

    def __init__(self, sandbox: ShopifySandboxApp) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state

    def emit(self, topic: str, body: dict[str, Any]) -> None:
        self.sandbox.emit_webhook(topic, body)


class ShopifySandboxApp:
    """Holds the shop state, the installed app, and serves the ASGI app."""

    def __init__(self, *, clock: Clock | None = None, client_id: str | None = None,
                 client_secret: str | None = None, access_token: str | None = None) -> None:
        self.clock = clock or Clock()
        self.faults = FaultInjector()
        self.webhooks = WebhookSender(self.faults)
        self.state = ShopState(self.clock)
        self.app_install = App(client_id=client_id or "fbsandboxclientid",
                               client_secret=client_secret or "shpss_" + secrets.token_hex(16))
        self.access_token = access_token or "shpat_" + secrets.token_hex(16)
        self.app_install.access_tokens[self.access_token] = None
        self.app_install.token_scopes[self.access_token] = set(self.app_install.scopes.split(","))
        self.bucket = CostBucket()
        self._default_locations()
        routes = [
            Route("/admin/api/{version}/graphql.json", self.graphql, methods=["POST"]),
            *oauth_routes.routes(self),
            Route("/_sandbox/ratelimit", self.ratelimit, methods=["GET", "POST", "DELETE"]),
            *control_routes(faults=self.faults, clock=self.clock, webhooks=self.webhooks, reset=self.reset,
                            state=lambda: self.state.summary()),
        ]
        inner = Starlette(routes=routes)
        self.app = MediaMiddleware(GraphQLFaultMiddleware(
            inner, self.faults, error_body=lambda status: {"errors": f"Injected fault ({status})"}))

    def _default_locations(self) -> None:
        self.state.add_location("Shop location")
        self.state.add_location("Warehouse East")

    def reset(self) -> None:
        self.state = ShopState(self.clock)
        self._default_locations()
        self.bucket = CostBucket()

    # ---- webhooks -----------------------------------------------------------------------------------------

    def emit_webhook(self, topic: str, body: dict[str, Any]) -> None:
        raw = json.dumps(body, separators=(",", ":")).encode()
        for subscription in list(self.state.webhooks.values()):
            if TOPICS.get(subscription.topic) != topic:
                continue
            digest = hmac.new(self.app_install.client_secret.encode(), raw, hashlib.sha256).digest()
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
                "X-Shopify-Shop-Domain": self.state.domain,
                "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                "X-Shopify-Event-Id": str(uuid.uuid4()),
                "X-Shopify-Triggered-At": self.clock.utcnow().isoformat().replace("+00:00", "Z"),
                "X-Shopify-API-Version": API_VERSION,
            }
            self.webhooks.send(subscription.uri, topic, raw, headers)

    # ---- GraphQL ------------------------------------------------------------------------------------------

    def token_valid(self, token: str | None) -> bool:
        if not token or token not in self.app_install.access_tokens:
            return False
        expiry = self.app_install.access_tokens[token]
        return expiry is None or expiry > self.clock.now()

    async def graphql(self, request: Request) -> Response:
        """The Admin GraphQL endpoint; every answer carries a request id and the API version, as Shopify's do."""
        response = await self._graphql(request)
        response.headers["X-Request-Id"] = str(uuid.uuid4())
        response.headers["X-Shopify-API-Version"] = API_VERSION
        return response

    async def _graphql(self, request: Request) -> Response:
        if request.path_params["version"] != API_VERSION:
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        if not self.token_valid(request.headers.get("x-shopify-access-token")):
            return JSONResponse({"errors": INVALID_TOKEN}, status_code=401)
        try:
            payload = json.loads(await request.body())
            query = payload["query"]
            variables = payload.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"errors": [{"message": "Invalid JSON in request body or missing query"}]},
                                status_code=400)
        document, errors = parse_and_validate(query)
        if document is None:
            return JSONResponse({"errors": [_format_error(e) for e in errors]})
        operation_name = payload.get("operationName")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        operation = next((o for o in operations if operation_name is None or
                          (o.name and o.name.value == operation_name)), None)
        if operation is None:
            return JSONResponse({"errors": [{"message": f"No operation named \"{operation_name}\""}]})
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        calculator = CostCalculator(load_schema(), fragments, variables)
        requested = calculator.operation(operation)
        single_max = min(SINGLE_QUERY_MAX, int(self.bucket.maximum))
        if requested > single_max:
            return JSONResponse({"errors": [{
                "message": f"Query cost is {requested}, which exceeds the single query max cost limit "
                           f"({single_max}).\n\nSee {RATE_LIMIT_DOCS} for more information on how the cost of a "
                           "query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk "
                           "operations should be used instead.",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": single_max,
                               "documentation": RATE_LIMIT_DOCS}}]})
        denied = self.denied_fields(request.headers.get("x-shopify-access-token", ""), operation)
        if denied:
            return JSONResponse({"errors": denied, "extensions": {"cost": {
                "requestedQueryCost": requested, "actualQueryCost": 0, "throttleStatus": self.bucket.status()}}})
        if not self.bucket.take(requested):
            return JSONResponse({
                "errors": [{"message": "Throttled",
                            "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS}}],
                "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                        "throttleStatus": self.bucket.status()}},
            })
        result: ExecutionResult = execute_sync(
            load_schema(), document, context_value=RequestContext(self), variable_values=variables,
            operation_name=operation_name, field_resolver=resolve_field, type_resolver=resolve_type)
        actual = calculator.operation(operation, result.data, actual=True) if result.data else requested
        self.bucket.refund(requested - actual)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_format_error(e) for e in result.errors]
        body["data"] = result.data
        body["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                       "throttleStatus": self.bucket.status()}}
        return JSONResponse(body)

    def denied_fields(self, token: str, operation: OperationDefinitionNode) -> list[dict[str, Any]]:
        """ACCESS_DENIED errors for root fields this token's scopes do not cover."""
        granted = self.app_install.token_scopes.get(token, set())
        errors = []
        for selection in operation.selection_set.selections:
            name = getattr(getattr(selection, "name", None), "value", "")
            needed = required_scope(name, operation.operation.value == "mutation")
            if needed and not ({needed, needed.replace("read_", "write_")} & granted):
                errors.append({"message": f"Access denied for {name} field. Required access: `{needed}` access "
                                          "scope.", "path": [name],
                               "extensions": {"code": "ACCESS_DENIED", "requiredAccess": f"`{needed}` access scope.",
                                              "documentation": "https://shopify.dev/api/usage/access-scopes"}})
        return errors

    async def ratelimit(self, request: Request) -> Response:
        """GET: bucket status. POST {"maximumAvailable", "restoreRate"}: change it. DELETE: Shopify's default."""
        if request.method == "POST":
            data = await request.json()
            self.bucket.configure(float(data.get("maximumAvailable", self.bucket.maximum)),
                                  float(data.get("restoreRate", self.bucket.restore_rate)))
        elif request.method == "DELETE":
            self.bucket = CostBucket()
        return JSONResponse(self.bucket.status())


READ_SCOPES = {
    "products": "read_products", "product": "read_products", "productVariant": "read_products",
    "productVariants": "read_products", "productsCount": "read_products", "collections": "read_products",
    "inventoryItem": "read_inventory", "locations": "read_locations", "location": "read_locations",
    "orders": "read_orders", "order": "read_orders",
    "fulfillmentOrder": "read_merchant_managed_fulfillment_orders", "fulfillment": "read_orders",
}
WRITE_SCOPES = {
    "productCreate": "write_products", "productDelete": "write_products", "productVariantsBulkCreate":
    "write_products", "productVariantsBulkUpdate": "write_products", "collectionCreate": "write_products",
    "inventorySetQuantities": "write_inventory", "orderCreate": "write_orders", "orderUpdate": "write_orders",
    "tagsAdd": "write_orders", "orderCancel": "write_orders", "orderClose": "write_orders", "orderOpen": "write_orders",
    "fulfillmentCreate": "write_merchant_managed_fulfillment_orders",
    "fulfillmentTrackingInfoUpdate": "write_merchant_managed_fulfillment_orders",
}


def required_scope(field_name: str, mutation: bool) -> str | None:
    """The access scope a root field needs (None: any installed app may call it)."""
    return (WRITE_SCOPES if mutation else READ_SCOPES).get(field_name)


def _format_error(error: Any) -> dict[str, Any]:
    """graphql-core's error dict, with an `extensions.code` as Shopify always sends one."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", "BAD_REQUEST" if not formatted.get("path") else "INTERNAL_SERVER_ERROR")
    formatted["extensions"] = extensions
    return formatted


class GraphQLFaultMiddleware(FaultMiddleware):
    """FaultMiddleware that also matches faults on the GraphQL root fields a request calls.

    Every Admin API call goes to one path, so a fault whose `path` is e.g. "orderCreate" must match the request
    that runs that mutation: the path seen by the matcher is "<url path>#<root field>,<root field>".
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/graphql.json"):
            await super().__call__(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        virtual = dict(scope)
        virtual["path"] = f"{scope['path']}#{','.join(root_fields(body))}"
        inner = self.app

        async def app_with_real_path(s: Scope, r: Receive, sd: Send) -> None:
            await inner(scope, r, sd)

        await FaultMiddleware(app_with_real_path, self.faults, self.error_body)(virtual, replay, send)


def root_fields(body: bytes) -> list[str]:
    """Root field names of the operation in a GraphQL request body ([] when it cannot be parsed)."""
    try:
        payload = json.loads(body)
        document, _ = parse_and_validate(payload["query"])
    except (ValueError, KeyError, TypeError):
        return []
    if document is None:
        return []
    names = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            names += [s.name.value for s in definition.selection_set.selections if hasattr(s, "name")]
    return names
