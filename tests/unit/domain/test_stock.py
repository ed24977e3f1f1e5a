"""Stock rules: locations, percentage, safety buffer, continue selling, salable cap, TikTok maximum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedbridge.domain.catalog import Variant
from feedbridge.domain.stock import TIKTOK_MAX_QUANTITY, StockRule, apply_stock_rule, counted_stock
from feedbridge.errors import ConfigError


def variant(stock: dict[str, int], **kwargs: object) -> Variant:
    return Variant(id="v1", product_id="p1", sku="SKU-1", price=Decimal("10"), stock=stock, **kwargs)  # type: ignore[arg-type]


def test_default_rule_publishes_all_stock_across_locations():
    assert apply_stock_rule(variant({"a": 3, "b": 4}), StockRule()) == 7


def test_only_chosen_locations_count():
    assert apply_stock_rule(variant({"a": 3, "b": 4, "c": 5}), StockRule(locations=frozenset({"a", "c"}))) == 8


def test_percentage_of_stock_is_rounded_down():
    assert apply_stock_rule(variant({"a": 9}), StockRule(percent=Decimal(50))) == 4


def test_at_or_below_the_buffer_publishes_zero():
    rule = StockRule(buffer=2)
    assert apply_stock_rule(variant({"a": 2}), rule) == 0
    assert apply_stock_rule(variant({"a": 3}), rule) == 3


def test_continue_selling_publishes_the_fixed_quantity_regardless_of_stock():
    assert apply_stock_rule(variant({"a": 0}, continue_selling=True), StockRule()) == 99_999
    assert apply_stock_rule(variant({"a": 0}, continue_selling=True), StockRule(untracked_quantity=50)) == 50


def test_untracked_inventory_is_handled_like_continue_selling():
    assert apply_stock_rule(variant({}, inventory_tracked=False), StockRule(untracked_quantity=100)) == 100


def test_never_more_than_the_stores_salable_quantity():
    # Magento: 10 on the shelf, 7 already reserved by orders → 3 salable
    assert apply_stock_rule(variant({"default": 10}, salable=3), StockRule()) == 3


def test_capped_at_tiktoks_maximum():
    assert apply_stock_rule(variant({"a": 250_000}), StockRule()) == TIKTOK_MAX_QUANTITY


def test_oversold_locations_count_as_zero_in_total():
    assert counted_stock(variant({"a": -5, "b": 2}), StockRule()) == 0
    assert apply_stock_rule(variant({"a": -5}), StockRule()) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"locations": frozenset()},
        {"percent": Decimal(101)},
        {"percent": Decimal(-1)},
        {"buffer": -1},
        {"maximum": 100_000},
        {"untracked_quantity": 100_000},
    ],
)
def test_impossible_rules_are_config_errors(kwargs: dict[str, object]):
    with pytest.raises(ConfigError):
        StockRule(**kwargs)  # type: ignore[arg-type]


locations = st.sampled_from(["a", "b", "c"])
stocks = st.dictionaries(locations, st.integers(-50, 300_000), max_size=3)
rules = st.builds(
    StockRule,
    locations=st.none() | st.frozensets(locations, min_size=1),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    buffer=st.integers(0, 20),
)
salables = st.none() | st.integers(-10, 300_000)


@given(stocks, salables, rules)
def test_published_stock_is_never_negative_nor_above_what_the_store_can_sell(
    stock: dict[str, int], salable: int | None, rule: StockRule
):
    result = apply_stock_rule(variant(stock, salable=salable), rule)
    assert 0 <= result <= TIKTOK_MAX_QUANTITY
    assert result <= max(0, sum(q for loc, q in stock.items() if rule.locations is None or loc in rule.locations))
    if salable is not None:
        assert result <= max(0, salable)


@given(stocks, locations, st.integers(0, 1000), salables, rules)
def test_more_stock_never_publishes_less(
    stock: dict[str, int], location: str, extra: int, salable: int | None, rule: StockRule
):
    more = dict(stock)
    more[location] = more.get(location, 0) + extra
    assert apply_stock_rule(variant(stock, salable=salable), rule) <= apply_stock_rule(
        variant(more, salable=salable), rule
    )
