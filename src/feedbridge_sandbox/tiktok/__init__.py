"""TikTok Shop sandbox: a simulator that speaks TikTok Shop's Open API (v202309+) and auth host.

`create_sandbox(...)` returns the sandbox object (name, app, seed, manifest); docs/sandbox.md describes the
manifest, the options and the control API.
"""

from __future__ import annotations

from typing import Any

from feedbridge_sandbox.tiktok.app import Sandbox
from feedbridge_sandbox.tiktok.runtime import ReviewRules, Settings
from feedbridge_sandbox.tiktok.state import App

DEFAULT_APP_KEY = "6a1f0sbxtt"
DEFAULT_APP_SECRET = "e59af819cc5bdf1a7d3c0e8f4a2b6c91d07e3f5a"
DEFAULT_SERVICE_ID = "7291000000000000001"


def create_sandbox(
    *, seed: bool = True, review_delay: float = 2.0, fail_title_keywords: tuple[str, ...] = ("FAILREVIEW",),
    on_hold_seconds: float = 60.0, rate_limit: int = 50, rate_window: float = 1.0,
    webhook_retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0, 10.0), app_key: str = DEFAULT_APP_KEY,
    app_secret: str = DEFAULT_APP_SECRET, service_id: str = DEFAULT_SERVICE_ID, redirect_url: str = "",
    webhook_address: str = "", regions: tuple[str, ...] = (), **unknown: Any,
) -> Sandbox:
    """Build the TikTok sandbox. Times are sandbox-clock seconds (TikTok: review ~hours, on-hold ~1 h,
    webhook retries 2 min / 30 min / 3 h / 12 h); the defaults are short so demos and tests move quickly."""
    if unknown:
        raise TypeError(f"unknown TikTok sandbox options: {', '.join(sorted(unknown))}")
    settings = Settings(ReviewRules(delay=review_delay, fail_title_keywords=list(fail_title_keywords)),
                        on_hold_seconds=on_hold_seconds, rate_limit=rate_limit, rate_window=rate_window,
                        webhook_retry_delays=tuple(webhook_retry_delays))
    app = App(app_key, app_secret, service_id, webhook_address)
    return Sandbox(seed=seed, app=app, settings=settings, redirect_url=redirect_url, regions=tuple(regions))


__all__ = ["Sandbox", "create_sandbox"]
