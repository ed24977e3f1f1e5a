"""Shared HTTP edge: retries, rate limits, HMAC helpers, SSRF guard, log redaction."""

# httpcore imports sniffio inside every async request when it is installed, and tries (and fails) to import it
# on every request when it is not. Without it, many worker and server threads retrying that failing import at
# once were seen to stall on the import lock, so feedbridge depends on sniffio and imports it once here.
import sniffio  # noqa: E402, F401
