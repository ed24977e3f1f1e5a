"""Upload Product Image reads the size of JPEG, PNG, GIF and WebP files and refuses anything else."""

from __future__ import annotations

import struct

import pytest

from tests.integration.sandbox_tiktok.helpers import TikTok


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (
        height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


@pytest.mark.parametrize(("name", "data"), [("a.jpg", jpeg(1200, 900)), ("a.gif", gif(1200, 900)),
                                            ("a.webp", webp(1200, 900))])
def test_upload_reads_image_size(tt: TikTok, name: str, data: bytes) -> None:
    image = tt.ok("POST", "/product/202309/images/upload", shop=False,
                  files={"data": (name, data, "application/octet-stream"), "use_case": (None, "MAIN_IMAGE")})
    assert (image["width"], image["height"]) == (1200, 900)
    assert image["use_case"] == "MAIN_IMAGE"


def test_upload_refuses_a_file_that_is_not_an_image(tt: TikTok) -> None:
    _, code, _ = tt.error("POST", "/product/202309/images/upload", shop=False,
                          files={"data": ("a.txt", b"hello", "text/plain"), "use_case": (None, "MAIN_IMAGE")})
    assert code == 12038015


def test_upload_with_json_body_is_refused(tt: TikTok) -> None:
    _, code, _ = tt.error("POST", "/product/202309/images/upload", {"data": "x"}, shop=False)
    assert code == 36009022
