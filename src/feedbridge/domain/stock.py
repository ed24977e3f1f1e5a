"""Stock rules per TikTok shop: store stock → the quantity published on TikTok (one direction: store → TikTok).

For a tracked variant we count stock at the chosen locations (all by default), never count more than the
store says it can still sell (Magento's salable quantity, which already subtracts reservations), publish 0 at
or below the safety buffer, publish only a percentage of the rest (rounded down), and cap it at TikTok's
maximum of 99,999. A variant that keeps selling when out of stock, or whose inventory the store does not track,
gets a fixed quantity instead (AfterShip's "continue selling" pushes 99,999; merchant-features.md §1.4).

TikTok documents quantities in [1, 99,999]; this module may return 0 and leaves it to the sync flow to decide
how an out-of-stock SKU is shown (tiktok-shop-api.md §8, open question 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from feedbridge.domain.catalog import Variant
from feedbridge.errors import ConfigError

TIKTOK_MAX_QUANTITY = 99_999


@dataclass(frozen=True, slots=True)
class StockRule:
    """A TikTok shop's stock settings.

    `locations`: store location ids whose stock counts (None: all). `percent`: share of the counted stock to
    publish, 0–100, rounded down. `buffer`: publish 0 when the counted stock is at or below this.
    `untracked_quantity`: published for variants that continue selling when out of stock or whose inventory is
    not tracked. `maximum`: the most ever published (TikTok's limit).
    """

    locations: frozenset[str] | None = None
    percent: Decimal = Decimal(100)
    buffer: int = 0
    untracked_quantity: int = TIKTOK_MAX_QUANTITY
    maximum: int = TIKTOK_MAX_QUANTITY

    def __post_init__(self) -> None:
        if self.locations is not None and not self.locations:
            raise ConfigError("No store location is chosen for stock.",
                              action="Choose at least one location, or count all locations.")
        if not Decimal(0) <= self.percent <= Decimal(100):
            raise ConfigError(f"Publishing {self.percent}% of stock is not possible.",
                              action="Choose a percentage from 0 to 100.")
        if self.buffer < 0:
            raise ConfigError(f"The out-of-stock threshold {self.buffer} is negative.",
                              action="Use 0 or a positive number.")
        if not 1 <= self.maximum <= TIKTOK_MAX_QUANTITY:
            raise ConfigError(f"The maximum quantity {self.maximum} is outside 1–{TIKTOK_MAX_QUANTITY:,}.",
                              action=f"Choose a maximum from 1 to {TIKTOK_MAX_QUANTITY:,}.")
        if not 0 <= self.untracked_quantity <= self.maximum:
            raise ConfigError(
                f"The quantity for items that keep selling ({self.untracked_quantity}) is outside 0–{self.maximum:,}.",
                action=f"Choose a quantity from 0 to {self.maximum:,}.",
            )


def counted_stock(variant: Variant, rule: StockRule) -> int:
    """Stock at the rule's locations, never above the store's salable quantity, never below 0."""
    if rule.locations is None:
        total = sum(variant.stock.values())
    else:
        total = sum(qty for loc, qty in variant.stock.items() if loc in rule.locations)
    if variant.salable is not None:
        total = min(total, variant.salable)
    return max(total, 0)


def apply_stock_rule(variant: Variant, rule: StockRule) -> int:
    """The quantity to publish on TikTok for `variant` under `rule` (0 … rule.maximum).

    Continue-selling and untracked variants get `rule.untracked_quantity` (the store will accept any order);
    every other variant gets at most its counted stock, so TikTok never sells what the store cannot ship.
    """
    if variant.continue_selling or not variant.inventory_tracked:
        return rule.untracked_quantity
    counted = counted_stock(variant, rule)
    if counted <= rule.buffer:
        return 0
    share = (Decimal(counted) * rule.percent / 100).to_integral_value(rounding=ROUND_FLOOR)
    return min(int(share), rule.maximum)
