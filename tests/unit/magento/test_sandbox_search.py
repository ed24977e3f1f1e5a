"""searchCriteria matching in the Magento sandbox."""

from __future__ import annotations

from feedbridge_sandbox.magento.search import matches


def test_long_numeric_ids_are_compared_exactly_not_as_floats() -> None:
    # Two TikTok order ids that are equal as floats must not match each other.
    assert matches("5764000000000000025", "eq", "5764000000000000025")
    assert not matches("5764000000000000025", "eq", "5764000000000000029")
    assert matches("10", "gt", "9") and matches("2.50", "eq", "2.5")
