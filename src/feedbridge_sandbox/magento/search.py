"""Magento `searchCriteria` semantics: filter groups AND-ed, filters in a group OR-ed, sorting, paging.

Accepts both spellings Magento accepts (`filter_groups`/`filterGroups`, `condition_type`/`conditionType`,
`sort_orders`/`sortOrders`, `page_size`/`pageSize`, `current_page`/`currentPage`). A page past the end answers
with the last page, as Magento collections do, so clients must stop by `total_count`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CAMEL = {"filter_groups": "filterGroups", "condition_type": "conditionType", "sort_orders": "sortOrders",
         "page_size": "pageSize", "current_page": "currentPage"}
KEY = re.compile(r"\[([^\]]*)\]")


class SearchError(ValueError):
    """A malformed searchCriteria (answered with 400)."""


@dataclass
class Criteria:
    groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int = 1

    def echo(self) -> dict[str, Any]:
        """The `search_criteria` object Magento echoes back."""
        out: dict[str, Any] = {"filter_groups": [{"filters": [
            {"field": f["field"], "value": f["value"], "condition_type": f.get("condition_type", "eq")}
            for f in group]} for group in self.groups]}
        if self.sort:
            out["sort_orders"] = [{"field": f, "direction": d} for f, d in self.sort]
        if self.page_size is not None:
            out["page_size"] = self.page_size
            out["current_page"] = self.current_page
        return out


def parse(query: list[tuple[str, str]]) -> Criteria:
    """Criteria from the query string pairs."""
    tree: dict[str, Any] = {}
    for name, value in query:
        if not name.startswith("searchCriteria"):
            continue
        keys = [CAMEL.get(k, k) for k in KEY.findall(name[len("searchCriteria"):])]
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        if keys:
            node[keys[-1]] = value
    criteria = Criteria()
    for _, group in sorted(tree.get("filterGroups", {}).items(), key=lambda kv: int(kv[0])):
        filters = []
        for _, flt in sorted(group.get("filters", {}).items(), key=lambda kv: int(kv[0])):
            if "field" not in flt:
                raise SearchError('"field" is required in a searchCriteria filter.')
            filters.append({"field": flt["field"], "value": flt.get("value", ""),
                            "condition_type": (flt.get("conditionType") or "eq").lower()})
        criteria.groups.append(filters)
    for _, order in sorted(tree.get("sortOrders", {}).items(), key=lambda kv: int(kv[0])):
        criteria.sort.append((order.get("field", ""), (order.get("direction") or "ASC").upper()))
    try:
        if tree.get("pageSize") not in (None, ""):
            criteria.page_size = int(tree["pageSize"])
        if tree.get("currentPage") not in (None, ""):
            criteria.current_page = max(1, int(tree["currentPage"]))
    except ValueError as exc:
        raise SearchError("pageSize and currentPage must be numbers.") from exc
    return criteria


def _num(value: Any) -> Decimal | None:
    """The value as an exact number (long ids such as TikTok order ids must not collide as floats would)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _compare(a: Any, b: str) -> int:
    x, y = _num(a), _num(b)
    if x is not None and y is not None:
        return (x > y) - (x < y)
    sa = "" if a is None else str(a)
    return (sa > b) - (sa < b)


def matches(value: Any, condition: str, target: str) -> bool:
    """One filter condition."""
    if condition == "null":
        return value in (None, "")
    if condition == "notnull":
        return value not in (None, "")
    if condition in ("in", "nin"):
        wanted = {v.strip() for v in target.split(",")}
        hit = (str(value) in wanted) if not isinstance(value, list) else bool(wanted & {str(v) for v in value})
        return hit if condition == "in" else not hit
    if condition == "finset":
        return target in str(value or "").split(",")
    if condition in ("like", "nlike"):
        pattern = "^" + ".*".join(re.escape(p) for p in target.split("%")) + "$"
        hit = re.match(pattern, str(value or ""), re.IGNORECASE | re.DOTALL) is not None
        return hit if condition == "like" else not hit
    if value is None:
        return condition == "neq"
    if isinstance(value, list):
        return any(matches(v, condition, target) for v in value)
    if condition not in COMPARISONS:
        raise SearchError(f'Invalid condition type "{condition}".')
    return COMPARISONS[condition](_compare(value, target))


COMPARISONS: dict[str, Callable[[int], bool]] = {
    "eq": lambda c: c == 0, "neq": lambda c: c != 0, "gt": lambda c: c > 0, "gteq": lambda c: c >= 0,
    "from": lambda c: c >= 0, "lt": lambda c: c < 0, "lteq": lambda c: c <= 0, "to": lambda c: c <= 0,
}


def run(items: list[dict[str, Any]], criteria: Criteria,
        getter: Callable[[Mapping[str, Any], str], Any] | None = None) -> dict[str, Any]:
    """Filter, sort and page `items`; returns `{items, search_criteria, total_count}`."""
    get = getter or (lambda item, name: item.get(name))
    found = [item for item in items
             if all(any(matches(get(item, f["field"]), f["condition_type"], f["value"]) for f in group)
                    for group in criteria.groups)]
    for name, direction in reversed(criteria.sort):
        def key(item: Mapping[str, Any], name: str = name) -> tuple[int, Any]:
            value = get(item, name)
            number = _num(value)
            return (0, number) if number is not None else (1, "" if value is None else str(value))
        found.sort(key=key, reverse=direction == "DESC")
    total = len(found)
    page_items = found
    if criteria.page_size:
        last_page = max(1, -(-total // criteria.page_size))
        page = min(criteria.current_page, last_page)
        start = (page - 1) * criteria.page_size
        page_items = found[start:start + criteria.page_size]
    return {"items": page_items, "search_criteria": criteria.echo(), "total_count": total}
