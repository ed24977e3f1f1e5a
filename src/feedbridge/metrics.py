"""A small metrics registry (counters and histograms) and its Prometheus text rendering.

Each process counts in memory. In production (Redis queue) every process adds what it counted since the last
flush to one Redis hash, so the web app's /metrics shows the sum over all workers. Outbound API calls are
counted in one place: `instrument_http` installs httpx event hooks on a client when it is built.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

Labels = tuple[tuple[str, str], ...]
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
REDIS_KEY = "feedbridge:metrics"
HELP = {
    "feedbridge_api_requests_total": ("counter", "Outbound API requests sent, per platform."),
    "feedbridge_api_errors_total": ("counter", "Outbound API requests answered with an error (HTTP status or "
                                               "TikTok envelope code) or not at all, per platform and reason."),
    "feedbridge_intents_processed_total": ("counter", "Intent runs by kind and outcome (done, retry, failed, "
                                                      "requeued, skipped)."),
    "feedbridge_sync_latency_seconds": ("histogram", "Time from an intent being requested until it is done, "
                                                     "per kind."),
}


def _labels(values: Mapping[str, str]) -> Labels:
    return tuple(sorted((k, str(v)) for k, v in values.items()))


class Registry:
    """Thread-safe counters and histograms keyed by (name, labels); all values are floats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[str, Labels], float] = {}
        self._flushed: dict[tuple[str, Labels], float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` to a counter."""
        key = (name, _labels(labels))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Record one observation in a histogram (cumulative buckets, sum and count)."""
        base = _labels(labels)
        with self._lock:
            for bound in (*LATENCY_BUCKETS, float("inf")):
                if value <= bound:
                    key = (f"{name}_bucket", (*base, ("le", _bound(bound))))
                    self._values[key] = self._values.get(key, 0.0) + 1
            for suffix, amount in (("_sum", value), ("_count", 1.0)):
                key = (name + suffix, base)
                self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, name: str, **labels: str) -> float:
        """The current value of one series (0 if never counted)."""
        with self._lock:
            return self._values.get((name, _labels(labels)), 0.0)

    def snapshot(self) -> dict[tuple[str, Labels], float]:
        """A copy of every series."""
        with self._lock:
            return dict(self._values)

    def take_deltas(self) -> dict[tuple[str, Labels], float]:
        """What was counted since the previous call (for adding to a shared store)."""
        with self._lock:
            deltas = {k: v - self._flushed.get(k, 0.0) for k, v in self._values.items()
                      if v != self._flushed.get(k, 0.0)}
            self._flushed = dict(self._values)
        return deltas

    def give_back(self, deltas: Mapping[tuple[str, Labels], float]) -> None:
        """Undo `take_deltas` for deltas that could not be stored, so they are sent next time."""
        with self._lock:
            for key, amount in deltas.items():
                self._flushed[key] = self._flushed.get(key, 0.0) - amount


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


def encode_key(key: tuple[str, Labels]) -> str:
    """A series as a Redis hash field."""
    return json.dumps([key[0], [list(pair) for pair in key[1]]], separators=(",", ":"))


def decode_key(field: str | bytes) -> tuple[str, Labels]:
    name, labels = json.loads(field)
    return str(name), tuple((str(k), str(v)) for k, v in labels)


def flush_to_redis(registry: Registry, client: Any) -> None:
    """Add this process's new counts to the shared hash; on a Redis error they are kept for the next flush."""
    deltas = registry.take_deltas()
    if not deltas:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for key, amount in deltas.items():
            pipe.hincrbyfloat(REDIS_KEY, encode_key(key), amount)
        pipe.execute()
    except Exception:
        registry.give_back(deltas)
        raise


def read_redis(client: Any) -> dict[tuple[str, Labels], float]:
    """Every series summed over all processes."""
    return {decode_key(k): float(v) for k, v in client.hgetall(REDIS_KEY).items()}


def render(series: Mapping[tuple[str, Labels], float], gauges: Iterable[tuple[str, str, Labels, float]] = ()) -> str:
    """Prometheus text exposition format (version 0.0.4)."""
    lines: list[str] = []
    by_family: dict[str, list[tuple[str, Labels, float]]] = {}
    for (name, labels), value in series.items():
        family = next((f for f in HELP if name == f or name.startswith(f + "_")), name)
        by_family.setdefault(family, []).append((name, labels, value))
    for family in sorted(by_family):
        kind, text = HELP.get(family, ("untyped", family))
        lines += [f"# HELP {family} {text}", f"# TYPE {family} {kind}"]
        for name, labels, value in sorted(by_family[family], key=_sort_key):
            lines.append(f"{name}{_format_labels(labels)} {_format_value(value)}")
    seen: set[str] = set()
    for name, text, labels, value in gauges:
        if name not in seen:
            lines += [f"# HELP {name} {text}", f"# TYPE {name} gauge"]
            seen.add(name)
        lines.append(f"{name}{_format_labels(labels)} {_format_value(value)}")
    return "\n".join(lines) + "\n"


def _sort_key(item: tuple[str, Labels, float]) -> tuple[str, Labels, float]:
    name, labels, _ = item
    le = dict(labels).get("le")
    order = float("inf") if le == "+Inf" else float(le) if le else 0.0
    return name, tuple(p for p in labels if p[0] != "le"), order


def _format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(10), "n").replace(chr(34), chr(92) + chr(34))}"'
               for k, v in labels)
    return "{" + ",".join(escaped) + "}"


def _format_value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def instrument_http(client: httpx.AsyncClient, registry: Registry, platform: str) -> httpx.AsyncClient:
    """Count every request `client` sends, its answers and its error answers, under `platform`.

    A request that got no answer at all (timeout, refused connection) shows as requests minus responses;
    /metrics reports that difference as errors with reason "no_answer".
    """
    async def on_request(request: httpx.Request) -> None:
        registry.inc("feedbridge_api_requests_total", platform=platform)

    async def on_response(response: httpx.Response) -> None:
        status = response.status_code
        if status == 429:
            registry.inc("feedbridge_api_errors_total", platform=platform, reason="rate_limited")
        elif status >= 500:
            registry.inc("feedbridge_api_errors_total", platform=platform, reason="server_error")
        elif status >= 400:
            registry.inc("feedbridge_api_errors_total", platform=platform, reason="client_error")
        elif platform == "tiktok" and _tiktok_refused(await response.aread()):
            # TikTok answers many refusals with HTTP 200 and a non-zero code in its envelope.
            registry.inc("feedbridge_api_errors_total", platform=platform, reason="platform_error")
        registry.inc("feedbridge_api_responses_total", platform=platform)

    client.event_hooks["request"].append(on_request)
    client.event_hooks["response"].append(on_response)
    return client


_ENVELOPE_CODE = re.compile(rb'"code"\s*:\s*(-?\d+)')


def _tiktok_refused(body: bytes) -> bool:
    """True when a TikTok envelope's `code` (one of its first keys) is not 0."""
    match = _ENVELOPE_CODE.search(body[:200])
    return match is not None and match.group(1) != b"0"


def find_http_clients(obj: Any, depth: int = 3) -> list[httpx.AsyncClient]:
    """The httpx clients an adapter holds (directly or in its client object), found by a shallow walk."""
    found: list[httpx.AsyncClient] = []
    seen: set[int] = set()

    def walk(value: Any, level: int) -> None:
        if id(value) in seen or level > depth:
            return
        seen.add(id(value))
        if isinstance(value, httpx.AsyncClient):
            found.append(value)
            return
        for child in getattr(value, "__dict__", {}).values():
            if isinstance(child, httpx.AsyncClient) or (hasattr(child, "__dict__") and
                                                        type(child).__module__.startswith("feedbridge")):
                walk(child, level + 1)

    walk(obj, 0)
    return found


def instrument_adapter(adapter: Any, registry: Registry, platform: str) -> None:
    """Install the counting hooks on every httpx client inside a store or marketplace adapter (once each)."""
    for client in find_http_clients(adapter):
        if not getattr(client, "_feedbridge_counted", False):
            instrument_http(client, registry, platform)
            client._feedbridge_counted = True  # type: ignore[attr-defined]
