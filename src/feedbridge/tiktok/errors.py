"""Typed errors for TikTok Shop answers; each carries TikTok's code, message and request_id.

TikTok reports failures in the body (`code != 0`), often with HTTP 200, so errors are classified by exact code:
token problems are TikTokAuthError, rate limits and internal errors (after our retries ran out) are
TikTokRetryableError, everything else is TikTokError with a merchant-readable action where we know one.
"""

from __future__ import annotations

from feedbridge.errors import AuthError, FeedbridgeError, PlatformError, RetryableError

PLATFORM = "tiktok"

# The access token has expired: refresh it and try again.
EXPIRED_TOKEN = 105002
# Token problems that need a refresh or a new authorization by the merchant.
AUTH_CODES = frozenset({101000, 105000, 105001, 105002, 105003, 105004, 105005, 105006})
# Transient: rate limited (36009002), internal error (36009003), gateway timeout (36009007).
RETRYABLE_CODES = frozenset({36009002, 36009003, 36009007})
RATE_LIMITED = 36009002

# What the merchant (or operator) can do about codes we have seen in the docs. Shown next to TikTok's message.
ACTIONS: dict[int, str] = {
    101000: "Reconnect the TikTok shop in feedbridge: the access token was refused.",
    105001: "Reconnect the TikTok shop in feedbridge: the access token is not valid.",
    105002: "Reconnect the TikTok shop in feedbridge: the access token expired and could not be refreshed.",
    105005: "Reconnect the TikTok shop and grant every permission feedbridge asks for.",
    106001: "Check FEEDBRIDGE_TIKTOK_APP_SECRET: TikTok could not verify the request signature.",
    106013: "Reconnect the TikTok shop so feedbridge learns its shop cipher.",
    36009033: "Add this server's IP address to the app's allow list in TikTok Partner Center.",
    12052024: "Map the store category to a leaf (lowest-level) TikTok category.",
    12052217: "Refresh the TikTok category mapping: the category belongs to another category tree version.",
    12052230: "Refresh the TikTok category mapping: the category belongs to another category tree version.",
    12052051: "Shorten the product title in your store.",
    12052013: "Shorten the product description in your store (TikTok allows 10,000 characters).",
    12052104: "Fill in the TikTok attributes this category requires.",
    12052201: "Pick a brand the shop is authorized to sell, or leave the brand empty.",
    12052208: "Pick a brand the shop is authorized to sell, or leave the brand empty.",
    12052535: "Add a return warehouse in TikTok Seller Center.",
    12052181: "Give the product a weight in your store or set a default weight in feedbridge.",
    12052915: "Use the same unit system (metric or imperial) for the product's weight and dimensions.",
    12052570: "Set a price within the range TikTok allows in this market.",
    12052073: "Set a price within the range TikTok allows in this market.",
    12052093: "The shop reached TikTok's daily product listing limit; the listing is retried tomorrow.",
    12052038: "The price is locked by an ongoing TikTok promotion; it syncs when the promotion ends.",
    12019045: "The price is locked by an ongoing TikTok promotion; it syncs when the promotion ends.",
}


class TikTokError(PlatformError):
    """TikTok answered with a non-zero code; `code`, `message`, `request_id` and HTTP `status` are kept."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        request_id: str | None = None,
        status: int | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(
            message,
            platform=PLATFORM,
            code=code,
            request_id=request_id,
            status=status,
            action=action if action is not None else ACTIONS.get(code or 0),
        )


class TikTokAuthError(TikTokError, AuthError):
    """The access token was refused, expired or lacks a scope; refresh or re-authorize the shop."""


class TikTokRetryableError(TikTokError, RetryableError):
    """Rate limited or a transient TikTok failure that outlasted our retries; try again after `delay`."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        request_id: str | None = None,
        status: int | None = None,
        delay: float | None = None,
    ) -> None:
        super().__init__(message, code=code, request_id=request_id, status=status)
        self.delay = delay


class WebhookSignatureError(FeedbridgeError):
    """A webhook's Authorization header is missing or does not sign its body; answer 401, do not process."""


def error_for(
    code: int | None, message: str, *, request_id: str | None = None, status: int | None = None
) -> TikTokError:
    """Build the typed error for a failed TikTok answer."""
    if code in AUTH_CODES or status == 401 and code is None:
        return TikTokAuthError(message, code=code, request_id=request_id, status=status)
    if code in RETRYABLE_CODES or status in (429, 500, 502, 503, 504):
        return TikTokRetryableError(message, code=code, request_id=request_id, status=status, delay=1.0)
    return TikTokError(message, code=code, request_id=request_id, status=status)
