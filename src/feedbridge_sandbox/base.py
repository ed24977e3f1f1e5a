"""What every platform sandbox provides, and the control API routes they share.

A platform package `feedbridge_sandbox.<name>` exposes `create_sandbox(*, seed: bool = True, **options)`
returning an object with:
  name                          platform name ("tiktok", "shopify", ...)
  app                           the ASGI app (real API paths + the control API under /_sandbox)
  async seed(base_url)          load the default catalog through the platform's own API (no-op when seed=False)
  manifest(base_url) -> dict    base URLs and credentials other programs need (see docs/sandbox.md)
"""

from __future__ import annotations

from typing import Any, Protocol


class Sandbox(Protocol):
    name: str
    app: Any

    async def seed(self, base_url: str) -> None: ...

    def manifest(self, base_url: str) -> dict[str, Any]: ...
