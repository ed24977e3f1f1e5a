"""feedbridge: list a store's catalog on TikTok Shop, keep price and stock in step, bring orders back."""

__version__ = "0.1.0"
