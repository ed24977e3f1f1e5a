"""The nine served regions and their listing rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from feedbridge.errors import DataError
from feedbridge.tiktok.regions import REGIONS, check_price, check_title, region


def test_the_nine_served_regions_are_present() -> None:
    assert set(REGIONS) == {"US", "GB", "SG", "VN", "TH", "MY", "ID", "PH", "CN"}


def test_uk_is_an_alias_of_gb() -> None:
    assert region("uk") is REGIONS["GB"]
    assert region("UK").currency == "GBP"


@pytest.mark.parametrize(
    ("code", "currency"),
    [("US", "USD"), ("GB", "GBP"), ("SG", "SGD"), ("VN", "VND"), ("TH", "THB"), ("MY", "MYR"), ("ID", "IDR"),
     ("PH", "PHP"), ("CN", "CNY")],
)
def test_each_region_has_its_currency(code: str, currency: str) -> None:
    assert region(code).currency == currency


def test_only_us_uses_the_v2_category_tree() -> None:
    assert {code for code, r in REGIONS.items() if r.category_version == "v2"} == {"US"}
    assert all(r.category_version in ("v1", "v2") for r in REGIONS.values())


def test_unknown_region_is_a_data_error() -> None:
    with pytest.raises(DataError):
        region("BR")


def test_long_title_message_says_what_to_do() -> None:
    with pytest.raises(DataError, match="Title is 270 characters; TikTok allows 255"):
        check_title("x" * 270, "US")


def test_southeast_asia_needs_titles_of_25_characters() -> None:
    check_title("x" * 5, "US")
    with pytest.raises(DataError, match="at least 25"):
        check_title("x" * 5, "MY")


def test_price_outside_documented_range_is_refused_and_inside_accepted() -> None:
    check_price(Decimal("7600"), "US")
    with pytest.raises(DataError):
        check_price(Decimal("7600.01"), "US")
    with pytest.raises(DataError):
        check_price(Decimal("0"), "GB")
