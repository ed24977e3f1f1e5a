"""WooCommerce (REST API /wp-json/wc/v3): client, auth, mappers, webhooks and the store adapter."""
