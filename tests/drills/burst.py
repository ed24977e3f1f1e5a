"""One process of a multi-process budget test: sends `count` concurrent TikTok requests for one shop through
the shared Redis budget (or, with --local, through this process's own buckets) and prints what it saw as JSON.

Run as `python -m tests.drills.burst MANIFEST.json REDIS_URL COUNT START_AT [--local]`; every process waits
until the wall-clock time START_AT so that all of them start together.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from feedbridge.http.ratelimit import Limiter
from feedbridge.http.shared_limits import RedisLimiter, redis_client
from feedbridge.tiktok.client import TikTokClient
from feedbridge.tiktok.errors import TikTokError


async def burst(manifest: dict[str, Any], redis_url: str, count: int, start_at: float, shared: bool) -> dict[str, int]:
    """Send `count` warehouse look-ups at once; count answers and refusals."""
    shop = manifest["shops"][0]
    limiter: Limiter | None = (RedisLimiter(redis_client(redis_url), 50, prefix=f"tiktok:{shop['id']}:")
                               if shared else None)
    client = TikTokClient(manifest["api_url"], manifest["app_key"], manifest["app_secret"],
                          access_token=shop["access_token"], shop_cipher=shop["cipher"], limiter=limiter,
                          max_attempts=1)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    outcome = {"ok": 0, "refused": 0}

    async def one() -> None:
        try:
            await client.get_warehouses()
            outcome["ok"] += 1
        except TikTokError:
            outcome["refused"] += 1

    try:
        await asyncio.gather(*(one() for _ in range(count)))
    finally:
        await client.aclose()
    return outcome


def main(argv: list[str]) -> None:
    manifest = json.loads(Path(argv[0]).read_text())
    result = asyncio.run(burst(manifest, argv[1], int(argv[2]), float(argv[3]), "--local" not in argv))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
