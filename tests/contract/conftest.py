"""Runs the contract suite once per store platform whose harness exists."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from tests.contract.harness import StoreHarness

PLATFORMS = ["shopify", "bigcommerce", "woocommerce", "magento"]


def _available() -> list[str]:
    found = []
    for name in PLATFORMS:
        try:
            importlib.import_module(f"tests.contract.harness_{name}")
        except ModuleNotFoundError:
            continue
        found.append(name)
    return found


@pytest.fixture(params=_available(), scope="module")
def harness(request: pytest.FixtureRequest) -> Iterator[StoreHarness]:
    module = importlib.import_module(f"tests.contract.harness_{request.param}")
    h: StoreHarness = module.Harness()
    h.start()
    try:
        yield h
    finally:
        h.stop()
