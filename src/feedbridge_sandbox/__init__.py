"""Simulators of TikTok Shop, Shopify, BigCommerce, WooCommerce and Magento 2 that speak the real APIs.

Used by the demo, the tests and the benchmarks. Production code never imports this package.
"""
