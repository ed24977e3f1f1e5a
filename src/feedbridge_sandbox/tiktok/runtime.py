"""The sandbox's moving parts in one object: state, clock, settings, webhook sender, rate limiter."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from feedbridge_sandbox.core import Clock, FaultInjector, WebhookSender, WindowLimiter
from feedbridge_sandbox.tiktok.signing import webhook_signature
from feedbridge_sandbox.tiktok.state import App, State

# Webhook type ids and the event_type names PUT /event/202309/webhooks accepts for them.
EVENT_TYPES: dict[str, int] = {
    "ORDER_STATUS_CHANGE": 1, "REVERSE_STATUS_UPDATE": 2, "RECIPIENT_ADDRESS_UPDATE": 3, "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5, "SELLER_DEAUTHORIZATION": 6, "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11, "RETURN_STATUS_CHANGE": 12, "NEW_CONVERSATION": 13, "NEW_MESSAGE": 14,
    "PRODUCT_INFORMATION_CHANGE": 15, "PRODUCT_CREATION": 16, "PRODUCT_CATEGORY_CHANGE": 18,
    "PRODUCT_AUDIT_STATUS_CHANGE": 37,
}


@dataclass
class ReviewRules:
    """How the simulated audit decides: titles containing a keyword fail, with these reasons."""

    delay: float = 2.0
    fail_title_keywords: list[str] = field(default_factory=lambda: ["FAILREVIEW"])
    reasons: list[str] = field(default_factory=lambda: ["violate listing rules"])
    suggestions: list[str] = field(default_factory=lambda: [
        "The product violates TikTok Shop listing rules. Edit the title and resubmit."])

    def as_dict(self) -> dict[str, Any]:
        """The rules as the control API shows them."""
        return {"delay": self.delay, "fail_title_keywords": self.fail_title_keywords,
                "reasons": self.reasons, "suggestions": self.suggestions}


@dataclass
class Settings:
    """Options `create_sandbox` takes (see docs/sandbox.md)."""

    review: ReviewRules = field(default_factory=ReviewRules)
    on_hold_seconds: float = 60.0
    rate_limit: int = 50
    rate_window: float = 1.0
    webhook_retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0, 10.0)


class Runtime:
    """Shared by every handler; owns the tick that moves time-based state forward."""

    def __init__(self, app: App, clock: Clock, faults: FaultInjector, settings: Settings) -> None:
        self.settings = settings
        self.clock = clock
        self.faults = faults
        self.state = State(app, clock)
        self.sender = WebhookSender(faults, retry_delays=settings.webhook_retry_delays)
        self.limiter = WindowLimiter(settings.rate_limit, settings.rate_window)
        self.tickers: list[Callable[[Runtime], None]] = []
        self.redirect_url = ""                # where the consent page sends the seller back
        self.base_url = ""                    # as the last request reached us; for image URLs in orders

    def tick(self) -> None:
        """Run every time-based transition that is due (reviews, on-hold windows)."""
        for ticker in self.tickers:
            ticker(self)

    def notify(self, shop_id: str, event_type: str, data: dict[str, Any]) -> None:
        """Send one webhook notification to the shop's subscription for this event type (and the app URL).

        Must run on the sandbox's event loop. Every notification gets its own tts_notification_id; a fault
        that duplicates a delivery re-sends the same id, as TikTok's at-least-once delivery does.
        """
        state = self.state
        targets = []
        subscription = state.webhooks.get(shop_id, {}).get(event_type)
        if subscription:
            targets.append(subscription.address)
        if state.app.webhook_address and state.app.webhook_address not in targets:
            targets.append(state.app.webhook_address)
        for address in targets:
            body = json.dumps({"type": EVENT_TYPES[event_type], "tts_notification_id": str(next(
                state.notification_ids)), "shop_id": shop_id, "timestamp": state.now(), "data": data},
                separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json",
                       "Authorization": webhook_signature(state.app.app_key, state.app.app_secret, body)}
            self.sender.send(address, event_type, body, headers)
