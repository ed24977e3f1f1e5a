"""Query cost and the leaky bucket, the way Shopify's Admin GraphQL API meters calls.

Cost rules (shopify.dev "GraphQL Admin API rate limits"): scalars and enums cost 0, objects 1, a connection
2 plus its page size times the cost of one node, a mutation 10 plus its selection. The requested cost is computed
from the page sizes asked for; the actual cost from what came back. The bucket holds `maximum` points, refills
`restore_rate` points per second, is charged the requested cost up front and refunded the difference afterwards.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
SINGLE_QUERY_MAX = 1000


class CostCalculator:
    """Computes requested and actual costs of one operation."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, op: OperationDefinitionNode, data: Any = None, actual: bool = False) -> int:
        root = self.schema.mutation_type if op.operation.value == "mutation" else self.schema.query_type
        assert root is not None
        if op.operation.value != "mutation":
            return self.selection(op.selection_set, root, data, actual)
        # A mutation costs 10; in its payload only connections add to that (captured answers show
        # `job { id done }` and userErrors lists costing nothing).
        return sum(MUTATION_COST + self.selection(field.selection_set, get_named_type(root.fields[field.name.value].type),
                                                  (data or {}).get(field.alias.value if field.alias else field.name.value)
                                                  if actual else None, actual, objects_free=True)
                   for field in self._fields(op.selection_set, root) if field.name.value in root.fields)

    def _fields(self, selection_set: SelectionSetNode | None, parent: Any) -> list[FieldNode]:
        fields: list[FieldNode] = []
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                fields.append(node)
            elif isinstance(node, InlineFragmentNode):
                fields += self._fields(node.selection_set, parent)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                fields += self._fields(self.fragments[node.name.value].selection_set, parent)
        return fields

    def _arg(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def selection(self, selection_set: SelectionSetNode | None, parent: Any, data: Any, actual: bool,
                  objects_free: bool = False) -> int:
        total = 0
        fields_map = getattr(parent, "fields", {})
        for node in self._fields(selection_set, parent):
            name = node.name.value
            if name.startswith("__") or name not in fields_map:
                continue
            field_type = fields_map[name].type
            named = get_named_type(field_type)
            if not is_composite_type(named):
                continue
            key = node.alias.value if node.alias else name
            value = data.get(key) if isinstance(data, dict) else None
            if actual and value is None:
                continue
            if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
                total += self._connection(node, named, value, actual)
                continue
            inner = field_type.of_type if is_non_null_type(field_type) else field_type
            if is_list_type(inner):
                own = 0 if objects_free else 1
                if actual:
                    items = value if isinstance(value, list) else []
                    total += sum(own + self.selection(node.selection_set, named, item, True, objects_free)
                                 for item in items)
                else:
                    size = self._arg(node, "first") or 1
                    total += int(size) * (own + self.selection(node.selection_set, named, None, False, objects_free))
                continue
            total += (0 if objects_free else 1) + self.selection(node.selection_set, named, value, actual,
                                                                 objects_free)
        return total

    def _connection(self, node: FieldNode, connection: GraphQLObjectType, value: Any, actual: bool) -> int:
        node_type = get_named_type(connection.fields["nodes"].type) if "nodes" in connection.fields else None
        per_node_fields: list[tuple[SelectionSetNode | None, str]] = []
        for child in self._fields(node.selection_set, connection):
            if child.name.value == "nodes":
                per_node_fields.append((child.selection_set, child.alias.value if child.alias else "nodes"))
            elif child.name.value == "edges":
                for edge_child in self._fields(child.selection_set, None):
                    if edge_child.name.value == "node":
                        per_node_fields.append((edge_child.selection_set, "edges"))
        if not actual:
            size = int(self._arg(node, "first") or self._arg(node, "last") or 0)
            per_node = sum(self.selection(sel, node_type, None, False) + 1 for sel, _ in per_node_fields)
            return 2 + size * per_node
        total = 2
        for sel, key in per_node_fields:
            items = (value or {}).get(key) or []
            for item in items:
                item_data = item.get("node") if key == "edges" and isinstance(item, dict) else item
                total += 1 + self.selection(sel, node_type, item_data, True)
        return total


class CostBucket:
    """A leaky bucket of query cost points for one app installation."""

    def __init__(self, maximum: float = 1000.0, restore_rate: float = 50.0) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self.available = maximum
        self.updated = time.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def configure(self, maximum: float, restore_rate: float) -> None:
        with self._lock:
            self.maximum, self.restore_rate = maximum, restore_rate
            self.available = min(self.available, maximum)

    def take(self, cost: int) -> bool:
        """Charge `cost` if the bucket holds it; False (nothing charged) when the request must be throttled."""
        with self._lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def refund(self, points: int) -> None:
        with self._lock:
            self._refill()
            self.available = min(self.maximum, self.available + max(0, points))

    def status(self) -> dict[str, Any]:
        with self._lock:
            self._refill()
            available = int(self.available)
        return {"maximumAvailable": float(self.maximum), "currentlyAvailable": available,
                "restoreRate": float(self.restore_rate)}
