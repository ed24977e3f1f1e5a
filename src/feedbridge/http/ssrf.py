"""SSRF guard for merchant-entered URLs: no loopback, private or link-local targets outside sandbox mode."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from feedbridge.errors import DataError


def check_public_url(url: str, *, allow_private: bool = False) -> str:
    """Return the URL normalised, or raise DataError saying why feedbridge will not call it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DataError("Enter the store's full address, starting with https://", field="base_url")
    if allow_private:
        return url.strip().rstrip("/")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise DataError(f"The address {parts.hostname} could not be found.", field="base_url") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise DataError(
                f"{parts.hostname} points to a private address ({ip}); feedbridge only connects to public stores.",
                field="base_url",
            )
    return url.strip().rstrip("/")
