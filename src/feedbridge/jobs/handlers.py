"""Which sync function handles which intent kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedbridge.runtime import Handler


def default_handlers() -> dict[str, Handler]:
    """The intent kinds of every flow, mapped to the function that acts on them."""
    return {}
