"""Listing statuses in the merchant's words, and every pre-send check on a TikTok listing draft."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from feedbridge.domain.listing import (
    TIKTOK_STATUS_DETAIL,
    ListingDraft,
    ListingStatus,
    PackageDimensions,
    PackageWeight,
    Problem,
    RequiredAttribute,
    SalesAttribute,
    SkuDraft,
    TikTokLimits,
    listing_status_from_tiktok,
    validate_listing,
)
from feedbridge.errors import DataError

D = Decimal
US = TikTokLimits.for_region("US")


def sku(seller_sku: str = "TEE-BLUE-M", price: str = "19.99", stock: int = 5, **options: str) -> SkuDraft:
    attrs = [SalesAttribute(name, value) for name, value in options.items()]
    return SkuDraft(seller_sku=seller_sku, price=D(price), stock=stock, sales_attributes=attrs)


def draft(**changes: object) -> ListingDraft:
    base = ListingDraft(
        title="Organic cotton tee, relaxed fit",
        description_html="<p>Soft organic cotton.</p>",
        main_images=["tos-maliva-i/abc"],
        category_id="601226",
        skus=[sku("TEE-BLUE-M", Color="Blue", Size="M"), sku("TEE-BLUE-L", Color="Blue", Size="L")],
        package_weight=PackageWeight(D("0.3"), "KILOGRAM"),
        package_dimensions=PackageDimensions(D(30), D(20), D(3), "CENTIMETER"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


# --- statuses ----------------------------------------------------------------------------------------------

def test_statuses_read_in_the_merchants_words():
    assert [s.label for s in ListingStatus] == [
        "Not synced", "Failed to sync", "Under review", "Failed review", "Active", "Synced (unlisted)",
    ]


@pytest.mark.parametrize(
    ("tiktok", "ours"),
    [
        ("DRAFT", ListingStatus.SYNCED_UNLISTED),
        ("PENDING", ListingStatus.UNDER_REVIEW),
        ("FAILED", ListingStatus.FAILED_REVIEW),
        ("ACTIVATE", ListingStatus.ACTIVE),
        ("SELLER_DEACTIVATED", ListingStatus.SYNCED_UNLISTED),
        ("PLATFORM_DEACTIVATED", ListingStatus.SYNCED_UNLISTED),
        ("FREEZE", ListingStatus.FAILED_REVIEW),
        ("DELETED", ListingStatus.SYNCED_UNLISTED),
        ("INITIAL", ListingStatus.SYNCED_UNLISTED),
        ("activate", ListingStatus.ACTIVE),
    ],
)
def test_every_documented_tiktok_status_maps_to_ours(tiktok: str, ours: ListingStatus):
    assert listing_status_from_tiktok(tiktok) is ours
    assert TIKTOK_STATUS_DETAIL[tiktok.upper()]


def test_a_live_product_whose_edit_is_under_review_stays_active():
    assert listing_status_from_tiktok("ACTIVATE", "AUDITING") is ListingStatus.ACTIVE


def test_pre_approved_products_are_still_under_review():
    assert listing_status_from_tiktok("PENDING", "PRE_APPROVED") is ListingStatus.UNDER_REVIEW


def test_an_unknown_tiktok_status_is_an_error_not_a_guess():
    with pytest.raises(DataError):
        listing_status_from_tiktok("SOMETHING_NEW")


# --- limits per market -------------------------------------------------------------------------------------

def test_market_limits_follow_tiktoks_documentation():
    assert (US.title_min, US.title_max, US.skus_max, US.price_max) == (1, 255, 300, D("7600"))
    mx = TikTokLimits.for_region("MX")
    assert (mx.title_max, mx.weight_units) == (300, ("KILOGRAM", "GRAM"))
    my = TikTokLimits.for_region("MY")
    assert (my.title_min, my.skus_max, my.price_max, my.dimensions_required) == (25, 100, None, True)
    assert TikTokLimits.for_region("VN").dimensions_required is False
    assert TikTokLimits.for_region("GB").weight_units == ("KILOGRAM",)


# --- validation --------------------------------------------------------------------------------------------

def test_a_complete_draft_has_no_problems():
    assert validate_listing(draft(), US) == []


def test_title_too_long():
    problems = validate_listing(draft(title="x" * 270), US)
    assert problems == [Problem("title", "Title is 270 characters; TikTok allows 255.", "Shorten the title in your store.")]


def test_title_too_short_in_southeast_asia():
    problems = validate_listing(draft(title="Cotton tee"), TikTokLimits.for_region("MY"))
    assert fields(problems) == ["title"] and "at least 25" in problems[0].reason


def test_title_longer_allowance_in_mexico():
    assert validate_listing(draft(title="x" * 280), TikTokLimits.for_region("MX")) == []


@pytest.mark.parametrize("title", ["Tee 😀", "Tee &amp; shirt", "纯棉 tee", "Tee\x07", "!!!", ""])
def test_titles_tiktok_rejects(title: str):
    assert "title" in fields(validate_listing(draft(title=title), US))


def test_missing_description():
    assert fields(validate_listing(draft(description_html="  "), US)) == ["description"]


def test_description_not_converted_for_tiktok():
    problems = validate_listing(draft(description_html="<div><script>x</script></div>"), US)
    assert fields(problems) == ["description"] and "<div>" in problems[0].reason


def test_description_over_the_limit():
    problems = validate_listing(draft(description_html="<p>" + "x" * 10_000 + "</p>"), US)
    assert fields(problems) == ["description"] and "10,000" in problems[0].reason


def test_images_required_and_at_most_nine():
    assert fields(validate_listing(draft(main_images=[]), US)) == ["main_images"]
    problems = validate_listing(draft(main_images=[f"uri{i}" for i in range(10)]), US)
    assert fields(problems) == ["main_images"] and "allows 9" in problems[0].reason


def test_category_required():
    assert fields(validate_listing(draft(category_id=None), US)) == ["category"]


def test_required_category_attributes():
    limits = TikTokLimits.for_region("US", required_attributes=(RequiredAttribute("100392", "Material"),))
    problems = validate_listing(draft(), limits)
    assert problems == [Problem("attributes.100392", "TikTok requires 'Material' for this category.",
                                "Set 'Material' in the category mapping or on the product.")]
    assert validate_listing(draft(attributes={"100392": ["Cotton"]}), limits) == []


def test_weight_required_and_above_zero():
    assert fields(validate_listing(draft(package_weight=None), US)) == ["package_weight"]
    assert fields(validate_listing(draft(package_weight=PackageWeight(D(0))), US)) == ["package_weight"]


def test_weight_units_and_precision_per_market():
    gram = PackageWeight(D("300"), "GRAM")
    assert fields(validate_listing(draft(package_weight=gram), US)) == ["package_weight"]
    assert validate_listing(draft(package_weight=gram), TikTokLimits.for_region("JP")) == []
    assert fields(validate_listing(draft(package_weight=PackageWeight(D("0.3005"))), US)) == ["package_weight"]
    assert fields(validate_listing(draft(package_weight=PackageWeight(D("0.5"), "GRAM")),
                                  TikTokLimits.for_region("JP"))) == ["package_weight"]


def test_dimensions_whole_numbers_and_required_unless_optional_in_the_market():
    half = PackageDimensions(D("30.5"), D(20), D(3))
    assert fields(validate_listing(draft(package_dimensions=half), US)) == ["package_dimensions"]
    assert fields(validate_listing(draft(package_dimensions=None), US)) == ["package_dimensions"]
    assert validate_listing(draft(package_dimensions=None), TikTokLimits.for_region("TH")) == []


def test_weight_and_size_must_use_one_measuring_system():
    inches = PackageDimensions(D(12), D(8), D(2), "INCH")
    assert fields(validate_listing(draft(package_dimensions=inches), US)) == ["package_dimensions"]
    assert validate_listing(draft(package_dimensions=inches, package_weight=PackageWeight(D("0.7"), "POUND")),
                            US) == []


def test_too_many_skus():
    many = [sku(f"S{i}", Size=str(i)) for i in range(101)]
    problems = validate_listing(draft(skus=many), TikTokLimits.for_region("MY"))
    assert fields(problems) == ["skus"] and "allows 100" in problems[0].reason
    assert validate_listing(draft(skus=many), US) == []


def test_seller_sku_missing_spaced_too_long_or_duplicated():
    assert fields(validate_listing(draft(skus=[sku("")]), US)) == ["skus[0].seller_sku"]
    assert fields(validate_listing(draft(skus=[sku("TEE BLUE")]), US)) == ["skus[0].seller_sku"]
    assert fields(validate_listing(draft(skus=[sku("X" * 51)]), US)) == ["skus[0].seller_sku"]
    dupes = [sku("A", Size="S"), sku("A", Size="M")]
    assert fields(validate_listing(draft(skus=dupes), US)) == ["skus.seller_sku"]


def test_prices_must_be_positive_and_in_the_market_range():
    assert fields(validate_listing(draft(skus=[sku(price="0")]), US)) == ["skus[0].price"]
    problems = validate_listing(draft(skus=[sku(price="8000")]), US)
    assert problems[0].reason == "SKU 'TEE-BLUE-M' costs 8000 USD; TikTok's maximum is 7600 USD."


def test_quantity_within_tiktoks_range():
    assert fields(validate_listing(draft(skus=[sku(stock=100_000)]), US)) == ["skus[0].stock"]
    assert fields(validate_listing(draft(skus=[sku(stock=-1)]), US)) == ["skus[0].stock"]


def test_several_variants_need_options_and_the_same_option_names():
    no_options = [sku("A"), sku("B")]
    assert "skus.sales_attributes" in fields(validate_listing(draft(skus=no_options), US))
    mixed = [sku("A", Color="Red"), sku("B", Size="M")]
    assert fields(validate_listing(draft(skus=mixed), US)) == ["skus.sales_attributes"]


def test_at_most_three_options():
    four = [sku("A", a="1", b="1", c="1", d="1"), sku("B", a="2", b="1", c="1", d="1")]
    problems = validate_listing(draft(skus=four), US)
    assert fields(problems) == ["skus.sales_attributes"] and "allows 3" in problems[0].reason


def test_two_variants_with_the_same_options():
    same = [sku("A", Color="Red"), sku("B", Color="red")]
    assert fields(validate_listing(draft(skus=same), US)) == ["skus[1].sales_attributes"]


def test_option_name_and_value_lengths():
    long_name = [sku("A", **{"Colour of the fabric used": "Red"}), sku("B", **{"Colour of the fabric used": "Blue"})]
    assert fields(validate_listing(draft(skus=long_name), US)) == ["skus.sales_attributes"]
    long_value = [sku("A", Color="R" * 51), sku("B", Color="Blue")]
    assert fields(validate_listing(draft(skus=long_value), US)) == ["skus[0].sales_attributes"]


def test_a_single_sku_needs_no_options():
    assert validate_listing(draft(skus=[sku("ONLY")]), US) == []


def test_every_problem_is_reported_at_once():
    bad = draft(title="", description_html="", main_images=[], category_id=None, package_weight=None,
                package_dimensions=None, skus=[])
    assert fields(validate_listing(bad, US)) == [
        "title", "description", "main_images", "category", "package_weight", "package_dimensions", "skus",
    ]


def test_problems_read_as_reason_then_fix():
    assert str(Problem("title", "Title is 270 characters; TikTok allows 255.", "Shorten the title in your store.")) \
        == "Title is 270 characters; TikTok allows 255. Shorten the title in your store."
