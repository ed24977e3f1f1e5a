"""TikTok Shop regions a merchant can connect, with their names (ISO 3166 codes as TikTok uses them)."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "US": "United States", "GB": "United Kingdom", "IE": "Ireland", "DE": "Germany", "FR": "France",
    "IT": "Italy", "ES": "Spain", "MX": "Mexico", "BR": "Brazil", "JP": "Japan", "SG": "Singapore",
    "MY": "Malaysia", "PH": "Philippines", "TH": "Thailand", "VN": "Vietnam", "ID": "Indonesia",
}
