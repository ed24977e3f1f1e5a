"""Listings: their status in the merchant's words, and the checks a product must pass before it goes to TikTok.

Status flows one way, TikTok → feedbridge (TikTok is the source of truth for review status). Validation runs
on the `ListingDraft` we are about to send (store → TikTok) and returns every `Problem` at once, each with the
field, the reason and the fix in the merchant's words, so a listing never fails silently or one error at a time.
Rules come from tiktok-shop-api.md §6 and the Create Product parameters in specs/tiktok.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from feedbridge.domain.description import check_description, has_rejected_characters
from feedbridge.domain.pricing import REGION_PRICE_LIMITS
from feedbridge.errors import DataError


class ListingStatus(StrEnum):
    """Where a store product stands on TikTok; `label` is what the dashboard shows."""

    NOT_SYNCED = "not_synced"
    FAILED_TO_SYNC = "failed_to_sync"
    UNDER_REVIEW = "under_review"
    FAILED_REVIEW = "failed_review"
    ACTIVE = "active"
    SYNCED_UNLISTED = "synced_unlisted"

    @property
    def label(self) -> str:
        """The status in the merchant's words."""
        return _LABELS[self]


_LABELS = {
    ListingStatus.NOT_SYNCED: "Not synced",
    ListingStatus.FAILED_TO_SYNC: "Failed to sync",
    ListingStatus.UNDER_REVIEW: "Under review",
    ListingStatus.FAILED_REVIEW: "Failed review",
    ListingStatus.ACTIVE: "Active",
    ListingStatus.SYNCED_UNLISTED: "Synced (unlisted)",
}

# TikTok `status` (Get Product / Search Products; "incorporates both the product status and the audit status")
# and the audit-free `product_status` of Get Product (which adds INITIAL).
TIKTOK_STATUS_MAP: dict[str, ListingStatus] = {
    "DRAFT": ListingStatus.SYNCED_UNLISTED,
    "INITIAL": ListingStatus.SYNCED_UNLISTED,
    "PENDING": ListingStatus.UNDER_REVIEW,
    "FAILED": ListingStatus.FAILED_REVIEW,
    "ACTIVATE": ListingStatus.ACTIVE,
    "SELLER_DEACTIVATED": ListingStatus.SYNCED_UNLISTED,
    "PLATFORM_DEACTIVATED": ListingStatus.SYNCED_UNLISTED,
    "FREEZE": ListingStatus.FAILED_REVIEW,
    "DELETED": ListingStatus.SYNCED_UNLISTED,
}

TIKTOK_STATUS_DETAIL: dict[str, str] = {
    "DRAFT": "Saved as a draft on TikTok; not for sale.",
    "INITIAL": "Created on TikTok but not submitted for sale.",
    "PENDING": "TikTok is reviewing the product; review has no fixed duration.",
    "FAILED": "TikTok's review rejected the product. Fix the reasons shown and sync again.",
    "ACTIVATE": "Live on TikTok Shop.",
    "SELLER_DEACTIVATED": "Deactivated on TikTok by the seller.",
    "PLATFORM_DEACTIVATED": "Deactivated by TikTok. Check the product in TikTok Seller Center.",
    "FREEZE": "Frozen by TikTok for a policy violation; it cannot be resubmitted. Appeal in TikTok Seller Center.",
    "DELETED": "Deleted on TikTok.",
}


def listing_status_from_tiktok(status: str, audit_status: str | None = None) -> ListingStatus:
    """Our listing status for a TikTok product `status` (and, when known, its `audit.status`).

    A live product whose edit is being reviewed stays Active (the old version stays on sale); a product that
    passed review but waits on prerequisites (PRE_APPROVED) is still Under review.
    Raises DataError for a status TikTok has not documented, so a new value is noticed rather than guessed.
    """
    key = (status or "").strip().upper()
    if key not in TIKTOK_STATUS_MAP:
        raise DataError(f"TikTok reported an unknown product status {status!r}.", field="status")
    mapped = TIKTOK_STATUS_MAP[key]
    audit = (audit_status or "").strip().upper()
    if mapped is ListingStatus.SYNCED_UNLISTED and key in ("DRAFT", "INITIAL") and audit == "AUDITING":
        return ListingStatus.UNDER_REVIEW
    return mapped


# --- the draft we send -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SalesAttribute:
    """One variant option as TikTok sees it (e.g. Color = Red); ids when mapped to TikTok's built-in values."""

    name: str
    value: str
    id: str | None = None
    value_id: str | None = None


@dataclass(slots=True)
class SkuDraft:
    """One SKU to send: seller SKU, price and list price in the shop currency, quantity, options."""

    seller_sku: str
    price: Decimal
    stock: int
    sales_attributes: list[SalesAttribute] = field(default_factory=list)
    list_price: Decimal | None = None
    label: str = ""  # how the merchant knows the variant, e.g. "Blue / XL"


@dataclass(frozen=True, slots=True)
class PackageWeight:
    """Package weight; unit KILOGRAM, GRAM or POUND (TikTok's names)."""

    value: Decimal
    unit: str = "KILOGRAM"


@dataclass(frozen=True, slots=True)
class PackageDimensions:
    """Package size; unit CENTIMETER or INCH (TikTok's names)."""

    length: Decimal
    width: Decimal
    height: Decimal
    unit: str = "CENTIMETER"


@dataclass(slots=True)
class ListingDraft:
    """What we are about to send to TikTok for one store product.

    `attributes` maps a TikTok product attribute id to its values (value ids or custom names).
    """

    title: str
    description_html: str
    main_images: list[str]
    category_id: str | None
    skus: list[SkuDraft]
    brand_id: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    package_weight: PackageWeight | None = None
    package_dimensions: PackageDimensions | None = None


@dataclass(frozen=True, slots=True)
class RequiredAttribute:
    """A product attribute the category requires (Get Attributes `is_requried`)."""

    id: str
    name: str


_EU = ("DE", "ES", "FR", "IE", "IT")
_WESTERN = ("US", "GB", "UK", "JP", *_EU)


@dataclass(frozen=True, slots=True)
class TikTokLimits:
    """The rules a listing must meet in one TikTok market, plus what its category requires."""

    region: str
    title_min: int = 1
    title_max: int = 255
    description_max: int = 10_000
    description_images_max: int = 30
    main_images_max: int = 9
    sales_attributes_max: int = 3
    sales_attribute_name_max: int = 20
    sales_attribute_value_max: int = 50
    skus_max: int = 100
    seller_sku_max: int = 50
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    currency: str = ""
    quantity_max: int = 99_999
    weight_units: tuple[str, ...] = ("KILOGRAM",)
    dimension_units: tuple[str, ...] = ("CENTIMETER",)
    dimensions_required: bool = True
    required_attributes: tuple[RequiredAttribute, ...] = ()

    @classmethod
    def for_region(
        cls,
        region: str,
        *,
        required_attributes: tuple[RequiredAttribute, ...] = (),
        dimensions_required: bool | None = None,
    ) -> TikTokLimits:
        """TikTok's documented limits for a market (US, GB/UK, DE, FR, …, MY, ID, …).

        `dimensions_required` comes from the category rules (`package_dimension.is_required`); by default
        dimensions are required except in ID, TH and VN, where TikTok makes them optional.
        """
        r = region.upper()
        prices = REGION_PRICE_LIMITS.get(r)
        return cls(
            region=r,
            title_min=1 if r in _WESTERN or r in ("BR", "MX") else 25,
            title_max=300 if r in ("BR", "MX") else 255,
            skus_max=300 if r in _WESTERN or r in ("BR", "MX") else 100,
            price_min=prices.minimum if prices else None,
            price_max=prices.maximum if prices else None,
            currency=prices.currency if prices else "",
            weight_units=("KILOGRAM", "POUND") if r == "US" else ("KILOGRAM", "GRAM") if r in ("BR", "JP", "MX")
            else ("KILOGRAM",),
            dimension_units=("CENTIMETER", "INCH") if r == "US" else ("CENTIMETER",),
            dimensions_required=(r not in ("ID", "TH", "VN")) if dimensions_required is None else dimensions_required,
            required_attributes=required_attributes,
        )


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a listing cannot go to TikTok: the field, the reason and the fix, in the merchant's words."""

    field: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.reason} {self.fix}"


# --- checks ------------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _text_problems(where: str, text: str, what: str) -> list[Problem]:
    problems = []
    entity = _ENTITY.search(text)
    if entity:
        problems.append(Problem(where, f"The {what} contains HTML codes such as {entity.group(0)}.",
                                f"Write the character itself in the {what} in your store."))
    if has_rejected_characters(text):
        problems.append(Problem(where, f"The {what} contains emojis or invisible characters; TikTok rejects them.",
                                f"Remove them from the {what} in your store."))
    if _CJK.search(text):
        problems.append(Problem(where, f"The {what} contains Chinese characters; TikTok rejects them.",
                                f"Translate the {what} in your store."))
    return problems


def _sku_name(sku: SkuDraft, index: int) -> str:
    if sku.label:
        return f"Variant {sku.label!r}"
    if sku.seller_sku:
        return f"SKU {sku.seller_sku!r}"
    return f"Variant {index + 1}"


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check_title(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    title = draft.title.strip()
    n = len(title)
    if not title:
        return [Problem("title", "The product has no title.", "Add a title in your store.")]
    problems = []
    if n > limits.title_max:
        problems.append(Problem("title", f"Title is {n} characters; TikTok allows {limits.title_max}.",
                                "Shorten the title in your store."))
    if n < limits.title_min:
        problems.append(Problem("title", f"Title is {n} characters; TikTok {limits.region} needs at least "
                                f"{limits.title_min}.", "Lengthen the title in your store."))
    if not any(ch.isalnum() for ch in title):
        problems.append(Problem("title", "The title has no letters or digits.", "Give the product a real title."))
    return problems + _text_problems("title", title, "title")


def _check_description(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    if not draft.description_html.strip():
        return [Problem("description", "The product has no description; TikTok requires one.",
                        "Add a description in your store.")]
    found = check_description(draft.description_html, max_chars=limits.description_max,
                              max_images=limits.description_images_max)
    if not found:
        return []
    return [Problem("description", "The description cannot be sent to TikTok: " + "; ".join(found[:3]),
                    "Shorten or simplify the description in your store, then sync again.")]


def _check_images(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    n = len(draft.main_images)
    if n == 0:
        return [Problem("main_images", "The product has no images; TikTok requires at least one.",
                        "Add a product image in your store.")]
    if n > limits.main_images_max:
        return [Problem("main_images", f"The product has {n} images; TikTok allows {limits.main_images_max}.",
                        f"Keep at most {limits.main_images_max} images on the product in your store.")]
    return []


def _check_category(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    problems = []
    if not draft.category_id:
        problems.append(Problem("category", "The product has no TikTok category.",
                                "Map its store category to a TikTok category, or pick one for the product."))
    for attribute in limits.required_attributes:
        values = [v for v in draft.attributes.get(attribute.id, []) if str(v).strip()]
        if not values:
            problems.append(Problem(f"attributes.{attribute.id}",
                                    f"TikTok requires {attribute.name!r} for this category.",
                                    f"Set {attribute.name!r} in the category mapping or on the product."))
    return problems


def _check_package(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    problems = []
    weight = draft.package_weight
    if weight is None:
        problems.append(Problem("package_weight", "The product has no weight; TikTok requires a package weight.",
                                "Add a weight in your store or set a default package weight in settings."))
    else:
        unit = weight.unit.upper()
        places = {"GRAM": 0, "KILOGRAM": 3, "POUND": 2}.get(unit)
        if weight.value <= 0:
            problems.append(Problem("package_weight", "The package weight is 0; TikTok needs a weight above 0.",
                                    "Add a weight in your store or set a default package weight in settings."))
        if unit not in limits.weight_units:
            problems.append(Problem("package_weight", f"TikTok {limits.region} does not accept weights in {unit}.",
                                    f"Use {' or '.join(limits.weight_units)}."))
        elif places is not None and _decimal_places(weight.value) > places:
            problems.append(Problem("package_weight", f"The weight {weight.value} {unit} has more than {places} "
                                    "decimal places.", f"Round the weight to {places} decimal places."))
    dims = draft.package_dimensions
    if dims is None:
        if limits.dimensions_required:
            problems.append(Problem("package_dimensions", "TikTok requires the package size for this product.",
                                    "Set length, width and height in a shipping template or on the product."))
        return problems
    sides = {"length": dims.length, "width": dims.width, "height": dims.height}
    bad = [name for name, v in sides.items() if v <= 0 or v != v.to_integral_value()]
    if bad:
        problems.append(Problem("package_dimensions", f"The package {', '.join(bad)} must be whole numbers above 0.",
                                "Round the package size to whole numbers."))
    if dims.unit.upper() not in limits.dimension_units:
        problems.append(Problem("package_dimensions", f"TikTok {limits.region} does not accept sizes in "
                                f"{dims.unit.upper()}.", f"Use {' or '.join(limits.dimension_units)}."))
    if weight is not None and (weight.unit.upper() == "POUND") != (dims.unit.upper() == "INCH"):
        problems.append(Problem("package_dimensions", "Weight and size use different measuring systems.",
                                "Use pounds with inches, or kilograms/grams with centimetres."))
    return problems


def _check_skus(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    problems: list[Problem] = []
    skus = draft.skus
    if not skus:
        return [Problem("skus", "The product has no variants to sell.", "Add a variant with a price in your store.")]
    if len(skus) > limits.skus_max:
        problems.append(Problem("skus", f"The product has {len(skus)} variants; TikTok {limits.region} allows "
                                f"{limits.skus_max}.", "Split the product in your store or exclude variants."))
    counts = Counter(s.seller_sku.strip() for s in skus if s.seller_sku.strip())
    for seller_sku, count in counts.items():
        if count > 1:
            problems.append(Problem("skus.seller_sku", f"{count} variants share the SKU {seller_sku!r}.",
                                    "Give each variant its own SKU in your store."))
    for i, sku in enumerate(skus):
        name, where = _sku_name(sku, i), f"skus[{i}]"
        seller_sku = sku.seller_sku.strip()
        if not seller_sku:
            problems.append(Problem(f"{where}.seller_sku", f"{name} has no SKU.",
                                    "Give the variant a SKU in your store; feedbridge links orders by SKU."))
        elif len(seller_sku) > limits.seller_sku_max:
            problems.append(Problem(f"{where}.seller_sku", f"{name}'s SKU is {len(seller_sku)} characters; TikTok "
                                    f"allows {limits.seller_sku_max}.", "Shorten the SKU in your store."))
        if " " in seller_sku:
            problems.append(Problem(f"{where}.seller_sku", f"{name}'s SKU {seller_sku!r} contains spaces; TikTok "
                                    "does not allow them.", "Remove the spaces from the SKU in your store."))
        currency = f" {limits.currency}" if limits.currency else ""
        if sku.price <= 0:
            problems.append(Problem(f"{where}.price", f"{name} has no price above 0.",
                                    "Set a price in your store."))
        elif limits.price_min is not None and sku.price < limits.price_min:
            problems.append(Problem(f"{where}.price", f"{name} costs {sku.price}{currency}; TikTok's minimum is "
                                    f"{limits.price_min}{currency}.", "Raise the price or the price rule."))
        elif limits.price_max is not None and sku.price > limits.price_max:
            problems.append(Problem(f"{where}.price", f"{name} costs {sku.price}{currency}; TikTok's maximum is "
                                    f"{limits.price_max}{currency}.", "Lower the price or the price rule."))
        if not 0 <= sku.stock <= limits.quantity_max:
            problems.append(Problem(f"{where}.stock", f"{name} has a quantity of {sku.stock}; TikTok accepts 0 to "
                                    f"{limits.quantity_max:,}.", "Check the stock rule and the store's stock."))
    return problems + _check_sales_attributes(skus, limits)


def _check_sales_attributes(skus: list[SkuDraft], limits: TikTokLimits) -> list[Problem]:
    problems: list[Problem] = []
    if len(skus) > 1 and any(not s.sales_attributes for s in skus):
        problems.append(Problem("skus.sales_attributes", "The product has several variants but some have no "
                                "options (such as size or colour).", "Give every variant its options in your store."))
    names = {tuple(sorted(a.name.strip().lower() for a in s.sales_attributes)) for s in skus if s.sales_attributes}
    widest = max((len(n) for n in names), default=0)
    if widest > limits.sales_attributes_max:
        problems.append(Problem("skus.sales_attributes", f"The product has {widest} options; TikTok allows "
                                f"{limits.sales_attributes_max}.", "Combine or remove options in your store."))
    if len(names) > 1:
        problems.append(Problem("skus.sales_attributes", "Variants use different sets of options; TikTok needs "
                                "the same options on every variant.", "Give every variant the same options."))
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    reported: set[str] = set()
    for i, sku in enumerate(skus):
        combo = tuple(sorted((a.name.strip().lower(), a.value.strip().lower()) for a in sku.sales_attributes))
        if combo and combo in seen:
            problems.append(Problem(f"skus[{i}].sales_attributes", f"{_sku_name(sku, i)} has the same options as "
                                    f"{_sku_name(skus[seen[combo]], seen[combo])}.",
                                    "Make each variant's options different in your store."))
        seen.setdefault(combo, i)
        for attribute in sku.sales_attributes:
            if not attribute.id and len(attribute.name) > limits.sales_attribute_name_max \
                    and attribute.name not in reported:
                reported.add(attribute.name)
                problems.append(Problem("skus.sales_attributes", f"The option name {attribute.name!r} is "
                                        f"{len(attribute.name)} characters; TikTok allows "
                                        f"{limits.sales_attribute_name_max}.", "Shorten the option name."))
            if not attribute.value_id and len(attribute.value) > limits.sales_attribute_value_max \
                    and attribute.value not in reported:
                reported.add(attribute.value)
                problems.append(Problem(f"skus[{i}].sales_attributes", f"The option value {attribute.value!r} is "
                                        f"{len(attribute.value)} characters; TikTok allows "
                                        f"{limits.sales_attribute_value_max}.", "Shorten the option value."))
            if not attribute.value.strip():
                problems.append(Problem(f"skus[{i}].sales_attributes", f"{_sku_name(sku, i)} has an empty "
                                        f"{attribute.name!r}.", "Fill in the option value in your store."))
    return problems


def validate_listing(draft: ListingDraft, limits: TikTokLimits) -> list[Problem]:
    """Every reason `draft` would be refused by TikTok under `limits`; an empty list means it can be sent."""
    return [
        *_check_title(draft, limits),
        *_check_description(draft, limits),
        *_check_images(draft, limits),
        *_check_category(draft, limits),
        *_check_package(draft, limits),
        *_check_skus(draft, limits),
    ]
