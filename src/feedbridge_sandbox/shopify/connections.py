"""Relay connections the way Shopify pages them: opaque base64 cursors, `first`/`after`, `last`/`before`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 250


def _plain(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def encode_cursor(number: int, value: Any) -> str:
    raw = json.dumps({"last_id": number, "last_value": _plain(value)}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, Any]:
    """(last id, last sort value) of a cursor."""
    try:
        data = json.loads(base64.b64decode(cursor.encode()).decode())
        return int(data["last_id"]), data.get("last_value")
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def _position(ordered: list[Any], cursor: str, get_number: Callable[[Any], int],
              get_value: Callable[[Any], Any], reverse: bool) -> int:
    """Index of the cursor's item; for an item that is gone (deleted while paging), where it would have been."""
    number, value = decode_cursor(cursor)
    for index, item in enumerate(ordered):
        if get_number(item) == number:
            return index
    for index, item in enumerate(ordered):
        key = (_plain(get_value(item)), get_number(item))
        try:
            beyond = key < (value, number) if reverse else key > (value, number)
        except TypeError:
            beyond = get_number(item) > number
        if beyond:
            return index - 1
    return len(ordered) - 1


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
    reverse = bool(args.get("reverse"))
    if args.get("after"):
        start = _position(ordered, args["after"], get_number, get_value, reverse) + 1
    if args.get("before"):
        end = max(0, _position(ordered, args["before"], get_number, get_value, reverse))
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
