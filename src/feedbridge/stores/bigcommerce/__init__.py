"""BigCommerce store adapter: v3 catalog / inventory / channels / hooks and v2 orders / shipments."""
