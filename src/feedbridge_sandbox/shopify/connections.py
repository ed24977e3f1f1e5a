"""Relay connections the way Shopify pages them: opaque base64 cursors, `first`/`after`, `last`/`before`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 250


def encode_cursor(number: int, value: Any) -> str:
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = json.dumps({"last_id": number, "last_value": value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.b64decode(cursor.encode()).decode())
        return int(data["last_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def connection(items: Sequence[Any], args: dict[str, Any], *, number: Callable[[Any], int] | None = None,
               sort_value: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """Slice `items` (already sorted) by the pagination arguments into edges, nodes and pageInfo."""
    get_number = number or (lambda item: int(item.number))
    get_value = sort_value or get_number
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last",
                           extensions={"code": "BAD_REQUEST"})
    for size in (first, last):
        if size is not None and (size < 0 or size > MAX_PAGE):
            raise GraphQLError(f"The maximum page size is {MAX_PAGE}, you requested {size}.",
                               extensions={"code": "BAD_REQUEST"})
    ordered = list(reversed(items)) if args.get("reverse") else list(items)
    start, end = 0, len(ordered)
    positions = {get_number(item): index for index, item in enumerate(ordered)}
    if args.get("after"):
        start = positions.get(decode_cursor(args["after"]), -1) + 1
    if args.get("before"):
        end = positions.get(decode_cursor(args["before"]), end)
    window = ordered[start:end]
    has_next = has_previous = False
    if first is not None:
        has_next = len(window) > first or end < len(ordered)
        window = window[:first]
        has_previous = start > 0
    if last is not None:
        has_previous = len(window) > last or start > 0
        window = window[-last:] if last else []
    edges = [{"cursor": encode_cursor(get_number(item), get_value(item)), "node": item} for item in window]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def limited(items: Sequence[Any], first: int | None) -> list[Any]:
    """A plain list field with a `first` argument (e.g. Order.fulfillments)."""
    return list(items)[: first] if first is not None else list(items)
