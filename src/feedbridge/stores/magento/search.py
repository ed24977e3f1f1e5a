"""Building Magento `searchCriteria` query parameters.

Filters inside one group are OR-ed, groups are AND-ed. Parameter names follow the 2.4.9 schema
(`filterGroups`, `conditionType`, `sortOrders`, `pageSize`, `currentPage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition: `field <condition> value` (eq, neq, gt, gteq, lt, lteq, like, in, nin)."""

    field: str
    value: str
    condition: str = "eq"


@dataclass(slots=True)
class SearchCriteria:
    """A search: AND of groups, each an OR of filters; sorted and paged."""

    groups: list[list[Filter]] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def where(self, field_name: str, value: str | int | Sequence[str | int], condition: str = "eq") -> SearchCriteria:
        """Add one AND-ed condition; a sequence value becomes a comma-joined `in` list."""
        if not isinstance(value, str | int):
            value = ",".join(str(v) for v in value)
        self.groups.append([Filter(field_name, str(value), condition)])
        return self

    def params(self) -> list[tuple[str, str]]:
        """The query parameters, in a stable order."""
        out: list[tuple[str, str]] = []
        for g, group in enumerate(self.groups):
            for f, flt in enumerate(group):
                prefix = f"searchCriteria[filterGroups][{g}][filters][{f}]"
                out += [(f"{prefix}[field]", flt.field), (f"{prefix}[value]", flt.value),
                        (f"{prefix}[conditionType]", flt.condition)]
        for s, (field_name, direction) in enumerate(self.sort):
            out += [(f"searchCriteria[sortOrders][{s}][field]", field_name),
                    (f"searchCriteria[sortOrders][{s}][direction]", direction)]
        if self.page_size is not None:
            out.append(("searchCriteria[pageSize]", str(self.page_size)))
        if self.current_page is not None:
            out.append(("searchCriteria[currentPage]", str(self.current_page)))
        return out
