"""Carrier names ↔ BigCommerce `tracking_carrier` values (the AfterShip slugs BigCommerce accepts)."""

from __future__ import annotations

from feedbridge.stores.bigcommerce.carrier_values import CARRIER_VALUES

_BY_NAME: dict[str, str] = {}
_BY_VALUE: dict[str, str] = {}
for _name, _value in CARRIER_VALUES:
    _BY_NAME.setdefault(_name.casefold(), _value)
    _BY_VALUE.setdefault(_value, _name)  # first name listed for a value is its display name


def carrier_value(carrier: str) -> str | None:
    """The `tracking_carrier` value for a carrier name (or a value given as is); None when BigCommerce has none."""
    key = carrier.strip()
    if key in _BY_VALUE:
        return key
    return _BY_NAME.get(key.casefold())


def carrier_name(value: str) -> str:
    """The company name for a `tracking_carrier` value; the value itself when unknown."""
    return _BY_VALUE.get(value, value)


def carrier_names() -> list[str]:
    """Every company name BigCommerce knows, in the CSV's order."""
    return [name for name, _ in CARRIER_VALUES]


def is_valid_value(value: str) -> bool:
    """True when `value` is one of BigCommerce's tracking_carrier values."""
    return value in _BY_VALUE
