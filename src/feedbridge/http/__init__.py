"""Shared HTTP edge: retries, rate limits, HMAC helpers, SSRF guard, log redaction."""
