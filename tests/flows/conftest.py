"""Fixtures for whole-loop tests: one world per test, on the test's own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feedbridge.runtime import Runtime
from tests.flows.world import World, build_world


@pytest.fixture
def world_factory(runtime: Runtime) -> Iterator:  # type: ignore[type-arg]
    worlds: list[World] = []

    def make(platform: str, **options: object) -> World:
        world = build_world(runtime, platform, **options)  # type: ignore[arg-type]
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.stop()
