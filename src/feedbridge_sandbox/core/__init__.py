"""Shared pieces of every sandbox: clock, faults, rate limits, webhook sender, server, control API."""

from feedbridge_sandbox.core.clock import Clock
from feedbridge_sandbox.core.faults import Fault, FaultInjector
from feedbridge_sandbox.core.ratelimit import WindowLimiter
from feedbridge_sandbox.core.server import RunningServer, serve
from feedbridge_sandbox.core.webhooks import WebhookSender

__all__ = ["Clock", "Fault", "FaultInjector", "RunningServer", "WebhookSender", "WindowLimiter", "serve"]
