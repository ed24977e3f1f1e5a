"""Carrier mapping: the store's carrier name → a TikTok shipping provider (one direction: store → TikTok).

Stores name carriers freely ("United Parcel Service", "UPS Ground", "Hermes", "J&T"); TikTok only accepts
the shipping providers of the shop's delivery option (Get Shipping Providers: `{id, name}`). We normalise names
(case, accents, punctuation, trademark signs, well-known aliases), then resolve in this order:

1. the merchant's explicit mapping (store carrier name → provider id);
2. a suggestion: the provider whose name matches best, when the match is good enough;
3. the merchant's default provider;
4. the region's usual carrier (UK → Royal Mail) when the shop offers it.

`check_tracking_number` flags numbers that clearly cannot belong to a carrier with a public format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from feedbridge.errors import ConfigError

# canonical key → aliases (already in normalised form, see `normalise_carrier_name`)
_ALIASES: dict[str, tuple[str, ...]] = {
    "ups": ("ups", "united parcel service", "united parcel services", "ups united parcel service"),
    "usps": ("usps", "us postal service", "united states postal service", "us post", "us mail",
             "united states post office", "us postal services"),
    "fedex": ("fedex", "federal express", "fed ex", "fedex corporation"),
    "dhl express": ("dhl express", "dhl", "dhl worldwide express", "dhl international", "dhl express worldwide"),
    "dhl ecommerce": ("dhl ecommerce", "dhl e commerce", "dhl global mail", "dhl ecommerce solutions",
                      "dhl ecommerce asia"),
    "royal mail": ("royal mail", "royalmail", "royal mail group", "rm", "royal mail tracked"),
    "parcelforce": ("parcelforce", "parcelforce worldwide", "parcel force"),
    "evri": ("evri", "hermes", "myhermes", "my hermes", "hermes uk", "myhermes uk", "hermesworld"),
    "dpd": ("dpd", "dpd uk", "dpd local", "interlink express", "dynamic parcel distribution"),
    "yodel": ("yodel", "yodel direct", "yodel domestic"),
    "j&t express": ("j and t express", "j and t", "jt express", "jnt express", "jnt", "j and t express malaysia",
                    "j and t express indonesia", "j and t express philippines", "j and t express vietnam",
                    "j and t express thailand", "j and t express singapore"),
    "ninja van": ("ninja van", "ninjavan", "ninja xpress", "ninja van malaysia", "ninja van indonesia",
                  "ninja van philippines", "ninja van thailand", "ninja van vietnam", "ninja van singapore"),
    "kerry express": ("kerry express", "kerry", "kerry express thailand", "kex", "kex express"),
    "flash express": ("flash express", "flash", "flashexpress"),
    "ghn": ("ghn", "giao hang nhanh", "giaohangnhanh", "ghn express"),
    "ghtk": ("ghtk", "giao hang tiet kiem", "giaohangtietkiem"),
    "spx": ("spx", "spx express", "shopee express", "shopee xpress", "spx xpress"),
    "pos malaysia": ("pos malaysia", "poslaju", "pos laju", "pos laju malaysia"),
    "jne": ("jne", "jne express", "jalur nugraha ekakurir"),
    "lbc": ("lbc", "lbc express", "lbc express inc"),
    "sicepat": ("sicepat", "si cepat", "sicepat ekspres"),
    "viettel post": ("viettel post", "viettelpost"),
    "vnpost": ("vnpost", "vietnam post", "vn post"),
    "thailand post": ("thailand post", "thai post"),
    "singpost": ("singpost", "singapore post"),
    "australia post": ("australia post", "auspost"),
    "canada post": ("canada post", "postes canada"),
    "ontrac": ("ontrac", "on trac"),
    "gls": ("gls", "general logistics systems"),
    "tnt": ("tnt", "tnt express"),
}
_CANONICAL: dict[str, str] = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
_DISPLAY: dict[str, str] = {
    "ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl express": "DHL Express", "royal mail": "Royal Mail",
    "evri": "Evri", "dpd": "DPD", "j&t express": "J&T Express", "spx": "SPX", "ghn": "GHN",
}
# Words that say nothing about which carrier it is.
_GENERIC = {"express", "xpress", "logistics", "delivery", "courier", "shipping", "services", "service", "inc",
            "ltd", "limited", "co", "company", "corp", "corporation", "group", "post", "parcel", "international",
            "worldwide", "tracked", "standard", "economy", "ground", "priority", "the", "and"}

# The usual carrier per TikTok region, used when the merchant chose no default.
REGION_DEFAULT_CARRIERS: dict[str, str] = {
    "GB": "Royal Mail", "UK": "Royal Mail", "US": "USPS", "MY": "Pos Malaysia", "ID": "JNE", "PH": "LBC",
    "TH": "Kerry Express", "VN": "GHN", "SG": "Ninja Van",
}

SUGGESTION_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class Provider:
    """A TikTok shipping provider offered for the shop's delivery option."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class CarrierChoice:
    """Which TikTok provider a store carrier resolves to, how it was decided, and a note for the merchant."""

    provider_id: str
    provider_name: str
    source: Literal["mapped", "suggested", "default"]
    note: str = ""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D")  # Vietnamese d-stroke does not decompose
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[®™©]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    # "u s postal service" → "us postal service": dotted abbreviations become one word
    return re.sub(r"\b(?:[a-z] )+[a-z]\b", lambda m: m.group(0).replace(" ", ""), text)


def normalise_carrier_name(name: str) -> str:
    """A carrier name folded to a comparable key: lower case, no accents or punctuation, aliases resolved.

    "United Parcel Service" → "ups", "Hermes" → "evri", "Giao Hàng Nhanh" → "ghn", "FedEx®" → "fedex".
    Unknown names come back folded ("Acme Couriers Ltd." → "acme couriers ltd").
    """
    folded = _fold(name)
    if folded in _CANONICAL:
        return _CANONICAL[folded]
    # "j and t" glued ("jandt") or spaced ("j and t") both occur
    compact = folded.replace(" ", "")
    for alias, key in _CANONICAL.items():
        if alias.replace(" ", "") == compact:
            return key
    return folded


def carrier_display_name(name: str) -> str:
    """How to show a carrier: its usual spelling when we know it, otherwise the name as given."""
    key = normalise_carrier_name(name)
    return _DISPLAY.get(key, key.title() if key in _ALIASES else name.strip())


def carrier_similarity(store_name: str, provider_name: str) -> float:
    """How alike two carrier names are, 0 to 1 (1: the same carrier after aliases)."""
    a, b = normalise_carrier_name(store_name), normalise_carrier_name(provider_name)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in _ALIASES and b in _ALIASES:
        return 0.0  # two different known carriers, however alike they are spelt ("USPS" / "UPS")
    # Compare the distinctive words only: "CND Express" is not "DHL Express" just because both say "express".
    core_a = [t for t in a.split() if t not in _GENERIC] or a.split()
    core_b = [t for t in b.split() if t not in _GENERIC] or b.split()
    if normalise_carrier_name(" ".join(core_a)) == normalise_carrier_name(" ".join(core_b)):
        return 0.95  # same carrier once service words go ("Amazon Shipping" / "Amazon Logistics")
    score = SequenceMatcher(None, " ".join(core_a), " ".join(core_b)).ratio()
    shorter, longer = sorted((set(core_a), set(core_b)), key=len)
    if shorter <= longer:
        score = max(score, 0.9)  # "UPS Freight" / "UPS", "Royal Mail Tracked 48" / "Royal Mail"
    return round(score, 4)


def suggest_provider(
    store_name: str, providers: list[Provider], *, threshold: float = SUGGESTION_THRESHOLD
) -> tuple[Provider, float] | None:
    """The provider whose name best matches `store_name`, with its score, if the score reaches `threshold`."""
    best: tuple[Provider, float] | None = None
    for provider in providers:
        score = carrier_similarity(store_name, provider.name)
        if score >= threshold and (best is None or score > best[1]):
            best = (provider, score)
    return best


def resolve_carrier(
    store_name: str,
    mapping: dict[str, str],
    providers: list[Provider],
    default_provider_id: str | None,
    *,
    region: str | None = None,
    threshold: float = SUGGESTION_THRESHOLD,
) -> CarrierChoice:
    """Choose the TikTok shipping provider for a store shipment's carrier.

    `mapping` is the merchant's store carrier name → provider id (names compared after normalising).
    Raises ConfigError when nothing applies, saying what to map.
    """
    by_id = {p.id: p for p in providers}
    key = normalise_carrier_name(store_name) if store_name.strip() else ""
    note = ""
    if key:
        for name, provider_id in mapping.items():
            if normalise_carrier_name(name) == key:
                provider = by_id.get(provider_id)
                if provider is not None or not providers:
                    return CarrierChoice(provider_id, provider.name if provider else "", "mapped")
                note = (f"Your mapping for {store_name!r} points to a shipping provider this TikTok shop no "
                        "longer offers. ")
                break
        suggestion = suggest_provider(store_name, providers, threshold=threshold)
        if suggestion is not None:
            provider, score = suggestion
            return CarrierChoice(provider.id, provider.name, "suggested",
                                 note + f"Matched {store_name!r} to {provider.name!r} by name ({score:.0%}).")
    what = f"{store_name!r}" if key else "a shipment without a carrier"
    if default_provider_id is not None:
        provider = by_id.get(default_provider_id)
        if provider is not None or not providers:
            name = provider.name if provider else ""
            return CarrierChoice(default_provider_id, name, "default",
                                 note + f"Used your default shipping provider for {what}.")
    if region and region.upper() in REGION_DEFAULT_CARRIERS:
        usual = REGION_DEFAULT_CARRIERS[region.upper()]
        for provider in providers:
            if normalise_carrier_name(provider.name) == normalise_carrier_name(usual):
                return CarrierChoice(provider.id, provider.name, "default",
                                     note + f"Used {provider.name}, the usual carrier in {region.upper()}, "
                                     f"for {what}.")
    raise ConfigError(
        note + f"No TikTok shipping provider matches {what}.",
        action="Map this carrier to a TikTok shipping provider, or choose a default provider, in settings.",
    )


_TRACKING_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "ups": (re.compile(r"1Z[0-9A-Z]{16}|T\d{10}|\d{9}|\d{12}|\d{18}|\d{22}|\d{26}"),
            "UPS tracking numbers look like 1Z followed by 16 letters or digits."),
    "usps": (re.compile(r"\d{20,22}|\d{26}|\d{30}|\d{34}|[A-Z]{2}\d{9}US"),
             "USPS tracking numbers have 20–22 digits (usually starting with 9) or look like EA123456789US."),
    "fedex": (re.compile(r"\d{12}|\d{14}|\d{15}|\d{20}|\d{22}|\d{34}"),
              "FedEx tracking numbers have 12, 15 or 20 digits."),
    "royal mail": (re.compile(r"[A-Z]{2}\d{9}GB"),
                   "Royal Mail tracking numbers look like AB123456789GB."),
    "parcelforce": (re.compile(r"[A-Z]{2}\d{7}|[A-Z]{2}\d{9}GB"),
                    "Parcelforce tracking numbers look like AB1234567 or AB123456789GB."),
    "dhl express": (re.compile(r"\d{10,11}|J{1,2}D\d{18,20}"),
                    "DHL Express waybill numbers have 10 digits."),
}


def check_tracking_number(provider_name: str, number: str) -> str | None:
    """Why `number` cannot be a tracking number of `provider_name`, in the merchant's words; None if fine/unknown.

    Only carriers with a published format are checked; spaces and dashes are ignored.
    """
    compact = re.sub(r"[\s\-]", "", number or "").upper()
    if not compact:
        return "The tracking number is empty."
    if not compact.isascii() or not compact.isalnum():
        return f"The tracking number {number!r} has characters other than letters and digits."
    rule = _TRACKING_FORMATS.get(normalise_carrier_name(provider_name))
    if rule is None:
        return None
    pattern, hint = rule
    if pattern.fullmatch(compact):
        return None
    return f"{number!r} is not a valid {carrier_display_name(provider_name)} tracking number. {hint}"
