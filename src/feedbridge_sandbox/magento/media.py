"""Product images: `POST /V1/products/{sku}/media` stores base64 content under a Magento-style dispersed path
(`/f/b/fb-cap.png`), served back at `/media/catalog/product/<path>`; plus small generated PNGs for the seed."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from feedbridge_sandbox.magento.errors import bad_request, required

MIME = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def dispersed_path(name: str) -> str:
    """Magento's media path: the first two characters of the file name as folders."""
    clean = re.sub(r"[^a-z0-9._-]", "_", name.lower()) or "image"
    first, second = (clean + "__")[0], (clean + "__")[1]
    return f"/{first}/{second}/{clean}"


def store_entry(files: dict[str, tuple[bytes, str]], entry: dict[str, Any]) -> dict[str, Any]:
    """Validate a gallery entry with content, keep the bytes, and return the entry as Magento stores it."""
    content = entry.get("content") or {}
    for name in ("base64_encoded_data", "type", "name"):
        if not content.get(name):
            raise required(name)
    if content["type"] not in MIME:
        raise bad_request("The image MIME type is not valid or not supported.")
    try:
        data = base64.b64decode(content["base64_encoded_data"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request("The image content must be valid base64 encoded data.") from exc
    path = dispersed_path(content["name"])
    if path in files:
        stem, _, ext = path.rpartition(".")
        path = f"{stem}_{len(files)}.{ext}"
    files[path] = (data, content["type"])
    stored = {k: v for k, v in entry.items() if k != "content"}
    stored["file"] = path
    return stored
