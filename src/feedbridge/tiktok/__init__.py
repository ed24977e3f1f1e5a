"""TikTok Shop: request signing, OAuth, the API client, webhooks and payload mappers.

Modules: signing (request and webhook signatures), regions (per-market rules), errors (typed failures),
endpoints (versioned paths and shop_cipher rules), client (one method per endpoint), oauth (authorization,
tokens, shops), mappers (payload → typed values), webhooks (verify and parse deliveries).
"""
