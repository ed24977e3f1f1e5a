"""A small validator for Magento REST traffic against the stored Swagger 2.0 admin schema (2.4.9).

It finds the path template and method, checks path and query parameters against the operation's parameter
definitions, the JSON body against the body parameter's schema and the answer against the response schema
(`$ref`s resolved into `definitions`). Two known gaps between the schema and what Magento really sends are
allowed: null for any typed field (the schema never says nullable; Magento answers null for empty values, e.g.
`payment.cc_last4` in the order fixture), and a list as a custom attribute's `value` (`category_ids` in the
configurable-product fixture) although `framework-attribute-interface.value` says string. Third, an error's
`parameters` is a list for positional placeholders (`%1`) and an object for named ones (`%resources`), as
Magento renders them, where the schema says a list of objects.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema
import yaml

from feedbridge_sandbox.shared import shared_path

SCHEMA = shared_path("specs", "magento", "admin-schema-2.4.9.yaml")
CAMEL = {"filter_groups": "filterGroups", "condition_type": "conditionType", "sort_orders": "sortOrders",
         "page_size": "pageSize", "current_page": "currentPage"}
STORE_PREFIX = re.compile(r"^/rest(?:/[A-Za-z0-9_]+)?(?=/V1/)")


def _or_null(name: str) -> Any:
    """A type check that also accepts null."""
    def check(checker: Any, instance: Any) -> bool:
        return instance is None or bool(_base.TYPE_CHECKER.is_type(instance, name))
    return check


_base = jsonschema.Draft4Validator
_types = _base.TYPE_CHECKER.redefine_many(
    {name: _or_null(name) for name in ("string", "integer", "number", "boolean", "object", "array")})
Validator = jsonschema.validators.extend(_base, type_checker=_types)


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The parsed schema, cached in memory and as a pickle next to the user's cache (keyed by file mtime)."""
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "feedbridge"
    cache = cache_dir / f"magento-admin-2.4.9-v3-{int(SCHEMA.stat().st_mtime)}.pickle"
    if cache.exists():
        with cache.open("rb") as fh:
            data: dict[str, Any] = pickle.load(fh)
            return data
    data = yaml.load(SCHEMA.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    data.get("info", {}).pop("description", None)  # a doc-site include, not schema
    data["definitions"]["framework-attribute-interface"]["properties"]["value"].pop("type", None)
    data["definitions"]["error-parameters"] = {"type": ["array", "object"]}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(data, fh)
        tmp.replace(cache)
    except OSError:
        pass
    return data


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    spec: dict[str, Any]
    path_params: dict[str, str]


class SchemaViolation(AssertionError):
    """Traffic that the stored Magento schema does not allow."""


@functools.lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str, int]]:
    out = []
    for template in load_schema()["paths"]:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template, template.count("{")))
    # Literal paths win over templated ones (/V1/orders/items before /V1/orders/{id}).
    return sorted(out, key=lambda t: (t[2], t[1]))


def find_operation(method: str, path: str) -> Operation:
    """The schema operation for `method` on a request path (with or without /rest/<store>)."""
    api_path = STORE_PREFIX.sub("", urlsplit(path).path)
    for pattern, template, _ in _templates():
        match = pattern.match(api_path)
        if match and method.lower() in load_schema()["paths"][template]:
            spec = load_schema()["paths"][template][method.lower()]
            return Operation(template, method.upper(), spec, {k: unquote(v) for k, v in match.groupdict().items()})
    raise SchemaViolation(f"{method} {api_path} is not in the Magento 2.4.9 schema")


def _validate(schema: dict[str, Any], instance: Any, where: str) -> None:
    root = {**schema, "definitions": load_schema()["definitions"]}
    errors = sorted(Validator(root).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise SchemaViolation(f"{where}: {first.message} at {'/'.join(str(p) for p in first.path)}")


def _check_scalar(param: dict[str, Any], value: str, where: str) -> None:
    kind = param.get("type")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        raise SchemaViolation(f"{where}: {param['name']}={value!r} is not an integer")
    if kind == "number":
        try:
            float(value)
        except ValueError as exc:
            raise SchemaViolation(f"{where}: {param['name']}={value!r} is not a number") from exc
    if kind == "boolean" and value not in ("true", "false", "0", "1"):
        raise SchemaViolation(f"{where}: {param['name']}={value!r} is not a boolean")


def normalise_query_name(name: str) -> str:
    """searchCriteria names as the schema spells them: indices as [0], camelCase keys."""
    name = re.sub(r"\[\d+\]", "[0]", name)
    return re.sub(r"\[(\w+)\]", lambda m: f"[{CAMEL.get(m.group(1), m.group(1))}]", name)


def validate_request(method: str, url: str, body: Any = None) -> Operation:
    """Raise SchemaViolation unless path, query and body fit the schema's operation."""
    op = find_operation(method, url)
    where = f"{method} {op.template}"
    params = op.spec.get("parameters") or []
    for param in params:
        if param["in"] == "path":
            _check_scalar(param, op.path_params[param["name"]], where)
    declared = {p["name"]: p for p in params if p["in"] == "query"}
    declared_base = {re.sub(r"\[\]$", "", n): p for n, p in declared.items()}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        key = normalise_query_name(name)
        param = declared.get(key) or declared_base.get(re.sub(r"\[\d*\]$", "", key))
        if param is None:
            raise SchemaViolation(f"{where}: query parameter {name!r} is not declared")
        if param.get("type") != "array":
            _check_scalar(param, value, where)
    for param in params:
        if param["in"] == "query" and param.get("required") and not any(
                normalise_query_name(n) == param["name"] for n, _ in parse_qsl(urlsplit(url).query)):
            raise SchemaViolation(f"{where}: required query parameter {param['name']} is missing")
    body_params = [p for p in params if p["in"] == "body"]
    if body_params:
        if body is None and body_params[0].get("schema", {}).get("required"):
            raise SchemaViolation(f"{where}: a JSON body is required")
        if body is not None:
            _validate(body_params[0]["schema"], body, f"{where} body")
    elif body not in (None, b"", ""):
        raise SchemaViolation(f"{where}: takes no body")
    return op


def validate_response(method: str, url: str, status: int, body: Any) -> None:
    """Raise SchemaViolation unless the answer fits the documented response for its status (or default)."""
    op = find_operation(method, url)
    responses = op.spec.get("responses") or {}
    if 200 <= status < 300 and not any(code.startswith("2") for code in responses):
        # A void service: the schema documents no success body and Magento answers an empty array.
        if body not in (None, []):
            raise SchemaViolation(f"{method} {op.template}: a void service answered {body!r}")
        return
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise SchemaViolation(f"{method} {op.template}: status {status} is not documented")
    schema = response.get("schema")
    if schema is not None:
        _validate(schema, body, f"{method} {op.template} answer {status}")


def validate_exchanges(exchanges: Iterable[tuple[str, str, Any, int, Any]]) -> int:
    """Validate recorded (method, url, request body, status, response body) tuples; how many were checked."""
    count = 0
    for method, url, request_body, status, response_body in exchanges:
        validate_request(method, url, request_body)
        validate_response(method, url, status, response_body)
        count += 1
    return count
