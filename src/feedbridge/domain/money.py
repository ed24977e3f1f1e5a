"""Money as Decimal amounts with an ISO currency; never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from feedbridge.errors import DataError

# Currencies with no minor unit on TikTok Shop's markets.
ZERO_DECIMAL = {"VND", "IDR", "JPY", "KRW"}


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Parse a price from a platform payload (str, int, float or Decimal) without float error."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DataError(f"{value!r} is not a number", field=field) from exc


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit."""
    exp = Decimal("1") if currency.upper() in ZERO_DECIMAL else Decimal("0.01")
    return amount.quantize(exp, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"
