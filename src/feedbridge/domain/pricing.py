"""Price rules per TikTok shop: the store price → the TikTok price (one direction: store → TikTok).

A rule picks the source price (the selling price, or the compare-at price falling back to the selling price),
converts it with the shop's manual exchange rate when one is set, marks it up or down by a percentage and/or
a fixed amount (in the TikTok currency), rounds it (to whole units, or to end in .99 / .95; up, down or to
the nearest), and finally quantizes it to the currency's minor unit. TikTok's per-market price ranges are a
separate check (`check_price_range`), because a price out of range is a listing problem to show the
merchant, not a number to bend silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from feedbridge.domain.money import ZERO_DECIMAL, quantize
from feedbridge.errors import ConfigError, DataError


class PriceSource(StrEnum):
    """Which store price becomes the TikTok price."""

    PRICE = "price"
    COMPARE_AT = "compare_at"  # falls back to the selling price when the variant has no compare-at price


class Rounding(StrEnum):
    """How the adjusted price is rounded before it is quantized to the currency."""

    NONE = "none"
    WHOLE = "whole"  # 12.40 → 12 / 13
    END_99 = "end_99"  # 12.40 → 11.99 / 12.99
    END_95 = "end_95"  # 12.40 → 11.95 / 12.95


class RoundingDirection(StrEnum):
    """Which way `Rounding` moves the price."""

    UP = "up"
    DOWN = "down"
    NEAREST = "nearest"


@dataclass(frozen=True, slots=True)
class PriceRule:
    """A TikTok shop's price settings.

    `percent` is signed (10 = 10 % higher, -15 = 15 % lower); `amount` is a signed fixed amount in the TikTok
    currency added after the percentage; `exchange_rate` is TikTok-currency units per store-currency unit
    (None: same currency); `currency` is the TikTok shop's currency.
    """

    currency: str
    source: PriceSource = PriceSource.PRICE
    percent: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    rounding: Rounding = Rounding.NONE
    direction: RoundingDirection = RoundingDirection.UP
    exchange_rate: Decimal | None = None

    def __post_init__(self) -> None:
        if self.percent <= -100:
            raise ConfigError(
                f"A price change of {self.percent}% would make every price zero or negative.",
                action="Choose a percentage above -100.",
            )
        if self.exchange_rate is not None and self.exchange_rate <= 0:
            raise ConfigError(
                f"The exchange rate {self.exchange_rate} must be above zero.",
                action="Enter how many units of the TikTok currency one unit of your store currency buys.",
            )
        if not self.currency or len(self.currency) != 3:
            raise ConfigError(f"{self.currency!r} is not a currency code.", action="Use a code such as USD or GBP.")


@dataclass(frozen=True, slots=True)
class PriceLimits:
    """The price range TikTok accepts in one market (both ends inclusive), in that market's currency."""

    minimum: Decimal
    maximum: Decimal
    currency: str


# Local-seller ranges from TikTok's "Product pricing" page (tiktok-shop-api.md §6). Cross-border warehouses
# have much lower ceilings (e.g. US 800); pass those limits explicitly.
REGION_PRICE_LIMITS: dict[str, PriceLimits] = {
    "US": PriceLimits(Decimal("0.01"), Decimal("7600"), "USD"),
    "GB": PriceLimits(Decimal("0.01"), Decimal("5600"), "GBP"),
    "UK": PriceLimits(Decimal("0.01"), Decimal("5600"), "GBP"),
    **{r: PriceLimits(Decimal("0.01"), Decimal("6300"), "EUR") for r in ("DE", "FR", "IE", "IT", "ES")},
    "MX": PriceLimits(Decimal("1"), Decimal("50000"), "MXN"),
    "BR": PriceLimits(Decimal("0.5"), Decimal("10000"), "BRL"),
    "JP": PriceLimits(Decimal("1"), Decimal("500000"), "JPY"),
}


def _unit(currency: str) -> Decimal:
    return Decimal(1) if currency.upper() in ZERO_DECIMAL else Decimal("0.01")


def _round_whole(value: Decimal, direction: RoundingDirection) -> Decimal:
    mode = {RoundingDirection.UP: ROUND_CEILING, RoundingDirection.DOWN: ROUND_FLOOR,
            RoundingDirection.NEAREST: ROUND_HALF_UP}[direction]
    rounded = value.quantize(Decimal(1), rounding=mode)
    return rounded if rounded > 0 else Decimal(1)  # never round a price down to nothing


def _round_ending(value: Decimal, ending: Decimal, direction: RoundingDirection) -> Decimal:
    """The price ending in `ending` (e.g. 0.99) nearest `value` in `direction`; never below `ending` itself."""
    below = (value - ending).quantize(Decimal(1), rounding=ROUND_FLOOR) + ending  # largest k+ending ≤ value
    above = below if below == value else below + 1
    if direction is RoundingDirection.UP:
        chosen = above
    elif direction is RoundingDirection.DOWN:
        chosen = below
    else:
        chosen = below if value - below < above - value else above
    return chosen if chosen > 0 else above


def _round(value: Decimal, rule: PriceRule) -> Decimal:
    if rule.rounding is Rounding.NONE:
        return value
    if rule.rounding is Rounding.WHOLE or rule.currency.upper() in ZERO_DECIMAL:
        # .99 / .95 endings do not exist in currencies without cents; whole units are the closest intent
        return _round_whole(value, rule.direction)
    ending = Decimal("0.99") if rule.rounding is Rounding.END_99 else Decimal("0.95")
    return _round_ending(value, ending, rule.direction)


def _transform(base: Decimal, rule: PriceRule) -> Decimal:
    value = base * rule.exchange_rate if rule.exchange_rate is not None else base
    value = value * (100 + rule.percent) / 100 + rule.amount
    if value <= 0:
        raise DataError(
            f"The price rule turns {base} into {value.normalize():f} {rule.currency}, which TikTok cannot sell at.",
            field="price",
            action="Lower the fixed amount subtracted in the price rule.",
        )
    result = quantize(_round(value, rule), rule.currency)
    # quantizing may round a tiny price to zero; the smallest sellable amount is one minor unit
    return result if result > 0 else _unit(rule.currency)


def apply_price_rule(variant_price: Decimal, compare_at: Decimal | None, rule: PriceRule) -> Decimal:
    """The TikTok price for a variant under `rule`, quantized to the shop currency.

    Raises DataError when the store price is not positive or the rule makes it zero or negative.
    """
    if variant_price is None or variant_price <= 0:
        raise DataError(f"The store price {variant_price} is not above zero.", field="price",
                        action="Set a price for this variant in your store.")
    base = variant_price
    if rule.source is PriceSource.COMPARE_AT and compare_at is not None and compare_at > 0:
        base = compare_at
    return _transform(base, rule)


def list_price_for(variant_price: Decimal, compare_at: Decimal | None, rule: PriceRule) -> Decimal | None:
    """The strike-through (list) price for TikTok, or None.

    Only when the store has a compare-at price above the selling price and the TikTok price comes from the
    selling price; the compare-at price goes through the same rule and must stay above the TikTok price
    (TikTok discards a list price below the price).
    """
    if compare_at is None or compare_at <= variant_price or rule.source is PriceSource.COMPARE_AT:
        return None
    price = apply_price_rule(variant_price, compare_at, rule)
    listed = _transform(compare_at, rule)
    return listed if listed > price else None


def check_price_range(amount: Decimal, limits: PriceLimits | None) -> str | None:
    """Why `amount` is outside TikTok's range for the market, in the merchant's words; None when it fits."""
    if limits is None:
        return None
    if amount < limits.minimum:
        return (f"The price {amount} {limits.currency} is below TikTok's minimum of {limits.minimum} "
                f"{limits.currency}.")
    if amount > limits.maximum:
        return (f"The price {amount} {limits.currency} is above TikTok's maximum of {limits.maximum} "
                f"{limits.currency}.")
    return None
