"""Product images the sandboxes host themselves, so listing works without reaching a real CDN.

Seeds replace each catalog image URL with `hosted_image_url(base_url, original)`; `MediaMiddleware` in front
of the sandbox app serves a deterministic PNG there (one colour per original URL), as the store's CDN would
serve the picture it copied from the merchant's upload.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

MEDIA_PREFIX = "/cdn/media"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=256)
def placeholder_png(name: str, size: int = 600) -> bytes:
    """A size×size PNG in a colour derived from `name`."""
    digest = hashlib.sha256(name.encode()).digest()
    pixel = bytes((64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160))
    row = b"\x00" + pixel * size
    raw = zlib.compress(row * size, 9)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")


def hosted_image_url(base_url: str, original: str) -> str:
    """Where the sandbox at `base_url` hosts its copy of the image first published at `original`."""
    return f"{base_url.rstrip('/')}{MEDIA_PREFIX}/{hashlib.sha1(original.encode()).hexdigest()[:16]}.png"


class MediaMiddleware:
    """Serves /cdn/media/* in front of a sandbox app (no auth, as a public CDN); passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(MEDIA_PREFIX + "/"):
            name = scope["path"][len(MEDIA_PREFIX) + 1:]
            if name.endswith(".png") and "/" not in name and len(name) <= 80:
                response = Response(placeholder_png(name), media_type="image/png",
                                    headers={"Cache-Control": "public, max-age=86400"})
            else:
                response = Response(status_code=404)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
