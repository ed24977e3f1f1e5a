"""Starts every platform sandbox on loopback, seeds them, and writes the manifest."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedbridge_sandbox.core import RunningServer, serve

log = logging.getLogger(__name__)

PLATFORMS = ("tiktok", "shopify", "bigcommerce", "woocommerce", "magento")


@dataclass
class Fleet:
    """The running sandboxes: name → (sandbox object, server)."""

    sandboxes: dict[str, Any] = field(default_factory=dict)
    servers: dict[str, RunningServer] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {name: sb.manifest(self.servers[name].url) for name, sb in self.sandboxes.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def available_platforms() -> list[str]:
    """Platforms whose sandbox package exists in this build."""
    names = []
    for name in PLATFORMS:
        try:
            module = importlib.import_module(f"feedbridge_sandbox.{name}")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "create_sandbox"):
            names.append(name)
    return names


def start_fleet(
    platforms: list[str] | None = None, *, seed: bool = True, host: str = "127.0.0.1",
    ports: dict[str, int] | None = None, options: dict[str, dict[str, Any]] | None = None,
) -> Fleet:
    """Start the named sandboxes (default: all available), seed them through their own APIs."""
    fleet = Fleet()
    for name in platforms or available_platforms():
        module = importlib.import_module(f"feedbridge_sandbox.{name}")
        sandbox = module.create_sandbox(seed=seed, **(options or {}).get(name, {}))
        server = serve(sandbox.app, host=host, port=(ports or {}).get(name, 0))
        fleet.sandboxes[name] = sandbox
        fleet.servers[name] = server
    for name, sandbox in fleet.sandboxes.items():
        if seed:
            asyncio.run(sandbox.seed(fleet.servers[name].url))
            log.info("seeded the %s sandbox", name)
    return fleet


def write_manifest(fleet: Fleet, path: Path) -> None:
    path.write_text(json.dumps(fleet.manifest(), indent=2) + "\n")
