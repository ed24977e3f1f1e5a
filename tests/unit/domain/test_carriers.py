"""Carrier mapping: normalised names, suggestions, the resolution order, region defaults, tracking formats."""

from __future__ import annotations

import csv

import pytest

from feedbridge.domain.carriers import (
    CarrierChoice,
    Provider,
    carrier_similarity,
    check_tracking_number,
    normalise_carrier_name,
    resolve_carrier,
    suggest_provider,
)
from feedbridge.errors import ConfigError
from feedbridge_sandbox.shared import shared_dir

SHARED = shared_dir()
US = [Provider("1", "USPS"), Provider("2", "UPS"), Provider("3", "FedEx"), Provider("4", "DHL eCommerce"),
      Provider("5", "OnTrac")]
UK = [Provider("11", "Royal Mail"), Provider("12", "Evri"), Provider("13", "DPD"), Provider("14", "Yodel"),
      Provider("15", "Parcelforce")]
SEA = [Provider("21", "J&T Express"), Provider("22", "Ninja Van"), Provider("23", "Flash Express"),
       Provider("24", "Kerry Express"), Provider("25", "GHN - Giao Hàng Nhanh"), Provider("26", "SPX Express"),
       Provider("27", "Pos Malaysia"), Provider("28", "JNE"), Provider("29", "LBC Express")]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UPS", "ups"), ("United Parcel Service", "ups"), ("  ups  ", "ups"),
        ("USPS", "usps"), ("US Postal Service", "usps"), ("U.S. Postal Service", "usps"),
        ("United States Postal Service", "usps"),
        ("FedEx", "fedex"), ("Federal Express", "fedex"), ("FedEx®", "fedex"), ("Fed-Ex", "fedex"),
        ("DHL Express", "dhl express"), ("DHL", "dhl express"), ("DHL eCommerce", "dhl ecommerce"),
        ("Royal Mail", "royal mail"), ("ROYAL-MAIL", "royal mail"),
        ("Evri", "evri"), ("Hermes", "evri"), ("myHermes UK", "evri"),
        ("DPD", "dpd"), ("DPD Local", "dpd"),
        ("J&T Express", "j&t express"), ("J&T", "j&t express"), ("J & T Express", "j&t express"),
        ("JT Express", "j&t express"),
        ("Ninja Van", "ninja van"), ("NinjaVan", "ninja van"),
        ("Kerry Express", "kerry express"), ("Flash Express", "flash express"),
        ("GHN", "ghn"), ("Giao Hàng Nhanh", "ghn"), ("giao hang nhanh", "ghn"),
        ("SPX", "spx"), ("Shopee Express", "spx"), ("SPX Express", "spx"),
        ("Pos Malaysia", "pos malaysia"), ("PosLaju", "pos malaysia"),
        ("JNE", "jne"), ("LBC", "lbc"), ("LBC Express", "lbc"),
        ("Acme Couriers Ltd.", "acme couriers ltd"),
    ],
)
def test_carrier_names_normalise_to_one_key(name: str, key: str):
    assert normalise_carrier_name(name) == key


def test_two_different_known_carriers_never_match_however_alike_the_spelling():
    assert carrier_similarity("USPS", "UPS") == 0.0
    assert carrier_similarity("DHL eCommerce", "DHL Express") == 0.0
    assert suggest_provider("USPS", [Provider("2", "UPS")]) is None


@pytest.mark.parametrize(
    ("store_name", "providers", "expected"),
    [
        ("UPS Ground", US, "UPS"),
        ("usps priority mail", US, "USPS"),
        ("Federal Express", US, "FedEx"),
        ("Hermes", UK, "Evri"),
        ("Royal Mail Tracked 48", UK, "Royal Mail"),
        ("DPD UK", UK, "DPD"),
        ("Parcel Force", UK, "Parcelforce"),
        ("J&T", SEA, "J&T Express"),
        ("Giao hang nhanh", SEA, "GHN - Giao Hàng Nhanh"),
        ("Shopee Express", SEA, "SPX Express"),
        ("Kerry", SEA, "Kerry Express"),
        ("LBC", SEA, "LBC Express"),
    ],
)
def test_suggestion_finds_the_tiktok_provider_for_a_store_carrier(
    store_name: str, providers: list[Provider], expected: str
):
    suggestion = suggest_provider(store_name, providers)
    assert suggestion is not None and suggestion[0].name == expected


@pytest.mark.parametrize("store_name", ["Yodel", "CND Express", "DD Express Courier", "Local pickup", ""])
def test_no_suggestion_for_carriers_the_shop_does_not_offer(store_name: str):
    assert suggest_provider(store_name, US) is None


def test_bigcommerce_carrier_list_never_suggests_a_different_known_carrier():
    path = SHARED / "specs/bigcommerce/tracking_carrier_values.csv"
    if not path.exists():
        pytest.skip("shared BigCommerce carrier list not present")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        names = [row[0] for row in csv.reader(fh)][1:]
    assert len(names) > 900
    providers = US + UK + SEA
    for name in names:
        suggestion = suggest_provider(name, providers)
        if suggestion is None:
            continue
        provider_key = normalise_carrier_name(suggestion[0].name)
        # a suggestion must share the carrier's distinctive first word ("UPS Freight" → UPS, "DPD Germany" → DPD)
        first = normalise_carrier_name(name).split()[0]
        assert first in provider_key or provider_key.split()[0] in normalise_carrier_name(name) or \
            normalise_carrier_name(name) == provider_key, (name, suggestion)


def test_an_explicit_mapping_wins_over_a_suggestion():
    choice = resolve_carrier("UPS", {"ups": "3"}, US, None)
    assert choice == CarrierChoice("3", "FedEx", "mapped")


def test_mapping_keys_match_after_normalising():
    assert resolve_carrier("United Parcel Service", {"UPS": "2"}, US, None).source == "mapped"


def test_a_mapping_to_a_provider_the_shop_no_longer_offers_falls_back_with_a_note():
    choice = resolve_carrier("UPS", {"UPS": "999"}, US, None)
    assert choice.source == "suggested" and choice.provider_id == "2" and "no longer offers" in choice.note


def test_suggestion_then_default_provider():
    assert resolve_carrier("UPS Ground", {}, US, "1").source == "suggested"
    choice = resolve_carrier("Bob's Van", {}, US, "1")
    assert (choice.provider_id, choice.source) == ("1", "default")
    assert "default" in choice.note


def test_a_shipment_without_a_carrier_uses_the_default():
    assert resolve_carrier("", {}, US, "3").provider_id == "3"


def test_uk_shops_fall_back_to_royal_mail_unless_a_default_is_chosen():
    assert resolve_carrier("Bob's Van", {}, UK, None, region="GB").provider_name == "Royal Mail"
    assert resolve_carrier("Bob's Van", {}, UK, "12", region="GB").provider_name == "Evri"


def test_us_shops_fall_back_to_usps_when_offered():
    assert resolve_carrier("Bob's Van", {}, US, None, region="US").provider_name == "USPS"


def test_nothing_to_go_on_is_a_config_error_that_says_what_to_map():
    with pytest.raises(ConfigError) as err:
        resolve_carrier("Bob's Van", {}, SEA, None, region="GB")
    assert "Bob's Van" in str(err.value) and "Map this carrier" in str(err.value)


@pytest.mark.parametrize(
    ("provider", "number"),
    [
        ("UPS", "1Z999AA10123456784"), ("United Parcel Service", "1z 999 aa1 01 2345 6784"),
        ("USPS", "9400 1000 0000 0000 0000 00"), ("USPS", "92055901755477000000000015"), ("USPS", "EA123456789US"),
        ("FedEx", "123456789012"), ("FedEx", "123456789012345"), ("FedEx", "12345678901234567890"),
        ("Royal Mail", "AB123456789GB"), ("DHL Express", "1234567890"),
        ("Evri", "anything-goes-123"), ("Some Local Courier", "X1"),
    ],
)
def test_valid_or_unknown_tracking_numbers_pass(provider: str, number: str):
    assert check_tracking_number(provider, number) is None


@pytest.mark.parametrize(
    ("provider", "number", "hint"),
    [
        ("UPS", "1Z999AA1012345678", "1Z"),
        ("USPS", "940010000000", "20–22 digits"),
        ("FedEx", "1234567890", "12, 15 or 20"),
        ("Royal Mail", "AB12345678GB", "AB123456789GB"),
        ("Royal Mail", "123456789", "AB123456789GB"),
        ("DHL", "12345", "10 digits"),
    ],
)
def test_clearly_invalid_tracking_numbers_say_why(provider: str, number: str, hint: str):
    reason = check_tracking_number(provider, number)
    assert reason is not None and hint in reason and number in reason


def test_empty_or_odd_tracking_numbers_are_rejected_for_any_carrier():
    assert check_tracking_number("Anything", "  ") == "The tracking number is empty."
    assert "letters and digits" in (check_tracking_number("Anything", "AB#12") or "")
