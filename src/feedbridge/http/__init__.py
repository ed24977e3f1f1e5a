"""Shared HTTP edge: retries, rate limits, HMAC helpers, SSRF guard, log redaction."""

# httpcore imports sniffio lazily, from whichever thread first sends a request. With many worker and server
# threads starting requests at once that first import was seen to stall every thread on the import lock;
# importing it here, once, at start-up avoids that.
import sniffio  # noqa: E402, F401
