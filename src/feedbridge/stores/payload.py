"""Type checks at the edge of every store payload parser.

A platform (or a plugin on it) can send null, a list or a number where the docs promise an object or a string.
These helpers turn such a value into a DataError that names the field and says what was expected, so a job fails
with a reason instead of a KeyError, TypeError or AttributeError.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from feedbridge.errors import DataError


def obj(value: Any, field: str, *, what: str = "payload") -> Mapping[str, Any]:
    """`value` as an object; null reads as an empty object, anything else that is not an object is a DataError."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DataError(f"The {what}'s {field} is {type(value).__name__}, not an object.", field=field)
    return value


def body(value: Any, what: str) -> Mapping[str, Any]:
    """A whole payload, which must be an object."""
    if not isinstance(value, Mapping):
        raise DataError(f"The {what} is {type(value).__name__}, not an object.", field=what)
    return value


def objs(value: Any, field: str, *, what: str = "payload") -> list[Mapping[str, Any]]:
    """`value` as a list of objects; null reads as an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(f"The {what}'s {field} is {type(value).__name__}, not a list.", field=field)
    for item in value:
        if not isinstance(item, Mapping):
            raise DataError(f"The {what}'s {field} holds a {type(item).__name__}, not an object.", field=field)
    return value


def items(value: Any, field: str, *, what: str = "payload") -> list[Any]:
    """`value` as a list of scalars (ids, names); null reads as an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(f"The {what}'s {field} is {type(value).__name__}, not a list.", field=field)
    for item in value:
        if isinstance(item, Mapping | list):
            raise DataError(f"The {what}'s {field} holds a {type(item).__name__}, not a value.", field=field)
    return value


def text(value: Any, field: str, *, what: str = "payload") -> str:
    """A scalar as text (ids may arrive as numbers); null reads as ""; an object or list is a DataError."""
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        raise DataError(f"The {what}'s {field} is {type(value).__name__}, not text.", field=field)
    return str(value)


def required(payload: Mapping[str, Any], key: str, *, what: str = "payload") -> str:
    """A field that must be present and non-empty (an id, a name), as text."""
    value = text(payload.get(key), key, what=what).strip()
    if not value:
        raise DataError(f"The {what} has no {key}.", field=key)
    return value


def whole(value: Any, field: str, *, what: str = "payload", default: int = 0) -> int:
    """A whole number (quantities, status ids) sent as a number or numeric text; null or "" reads as `default`."""
    if value is None or value == "":
        return default
    if isinstance(value, bool | Mapping | list):
        raise DataError(f"The {what}'s {field} is {value!r}, not a whole number.", field=field)
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(value)
        return int(number)
    except (ArithmeticError, ValueError) as exc:
        raise DataError(f"The {what}'s {field} is {value!r}, not a whole number.", field=field) from exc


def number(value: Any, field: str, *, what: str = "payload") -> Decimal:
    """A finite decimal (prices, weights) sent as a number or numeric text."""
    if value is None or isinstance(value, bool | Mapping | list):
        raise DataError(f"The {what}'s {field} is {value!r}, not a number.", field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DataError(f"The {what}'s {field} is {value!r}, not a number.", field=field) from exc
    if not amount.is_finite():
        raise DataError(f"The {what}'s {field} is {value!r}, not a number.", field=field)
    return amount


def iso_time(value: Any, field: str, *, what: str = "payload") -> datetime | None:
    """An ISO 8601 time; null or "" reads as None; anything else unreadable is a DataError."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DataError(f"The {what}'s {field} is {value!r}, not a date.", field=field)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataError(f"The {what}'s {field} is {value!r}, not a date.", field=field) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
