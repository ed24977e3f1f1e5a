"""One TLS context per process, shared by every HTTP client.

Building a context loads the system's CA bundle, which costs about 17 ms of CPU; a client is built per job
(one per connection, principle 5), so without sharing, certificate loading was half the CPU of a price/stock
push (bench/RESULTS.md). The context holds no credentials, only trust roots, so sharing it is safe.
"""

from __future__ import annotations

import ssl
from functools import lru_cache


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    """The process's default TLS context (certificate verification on, system trust roots)."""
    return ssl.create_default_context()
