"""The web app: JSON API, dashboard, webhook receivers, auth."""
