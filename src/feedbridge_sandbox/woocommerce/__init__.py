"""A WooCommerce store simulator speaking the REST API `/wp-json/wc/v3` (and the Shipment Tracking extension).

`create_sandbox(seed=True)` builds one store; `await sandbox.seed(base_url)` loads WooCommerce's sample catalog
through the sandbox's own REST API. Control routes: the shared /_sandbox API plus POST /_sandbox/ratelimit
{"limit": n, "window": s} (WooCommerce itself has no rate limit; 0 turns it off) and POST /_sandbox/webhooks/status
{"id", "status"}.
"""

from __future__ import annotations

import secrets
from typing import Any

from feedbridge_sandbox.control import control_routes
from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender
from feedbridge_sandbox.woocommerce.app import WooApp, build_app
from feedbridge_sandbox.woocommerce.auth import ApiKey, KeyChecker
from feedbridge_sandbox.woocommerce.seed import seed_catalog
from feedbridge_sandbox.woocommerce.store import CURRENCY, WooStore


class WooCommerceSandbox:
    """One simulated WooCommerce store: `app`, `seed(base_url)`, `manifest(base_url)`."""

    name = "woocommerce"

    def __init__(self, *, seed: bool = True, consumer_key: str | None = None, consumer_secret: str | None = None,
                 webhook_secret: str | None = None, permissions: str = "read_write", rate_limit: int = 0,
                 csv_text: str | None = None, tracking_extension: bool = True) -> None:
        self.should_seed = seed
        self.csv_text = csv_text
        self.consumer_key = consumer_key or "ck_" + secrets.token_hex(20)
        self.consumer_secret = consumer_secret or "cs_" + secrets.token_hex(20)
        self.webhook_secret = webhook_secret or secrets.token_urlsafe(24)
        self.clock = Clock()
        self.faults = FaultInjector()
        # WooCommerce sends each delivery once (no retries); failures count towards disabling the webhook.
        self.sender = WebhookSender(self.faults, retry_delays=())
        self.store = WooStore(self.clock)
        self.keys = KeyChecker([ApiKey(self.consumer_key, self.consumer_secret, permissions)])
        self.woo = WooApp(self.store, self.keys, self.clock, self.faults, self.sender, rate_limit,
                          tracking_extension)
        control = control_routes(faults=self.faults, clock=self.clock, webhooks=self.sender, reset=self.store.reset,
                                 state=self.state)
        self.app = build_app(self.woo, control)

    def state(self) -> dict[str, Any]:
        """Counts and webhook states for GET /_sandbox/state."""
        return {"products": len(self.store.products), "variations": len(self.store.variations),
                "orders": len(self.store.orders), "categories": len(self.store.categories),
                "webhooks": [{"id": h.id, "topic": h.topic, "status": h.status, "failure_count": h.failure_count}
                             for h in self.store.webhooks.values()]}

    async def seed(self, base_url: str) -> None:
        """Load the sample catalog through the REST API (no-op when created with seed=False)."""
        if self.should_seed:
            await seed_catalog(base_url, self.consumer_key, self.consumer_secret, self.csv_text)

    def credentials(self) -> dict[str, str]:
        """What the adapter's constructor takes."""
        return {"consumer_key": self.consumer_key, "consumer_secret": self.consumer_secret,
                "webhook_secret": self.webhook_secret}

    def manifest(self, base_url: str) -> dict[str, Any]:
        """Base URL and credentials for other programs."""
        return {"platform": "woocommerce", "base_url": base_url, "credentials": self.credentials(),
                "currency": CURRENCY, "api": f"{base_url}/wp-json/wc/v3"}


def create_sandbox(*, seed: bool = True, **options: Any) -> WooCommerceSandbox:
    """A WooCommerce sandbox; options: consumer_key, consumer_secret, webhook_secret, permissions, rate_limit,
    tracking_extension (False: a store without the Shipment Tracking extension), csv_text."""
    return WooCommerceSandbox(seed=seed, **options)
