"""Price rules: source price, markup/markdown, exchange rate, rounding, currency units, TikTok ranges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedbridge.domain.pricing import (
    REGION_PRICE_LIMITS,
    PriceRule,
    PriceSource,
    Rounding,
    RoundingDirection,
    apply_price_rule,
    check_price_range,
    list_price_for,
)
from feedbridge.errors import ConfigError, DataError

D = Decimal
prices = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
percents = st.decimals(min_value=D("-90"), max_value=D("300"), places=2)
amounts = st.decimals(min_value=D("0"), max_value=D("50"), places=2)
rates = st.none() | st.decimals(min_value=D("0.001"), max_value=D("30000"), places=4)
currencies = st.sampled_from(["USD", "GBP", "EUR", "JPY", "VND", "IDR", "MYR"])
rules = st.builds(
    PriceRule,
    currency=currencies,
    source=st.sampled_from(list(PriceSource)),
    percent=percents,
    amount=amounts,
    rounding=st.sampled_from(list(Rounding)),
    direction=st.sampled_from(list(RoundingDirection)),
    exchange_rate=rates,
)


def test_default_rule_keeps_the_store_price():
    assert apply_price_rule(D("19.90"), None, PriceRule("USD")) == D("19.90")


def test_percentage_markup_and_markdown():
    assert apply_price_rule(D("20"), None, PriceRule("USD", percent=D(10))) == D("22.00")
    assert apply_price_rule(D("20"), None, PriceRule("USD", percent=D(-15))) == D("17.00")


def test_fixed_amount_is_added_after_the_percentage():
    assert apply_price_rule(D("20"), None, PriceRule("USD", percent=D(10), amount=D("1.50"))) == D("23.50")
    assert apply_price_rule(D("20"), None, PriceRule("USD", amount=D("-2"))) == D("18.00")


def test_compare_at_source_uses_the_compare_at_price_and_falls_back_to_the_price():
    rule = PriceRule("USD", source=PriceSource.COMPARE_AT)
    assert apply_price_rule(D("20"), D("25"), rule) == D("25.00")
    assert apply_price_rule(D("20"), None, rule) == D("20.00")
    assert apply_price_rule(D("20"), D("0"), rule) == D("20.00")


def test_exchange_rate_converts_before_the_markup():
    # AfterShip's example: 0.1 GBP = 1 HKD, HKD 15.99 → £1.60
    assert apply_price_rule(D("15.99"), None, PriceRule("GBP", exchange_rate=D("0.1"))) == D("1.60")
    assert apply_price_rule(D("10"), None, PriceRule("VND", exchange_rate=D("25000.5"))) == D("250005")


@pytest.mark.parametrize(
    ("price", "rounding", "direction", "expected"),
    [
        ("12.40", Rounding.END_99, RoundingDirection.UP, "12.99"),
        ("12.40", Rounding.END_99, RoundingDirection.DOWN, "11.99"),
        ("12.40", Rounding.END_99, RoundingDirection.NEAREST, "11.99"),
        ("12.60", Rounding.END_99, RoundingDirection.NEAREST, "12.99"),
        ("12.99", Rounding.END_99, RoundingDirection.DOWN, "12.99"),
        ("12.40", Rounding.END_95, RoundingDirection.UP, "12.95"),
        ("12.40", Rounding.END_95, RoundingDirection.DOWN, "11.95"),
        ("12.40", Rounding.WHOLE, RoundingDirection.UP, "13.00"),
        ("12.40", Rounding.WHOLE, RoundingDirection.DOWN, "12.00"),
        ("12.50", Rounding.WHOLE, RoundingDirection.NEAREST, "13.00"),
        ("0.50", Rounding.END_99, RoundingDirection.DOWN, "0.99"),
        ("0.40", Rounding.WHOLE, RoundingDirection.DOWN, "1.00"),
    ],
)
def test_rounding(price: str, rounding: Rounding, direction: RoundingDirection, expected: str):
    assert apply_price_rule(D(price), None, PriceRule("USD", rounding=rounding, direction=direction)) == D(expected)


def test_currencies_without_cents_round_to_whole_units():
    assert apply_price_rule(D("1234.5"), None, PriceRule("JPY")) == D("1235")
    assert apply_price_rule(D("1234.2"), None, PriceRule("JPY", rounding=Rounding.END_99)) == D("1235")


def test_list_price_is_the_compare_at_price_through_the_same_rule():
    rule = PriceRule("USD", percent=D(10), rounding=Rounding.END_99)
    assert apply_price_rule(D("20"), D("30"), rule) == D("22.99")
    assert list_price_for(D("20"), D("30"), rule) == D("33.99")


def test_no_list_price_without_a_higher_compare_at_price_or_when_it_is_the_source():
    assert list_price_for(D("20"), None, PriceRule("USD")) is None
    assert list_price_for(D("20"), D("20"), PriceRule("USD")) is None
    assert list_price_for(D("20"), D("30"), PriceRule("USD", source=PriceSource.COMPARE_AT)) is None
    # rounding both to the same whole number leaves nothing to strike through
    assert list_price_for(D("20.10"), D("20.20"), PriceRule("USD", rounding=Rounding.WHOLE)) is None


def test_a_rule_that_makes_the_price_negative_is_a_data_error():
    with pytest.raises(DataError) as err:
        apply_price_rule(D("5"), None, PriceRule("USD", amount=D("-10")))
    assert err.value.field == "price"


def test_a_zero_store_price_is_a_data_error():
    with pytest.raises(DataError):
        apply_price_rule(D("0"), None, PriceRule("USD"))


@pytest.mark.parametrize("kwargs", [{"percent": D(-100)}, {"exchange_rate": D(0)}, {"currency": "dollars"}])
def test_impossible_rules_are_config_errors(kwargs: dict[str, object]):
    with pytest.raises(ConfigError):
        PriceRule(**{"currency": "USD", **kwargs})  # type: ignore[arg-type]


def test_price_ranges_per_market():
    us = REGION_PRICE_LIMITS["US"]
    assert check_price_range(D("7600"), us) is None
    assert check_price_range(D("7600.01"), us) == "The price 7600.01 USD is above TikTok's maximum of 7600 USD."
    assert check_price_range(D("0.5"), REGION_PRICE_LIMITS["MX"]) == (
        "The price 0.5 MXN is below TikTok's minimum of 1 MXN."
    )
    assert check_price_range(D("1"), None) is None


@given(prices, st.none() | prices, rules)
def test_result_is_positive_and_in_the_currency_unit(price: Decimal, compare_at: Decimal | None, rule: PriceRule):
    result = apply_price_rule(price, compare_at, rule)
    assert result > 0
    unit = D(1) if rule.currency in ("JPY", "VND", "IDR") else D("0.01")
    assert result == result.quantize(unit)


@given(prices, prices, rules)
def test_price_rule_is_monotone_in_the_store_price(a: Decimal, b: Decimal, rule: PriceRule):
    low, high = sorted((a, b))
    assert apply_price_rule(low, None, rule) <= apply_price_rule(high, None, rule)


@given(prices, percents)
def test_markup_raises_and_markdown_lowers(price: Decimal, percent: Decimal):
    result = apply_price_rule(price, None, PriceRule("USD", percent=percent))
    if percent >= 0:
        assert result >= price
    else:
        assert result <= price


@given(prices, st.sampled_from([Rounding.END_99, Rounding.END_95]), st.sampled_from(list(RoundingDirection)))
def test_ending_rounding_ends_in_the_chosen_cents_and_moves_the_right_way(
    price: Decimal, rounding: Rounding, direction: RoundingDirection
):
    result = apply_price_rule(price, None, PriceRule("USD", rounding=rounding, direction=direction))
    cents = D("0.99") if rounding is Rounding.END_99 else D("0.95")
    assert result % 1 == cents
    if direction is RoundingDirection.UP:
        assert price <= result < price + 1
    elif direction is RoundingDirection.DOWN:
        assert result <= price or result == cents
        assert result > price - 1
    else:
        assert abs(result - price) <= D("0.5") or result == cents  # below the first ending only it is positive


@given(prices, st.none() | prices, rules)
def test_list_price_when_present_is_above_the_tiktok_price(
    price: Decimal, compare_at: Decimal | None, rule: PriceRule
):
    listed = list_price_for(price, compare_at, rule)
    if listed is not None:
        assert compare_at is not None and compare_at > price
        assert listed > apply_price_rule(price, compare_at, rule)
