"""The nine markets feedbridge serves, with the per-region rules TikTok applies to listings.

Title lengths, SKU limits, units and category versions follow TikTok's create-product reference; local price
ranges for US and GB come from TikTok's product-pricing page, the others are plausible bounds in local currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Region:
    """What differs between markets."""

    code: str
    currency: str
    locale: str
    title_min: int
    sku_limit: int
    price_min: Decimal
    price_max: Decimal
    weight_units: tuple[str, ...]
    dimension_units: tuple[str, ...]
    category_version: str
    dimensions_optional: bool
    seller_type: str
    currency_decimals: int
    country: str


def _r(code: str, currency: str, locale: str, title_min: int, sku_limit: int, pmin: str, pmax: str,
       country: str, *, decimals: int = 2, weight: tuple[str, ...] = ("KILOGRAM",),
       dims: tuple[str, ...] = ("CENTIMETER",), version: str = "v1", dims_optional: bool = False,
       seller_type: str = "LOCAL") -> Region:
    return Region(code, currency, locale, title_min, sku_limit, Decimal(pmin), Decimal(pmax), weight, dims,
                  version, dims_optional, seller_type, decimals, country)


REGIONS: dict[str, Region] = {
    "US": _r("US", "USD", "en-US", 1, 300, "0.01", "7600", "United States", weight=("KILOGRAM", "POUND"),
             dims=("CENTIMETER", "INCH"), version="v2"),
    "GB": _r("GB", "GBP", "en-GB", 1, 300, "0.01", "5600", "United Kingdom"),
    "SG": _r("SG", "SGD", "en-SG", 25, 100, "0.01", "10000", "Singapore"),
    "VN": _r("VN", "VND", "vi-VN", 25, 100, "1000", "150000000", "Vietnam", decimals=0, dims_optional=True),
    "TH": _r("TH", "THB", "th-TH", 25, 100, "1", "500000", "Thailand", dims_optional=True),
    "MY": _r("MY", "MYR", "ms-MY", 25, 100, "0.01", "50000", "Malaysia"),
    "ID": _r("ID", "IDR", "id-ID", 25, 100, "100", "150000000", "Indonesia", decimals=0, dims_optional=True),
    "PH": _r("PH", "PHP", "en-PH", 25, 100, "1", "500000", "Philippines"),
    # A China-based cross-border seller: lists in USD with the lower cross-border price ceiling.
    "CN": _r("CN", "USD", "zh-CN", 25, 100, "0.01", "800", "China", seller_type="CROSS_BORDER"),
}

IMPERIAL_UNITS = frozenset({"POUND", "INCH"})


def region(code: str) -> Region:
    """The region for a code; KeyError for a market the sandbox does not simulate."""
    return REGIONS[code.upper()]
