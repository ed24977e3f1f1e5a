"""Shopify's search syntax for the `query` argument, the part the sandbox supports.

Terms are `field:value`, `field:>value`, `field:>=value`, `field:<value`, `field:<=value`, with values in single or
double quotes when they hold spaces; terms are ANDed. A bare word searches the default field (title / name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_TERM = re.compile(r"""(?:(-)?(\w+):)?(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))""")


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str
    negated: bool = False


def parse_query(text: str | None) -> list[Term]:
    """Split a search string into terms; `AND` connectives are skipped."""
    terms: list[Term] = []
    for match in _TERM.finditer(text or ""):
        negated, name, op, single, double, bare = match.groups()
        value = single if single is not None else double if double is not None else bare or ""
        if not name and value.upper() in ("AND", ""):
            continue
        terms.append(Term(field=(name or "default").lower(), op=op or ":", value=value, negated=bool(negated)))
    return terms


def parse_time(value: str) -> datetime | None:
    """A search time value: ISO 8601 (with or without zone; UTC assumed) or a bare date."""
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def compare(actual: Any, op: str, wanted: Any) -> bool:
    if actual is None:
        return False
    if op == ">":
        return bool(actual > wanted)
    if op == ">=":
        return bool(actual >= wanted)
    if op == "<":
        return bool(actual < wanted)
    if op == "<=":
        return bool(actual <= wanted)
    return bool(actual == wanted)


def matches(item: Any, terms: list[Term], fields: dict[str, Callable[[Any], Any]]) -> bool:
    """True when `item` satisfies every supported term; unknown fields are ignored as Shopify does."""
    for term in terms:
        getter = fields.get(term.field)
        if getter is None:
            continue
        actual = getter(item)
        if isinstance(actual, datetime):
            wanted_time = parse_time(term.value)
            ok = wanted_time is not None and compare(actual, term.op, wanted_time)
        elif isinstance(actual, list):
            ok = any(str(a).lower() == term.value.lower() for a in actual)
        elif isinstance(actual, int) and term.value.isdigit():
            ok = compare(actual, term.op, int(term.value))
        elif term.field == "default":
            ok = term.value.lower() in str(actual or "").lower()
        else:
            ok = compare(str(actual).lower() if actual is not None else None, term.op, term.value.lower())
        if ok == term.negated:
            return False
    return True
