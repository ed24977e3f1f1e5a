"""The TikTok Shop regions feedbridge serves and the listing rules that differ between them.

Sources: TikTok Partner Center docs as summarized in shared/reference/tiktok-shop-api.md (Create Product title
lengths, SKU counts, price ranges, units; category tree versions; authorization hosts; locales). A limit is None
where TikTok does not document one; TikTok's own validation then decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from feedbridge.errors import DataError

ROW_AUTHORIZE_HOST = "https://services.tiktokshop.com"
US_AUTHORIZE_HOST = "https://services.tiktokshops.us"


@dataclass(frozen=True, slots=True)
class Region:
    """One TikTok Shop market: what a listing there must respect."""

    code: str  # TikTok's region code (shops[].region), e.g. "GB" for the United Kingdom
    name: str
    currency: str
    locale: str
    authorize_host: str  # where the merchant authorizes the app (services.* host)
    category_version: str  # "v2" (7-level tree, US) or "v1" (3-level tree)
    title_min: int
    title_max: int
    max_skus: int
    price_min: Decimal | None
    price_max: Decimal | None
    weight_units: tuple[str, ...]
    dimension_units: tuple[str, ...]
    dimensions_optional: bool  # package dimensions may be left out regardless of category rules
    inventory_max: int = 99_999
    # Carrier names commonly offered there; only hints for matching store carriers. The ids always come
    # from Get Shipping Providers for the shop's delivery option.
    shipping_providers: tuple[str, ...] = ()


REGIONS: dict[str, Region] = {
    "US": Region(
        code="US", name="United States", currency="USD", locale="en-US", authorize_host=US_AUTHORIZE_HOST,
        category_version="v2", title_min=1, title_max=255, max_skus=300,
        price_min=Decimal("0.01"), price_max=Decimal("7600"),
        weight_units=("KILOGRAM", "POUND"), dimension_units=("CENTIMETER", "INCH"), dimensions_optional=False,
        shipping_providers=("USPS", "UPS", "FedEx", "DHL eCommerce", "OnTrac"),
    ),
    "GB": Region(
        code="GB", name="United Kingdom", currency="GBP", locale="en-GB", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=1, title_max=255, max_skus=300,
        price_min=Decimal("0.01"), price_max=Decimal("5600"),
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=False,
        shipping_providers=("Royal Mail", "Evri", "DPD", "Parcelforce", "Yodel", "DHL"),
    ),
    "SG": Region(
        code="SG", name="Singapore", currency="SGD", locale="en-SG", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=False,
        shipping_providers=("J&T Express", "Ninja Van"),
    ),
    "VN": Region(
        code="VN", name="Vietnam", currency="VND", locale="vi-VN", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=True,
        shipping_providers=("J&T Express", "Giao Hang Nhanh", "Viettel Post"),
    ),
    "TH": Region(
        code="TH", name="Thailand", currency="THB", locale="th-TH", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=True,
        shipping_providers=("J&T Express", "Flash Express", "Kerry Express"),
    ),
    "MY": Region(
        code="MY", name="Malaysia", currency="MYR", locale="ms-MY", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=False,
        shipping_providers=("J&T Express", "Ninja Van", "Pos Malaysia"),
    ),
    "ID": Region(
        code="ID", name="Indonesia", currency="IDR", locale="id-ID", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=True,
        shipping_providers=("J&T Express", "SiCepat", "JNE"),
    ),
    "PH": Region(
        code="PH", name="Philippines", currency="PHP", locale="en-PH", authorize_host=ROW_AUTHORIZE_HOST,
        category_version="v1", title_min=25, title_max=255, max_skus=100, price_min=None, price_max=None,
        weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",), dimensions_optional=False,
        shipping_providers=("J&T Express", "Flash Express", "Ninja Van"),
    ),
    # Sellers based in mainland China sell cross-border; their shops list in another market, whose rules
    # apply to the listing. CN is kept so that a CN-based seller account (seller_base_region) resolves.
    "CN": Region(
        code="CN", name="China (cross-border sellers)", currency="CNY", locale="zh-CN",
        authorize_host=ROW_AUTHORIZE_HOST, category_version="v1", title_min=25, title_max=255, max_skus=100,
        price_min=None, price_max=None, weight_units=("KILOGRAM",), dimension_units=("CENTIMETER",),
        dimensions_optional=False,
    ),
}

# Names people use that are not TikTok's region codes.
ALIASES = {"UK": "GB"}


def region(code: str) -> Region:
    """The Region for a TikTok region code (or "UK"); DataError for a market feedbridge does not serve."""
    key = ALIASES.get(code.strip().upper(), code.strip().upper())
    try:
        return REGIONS[key]
    except KeyError:
        served = ", ".join(sorted(REGIONS))
        raise DataError(
            f"TikTok Shop region {code!r} is not supported by feedbridge (supported: {served}).", field="region"
        ) from None


def check_title(title: str, code: str) -> None:
    """Raise DataError when `title` breaks the region's length rule, saying what to change."""
    rules = region(code)
    length = len(title)
    if length > rules.title_max:
        raise DataError(
            f"Title is {length} characters; TikTok allows {rules.title_max} in {rules.name}. "
            "Shorten the title in your store.",
            field="title",
        )
    if length < rules.title_min:
        raise DataError(
            f"Title is {length} characters; TikTok needs at least {rules.title_min} in {rules.name}. "
            "Lengthen the title in your store.",
            field="title",
        )


def check_price(amount: Decimal, code: str) -> None:
    """Raise DataError when `amount` is outside the region's documented price range."""
    rules = region(code)
    if rules.price_min is not None and amount < rules.price_min:
        raise DataError(
            f"Price {amount} {rules.currency} is below TikTok's minimum of {rules.price_min} in {rules.name}.",
            field="price",
        )
    if rules.price_max is not None and amount > rules.price_max:
        raise DataError(
            f"Price {amount} {rules.currency} is above TikTok's maximum of {rules.price_max} in {rules.name}.",
            field="price",
        )
