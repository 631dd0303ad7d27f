"""Money is integer minor units with an ISO 4217 currency. Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

# Every amount fits a signed 64-bit integer (what Temporal search attributes, SQLite and
# PostgreSQL BIGINT hold). A configured sanity cap (validation) sits far below this.
MINOR_MAX = 2**63 - 1
MINOR_MIN = -(2**63 - 1)

# An amount in minor units, bounded and signed. Use it for every money field in a schema.
MinorAmount = Annotated[int, Field(ge=MINOR_MIN, le=MINOR_MAX)]


def within_minor_bounds(value: int) -> bool:
    return MINOR_MIN <= value <= MINOR_MAX


# Quantities and tax rates are decimals; bounding their size and precision keeps every
# product (quantity x unit price, amount x rate) computable exactly and every value
# printable in a few characters (Decimal('1E+999999') is valid and would not be).
QUANTITY_MAX_ABS = Decimal(10) ** 12
TAX_RATE_MAX_ABS = Decimal(1000)
DECIMAL_MAX_PLACES = 12
DECIMAL_MAX_DIGITS = 30


def _bounded_decimal(max_abs: Decimal, what: str) -> AfterValidator:
    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError(f"{what} must be a finite number")
        if abs(value) > max_abs:
            raise ValueError(f"{what} must be at most {max_abs:,} in absolute value")
        normal = value.normalize()
        exp = normal.as_tuple().exponent
        assert isinstance(exp, int)
        if exp < -DECIMAL_MAX_PLACES or len(normal.as_tuple().digits) > DECIMAL_MAX_DIGITS:
            raise ValueError(
                f"{what} may have at most {DECIMAL_MAX_PLACES} decimal places"
                f" and {DECIMAL_MAX_DIGITS} digits"
            )
        return value

    return AfterValidator(check)


Quantity = Annotated[Decimal, _bounded_decimal(QUANTITY_MAX_ABS, "a quantity")]
TaxRate = Annotated[Decimal, _bounded_decimal(TAX_RATE_MAX_ABS, "a tax rate")]

# Minor-unit exponents for the currencies we accept. Anything not listed is an
# unsupported currency (validation reports it rather than guessing an exponent).
CURRENCY_EXPONENTS: dict[str, int] = {
    "GBP": 2,
    "EUR": 2,
    "USD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "AUD": 2,
    "NZD": 2,
    "CAD": 2,
    "INR": 2,
    "ZAR": 2,
    "JPY": 0,
}


def is_supported_currency(code: str) -> bool:
    return code in CURRENCY_EXPONENTS


def exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency, 2)


def to_minor(amount: Decimal | str, currency: str) -> int:
    """Convert a decimal amount to minor units, rounding half up (as the corpus does)."""
    value = Decimal(str(amount))
    scaled = value.scaleb(exponent(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_minor(amount_minor: int, currency: str) -> str:
    """Human form, e.g. 123456 GBP -> 'GBP 1,234.56'."""
    exp = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    value = abs(amount_minor)
    if exp == 0:
        return f"{currency} {sign}{value:,}"
    major, minor = divmod(value, 10**exp)
    return f"{currency} {sign}{major:,}.{minor:0{exp}d}"
