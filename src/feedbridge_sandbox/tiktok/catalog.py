"""Catalog reference data the sandbox serves: categories, attributes, rules, brands, logistics.

Everything is generated deterministically from `taxonomy.TREE`, so ids are stable between runs and tests.
Non-US markets use the 3-level `v1` tree; US uses `v2` (same names, its own ids), as TikTok requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from feedbridge_sandbox.tiktok.regions import REGIONS, Region
from feedbridge_sandbox.tiktok.taxonomy import parse_tree


@dataclass(frozen=True)
class Category:
    """One node of a category tree."""

    id: str
    parent_id: str
    local_name: str
    is_leaf: bool
    level: int
    top: str
    middle: str = ""
    permission_statuses: tuple[str, ...] = ("AVAILABLE",)

    def as_api(self) -> dict[str, Any]:
        """As the API shows it."""
        return {"id": self.id, "parent_id": self.parent_id, "local_name": self.local_name,
                "is_leaf": self.is_leaf, "permission_statuses": list(self.permission_statuses)}


@dataclass(frozen=True)
class Attribute:
    """A sales (variant) or product attribute of a leaf category."""

    id: str
    name: str
    type: str                      # SALES_PROPERTY / PRODUCT_PROPERTY
    values: tuple[str, ...]
    required: bool = False
    customizable: bool = True
    multiple: bool = False

    def value_id(self, index: int) -> str:
        """The id of the value at `index`."""
        return f"{self.id}{index + 1:03d}"

    def as_api(self) -> dict[str, Any]:
        """As the API shows it."""
        return {"id": self.id, "name": self.name, "type": self.type, "is_requried": self.required,
                "values": [{"id": self.value_id(i), "name": v} for i, v in enumerate(self.values)],
                "is_customizable": self.customizable, "is_multiple_selection": self.multiple,
                "requirement_conditions": [], "value_data_format": "ALL"}


@dataclass(frozen=True)
class Certification:
    """A certification a category may require."""
    id: str
    name: str
    required: bool


@dataclass(frozen=True)
class Rules:
    """Category rules for one leaf in one region."""

    certifications: tuple[Certification, ...] = ()
    size_chart_supported: bool = False
    size_chart_required: bool = False
    cod_supported: bool = False
    dimensions_required: bool = True

    def as_api(self) -> dict[str, Any]:
        """As the API shows it."""
        return {
            "product_certifications": [
                {"id": c.id, "name": c.name, "is_required": c.required, "sample_image_url": "",
                 "document_details": f"Upload the {c.name} issued for this product.",
                 "requirement_conditions": [], "expiration_date": {"is_required": False}}
                for c in self.certifications],
            "size_chart": {"is_supported": self.size_chart_supported, "is_required": self.size_chart_required},
            "cod": {"is_supported": self.cod_supported},
            "package_dimension": {"is_required": self.dimensions_required},
            "epr": {"is_required": False},
            "responsible_person": {"is_required": False},
            "manufacturer": {"is_required": False},
        }


COLOR = Attribute("100000", "Color", "SALES_PROPERTY", (
    "Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Pink", "Yellow", "Brown", "Beige", "Multicolor"))
SIZE = Attribute("100007", "Size", "SALES_PROPERTY", ("XS", "S", "M", "L", "XL", "XXL", "One Size"))
SHOE_SIZE = Attribute("100008", "Shoe Size", "SALES_PROPERTY", tuple(str(n) for n in range(4, 14)))
SPECIFICATION = Attribute("100009", "Specification", "SALES_PROPERTY", ("Small", "Medium", "Large", "Standard"))
MATERIAL = Attribute("100157", "Material", "PRODUCT_PROPERTY", (
    "Cotton", "Polyester", "Wool", "Silk", "Leather", "Denim", "Linen", "Nylon", "Wood", "Metal", "Ceramic",
    "Glass", "Plastic", "Other"), required=True, multiple=True)
PATTERN = Attribute("100198", "Pattern", "PRODUCT_PROPERTY", ("Solid", "Striped", "Floral", "Plaid", "Graphic"))
SEASON = Attribute("100200", "Season", "PRODUCT_PROPERTY", ("Spring", "Summer", "Autumn", "Winter", "All Seasons"),
                   multiple=True)
OCCASION = Attribute("100392", "Occasion", "PRODUCT_PROPERTY", ("Birthday", "Casual", "Party", "Work", "Wedding"),
                     multiple=True)
UPPER_MATERIAL = Attribute("100410", "Upper Material", "PRODUCT_PROPERTY", (
    "Leather", "Canvas", "Mesh", "Suede", "Synthetic"), required=True)
ROOM_TYPE = Attribute("100501", "Room Type", "PRODUCT_PROPERTY", (
    "Living Room", "Bedroom", "Kitchen", "Bathroom", "Garden", "Office"), multiple=True)
ASSEMBLY = Attribute("100502", "Assembly Required", "PRODUCT_PROPERTY", ("Yes", "No"), required=True,
                     customizable=False)
WARRANTY = Attribute("100601", "Warranty Type", "PRODUCT_PROPERTY", (
    "No Warranty", "Manufacturer Warranty", "Seller Warranty"), required=True, customizable=False)
POWER = Attribute("100602", "Power Source", "PRODUCT_PROPERTY", ("Battery", "USB", "Mains", "Solar"))
SKIN_TYPE = Attribute("100701", "Skin Type", "PRODUCT_PROPERTY", ("All", "Dry", "Oily", "Combination",
                                                                  "Sensitive"), multiple=True)
INGREDIENTS = Attribute("100702", "Ingredients", "PRODUCT_PROPERTY", ())
AGE_RANGE = Attribute("100801", "Age Range", "PRODUCT_PROPERTY", (
    "0-12 months", "1-3 years", "3-6 years", "6-12 years", "12+ years"), required=True, customizable=False)
SHELF_LIFE = Attribute("100901", "Shelf Life", "PRODUCT_PROPERTY", ("3 months", "6 months", "12 months",
                                                                    "24 months"), required=True)
ORIGIN = Attribute("101395", "Country of Origin", "PRODUCT_PROPERTY", (
    "China", "United States", "United Kingdom", "Vietnam", "Thailand", "Malaysia", "Indonesia", "Philippines",
    "Singapore", "India", "Turkey", "Other"))
ORIGIN_REQUIRED = Attribute(ORIGIN.id, ORIGIN.name, ORIGIN.type, ORIGIN.values, required=True)

APPAREL = (COLOR, SIZE, MATERIAL, PATTERN, SEASON, OCCASION, ORIGIN)
FAMILY_ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "Womenswear & Underwear": APPAREL,
    "Menswear & Underwear": APPAREL,
    "Shoes": (COLOR, SHOE_SIZE, UPPER_MATERIAL, SEASON, ORIGIN),
    "Luggage & Bags": (COLOR, SPECIFICATION, MATERIAL, ORIGIN),
    "Fashion Accessories": (COLOR, SPECIFICATION, MATERIAL, OCCASION, ORIGIN),
    "Home Supplies": (COLOR, SPECIFICATION, MATERIAL, ROOM_TYPE, ORIGIN),
    "Furniture": (COLOR, SPECIFICATION, MATERIAL, ASSEMBLY, ROOM_TYPE, ORIGIN),
    "Kitchenware": (COLOR, SPECIFICATION, MATERIAL, ORIGIN),
    "Home Improvement": (COLOR, SPECIFICATION, MATERIAL, POWER, ORIGIN),
    "Beauty & Personal Care": (SPECIFICATION, SKIN_TYPE, INGREDIENTS, ORIGIN_REQUIRED),
    "Phones & Electronics": (COLOR, SPECIFICATION, WARRANTY, POWER, ORIGIN),
    "Computers & Office Equipment": (COLOR, SPECIFICATION, WARRANTY, ORIGIN),
    "Sports & Outdoor": (COLOR, SIZE, MATERIAL, SEASON, ORIGIN),
    "Toys & Hobbies": (COLOR, SPECIFICATION, AGE_RANGE, MATERIAL, ORIGIN),
    "Baby & Maternity": (COLOR, SIZE, AGE_RANGE, MATERIAL, ORIGIN),
    "Pet Supplies": (COLOR, SIZE, MATERIAL, ORIGIN),
    "Food & Beverages": (SPECIFICATION, SHELF_LIFE, INGREDIENTS, ORIGIN_REQUIRED),
    "Health": (SPECIFICATION, SHELF_LIFE, INGREDIENTS, ORIGIN_REQUIRED),
    "Automotive & Motorcycle": (COLOR, SPECIFICATION, WARRANTY, ORIGIN),
    "Books, Magazines & Audio": (SPECIFICATION, ORIGIN),
}
SIZE_CHART_FAMILIES = frozenset({"Womenswear & Underwear", "Menswear & Underwear", "Shoes", "Sports & Outdoor"})
SAFETY_CERTIFICATE = {"US": "Children's Product Certificate (CPC)", "GB": "UKCA / CE Toy Safety Declaration"}
COSMETIC_CERTIFICATE = {"US": "Cosmetic Product Listing (MoCRA)", "GB": "SCPN Cosmetic Notification",
                        "ID": "BPOM Registration", "TH": "Thai FDA Notification", "VN": "Cosmetic Product Notice",
                        "MY": "NPRA Notification", "PH": "FDA Philippines Certificate", "SG": "HSA Notification"}
INVITE_ONLY_FAMILIES = frozenset({"Food & Beverages", "Health"})
PROHIBITED: dict[str, frozenset[str]] = {"CN": frozenset({"Health", "Food & Beverages"}),
                                         "ID": frozenset({"Books, Magazines & Audio"})}


def version_for(region: Region) -> str:
    """The category tree version a market uses (US: v2, others: v1)."""
    return region.category_version


@dataclass
class CategoryTree:
    """All categories of one (region, version), indexed by id."""

    region: str
    version: str
    categories: list[Category] = field(default_factory=list)
    by_id: dict[str, Category] = field(default_factory=dict)

    def chain(self, category_id: str) -> list[Category]:
        """The category and its ancestors, leaf first (as Get Product's category_chains lists them)."""
        out = []
        current = self.by_id.get(category_id)
        while current is not None:
            out.append(current)
            current = self.by_id.get(current.parent_id)
        return out


@cache
def category_tree(region_code: str, version: str) -> CategoryTree:
    """The tree for a region and version; ids are the same in every region of a version."""
    start = 900001 if version == "v2" else 600001
    counter = iter(range(start, start + 100000))
    tree = CategoryTree(region_code, version)
    tops: dict[str, Category] = {}
    prohibited = PROHIBITED.get(region_code, frozenset())

    def add(category: Category) -> None:
        tree.categories.append(category)
        tree.by_id[category.id] = category

    for top, middle, leaves in parse_tree():
        if top not in tops:
            tops[top] = Category(str(next(counter)), "0", top, False, 1, top)
            add(tops[top])
        parent = Category(str(next(counter)), tops[top].id, middle, False, 2, top, middle)
        add(parent)
        for leaf in leaves:
            if top in prohibited:
                statuses: tuple[str, ...] = ("PROHIBITED",)
            elif top in INVITE_ONLY_FAMILIES:
                statuses = ("INVITE_ONLY",)
            else:
                statuses = ("AVAILABLE",)
            add(Category(str(next(counter)), parent.id, leaf, True, 3, top, middle, statuses))
    return tree


def find_category(category_id: str) -> tuple[str, Category] | None:
    """(version, category) for an id in either version; None when no tree has it."""
    for version in ("v1", "v2"):
        found = category_tree("US", version).by_id.get(category_id)
        if found:
            return version, found
    return None


def attributes_for(category: Category) -> tuple[Attribute, ...]:
    """The attributes of a leaf category (by its top-level family)."""
    return FAMILY_ATTRIBUTES.get(category.top, (COLOR, SPECIFICATION, ORIGIN))


def rules_for(category: Category, region: Region) -> Rules:
    """Get Category Rules for a leaf in a market."""
    certs: list[Certification] = []
    if category.top == "Toys & Hobbies" or category.middle == "Baby Care":
        certs.append(Certification("602001", SAFETY_CERTIFICATE.get(region.code, "Toy Safety Certificate"), True))
    if category.top == "Beauty & Personal Care" and category.middle in ("Makeup", "Skincare"):
        certs.append(Certification("602101", COSMETIC_CERTIFICATE.get(region.code, "Cosmetic Notification"),
                                   True))
    if category.top == "Phones & Electronics":
        certs.append(Certification("602201", "FCC Declaration" if region.code == "US" else "CE / UKCA Marking",
                                   False))
    return Rules(tuple(certs), category.top in SIZE_CHART_FAMILIES, False,
                 region.code in ("VN", "TH", "MY", "ID", "PH"), not region.dimensions_optional)


# Title words that point to a leaf even when the leaf name does not contain them.
SYNONYMS = {
    "shirt": "Blouses & Shirts", "blouse": "Blouses & Shirts", "tee": "T-shirts", "top": "T-shirts",
    "jumper": "Sweaters", "pullover": "Sweaters", "jacket": "Leather Jackets", "coat": "Trench Coats",
    "varsity": "Varsity Jackets", "bag": "Handbags", "pot": "Plant Pots", "planter": "Plant Pots",
    "light": "Pendant Lights", "lamp": "Table Lamps", "sofa": "Sofas", "couch": "Sofas",
    "drawers": "Chests of Drawers", "drawer": "Chests of Drawers", "bed": "Duvet Covers",
    "armchair": "Armchairs", "table": "Garden Tables", "pillow": "Pillows", "cushion": "Pillows",
    "watering": "Watering Cans", "trowel": "Garden Tools", "mug": "Mugs", "tea": "Teas",
}
STOP_WORDS = frozenset({"and", "the", "with", "for", "of", "a", "in", "&"})


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS]


def _stem(word: str) -> str:
    """Singular form, roughly: dresses -> dress, shirts -> shirt, glass stays glass."""
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def recommend(tree: CategoryTree, title: str) -> Category | None:
    """The best leaf for a product title (word overlap with leaf and parent names, plus synonyms)."""
    words = set(_words(title))
    hinted = {SYNONYMS[w] for w in words if w in SYNONYMS} | {SYNONYMS[w + "s"] for w in words
                                                              if w + "s" in SYNONYMS}
    women = bool(words & {"women", "womens", "woman", "ladie", "ladies"})
    men = bool(words & {"men", "mens", "man"}) and not women
    best, best_score = None, 0.0
    for category in tree.categories:
        if not category.is_leaf or "PROHIBITED" in category.permission_statuses:
            continue
        leaf_words = set(_words(category.local_name))
        score = 2.0 * len(words & leaf_words) + 0.5 * len(words & set(_words(category.middle)))
        if category.local_name in hinted:
            score += 1.5
        if score and women and category.top.startswith("Women"):
            score += 1.0
        if score and men and category.top.startswith("Men"):
            score += 1.0
        if score > best_score:
            best, best_score = category, score
    return best


BRANDS = (("Partners Demo", "AUTHORIZED", False), ("Sandbox Basics", "AUTHORIZED", False),
          ("Oak & Ember", "AUTHORIZED", False), ("Northwind", "UNAUTHORIZED", False),
          ("Nike", "UNAUTHORIZED", True), ("Apple", "UNAUTHORIZED", True), ("Samsung", "UNAUTHORIZED", True),
          ("Levi's", "UNAUTHORIZED", True), ("IKEA", "UNAUTHORIZED", True), ("Teas", "AUTHORIZED", True))


def brand_id(index: int) -> str:
    """The stable id of the brand at `index` of BRANDS."""
    return f"7082427311584{index + 347905:06d}"


# Carriers a seller can ship with, per market (the SEND_BY_SELLER delivery option's shipping providers).
SHIPPING_PROVIDERS: dict[str, tuple[str, ...]] = {
    "US": ("USPS", "UPS", "FedEx", "DHL eCommerce", "OnTrac", "LaserShip", "Amazon Logistics"),
    "GB": ("Royal Mail", "Evri", "DPD", "Parcelforce Worldwide", "Yodel", "DHL Parcel UK"),
    "SG": ("Ninja Van", "J&T Express", "SingPost", "Qxpress", "Pickupp"),
    "VN": ("Giao Hang Nhanh", "Giao Hang Tiet Kiem", "J&T Express", "Viettel Post", "Ninja Van"),
    "TH": ("Kerry Express", "Flash Express", "J&T Express", "Thailand Post", "Ninja Van"),
    "MY": ("Pos Laju", "J&T Express", "Ninja Van", "DHL eCommerce", "City-Link Express"),
    "ID": ("J&T Express", "JNE", "SiCepat", "AnterAja", "Ninja Xpress"),
    "PH": ("J&T Express", "Ninja Van", "LBC Express", "Flash Express", "2GO Express"),
    "CN": ("YunExpress", "4PX", "Yanwen", "SF Express", "China Post"),
}


def provider_id(region_code: str, index: int) -> str:
    """The stable id of a market's shipping provider at `index`."""
    base = list(REGIONS).index(region_code) * 100
    return f"71178588580720{base + index + 16686:05d}"


def shipping_providers(region_code: str) -> list[dict[str, str]]:
    """The carriers of a market's seller-shipped delivery option."""
    return [{"id": provider_id(region_code, i), "name": name}
            for i, name in enumerate(SHIPPING_PROVIDERS[region_code])]


def delivery_options(region: Region) -> list[dict[str, Any]]:
    """The delivery options of a warehouse: TikTok-shipped standard and express, and seller-shipped."""
    base = list(REGIONS).index(region.code) * 10
    metric = "INCH" if region.code == "US" else "CENTIMETER"
    weight = "POUND" if region.code == "US" else "KILOGRAM"
    rows = [("Standard Shipping", "STANDARD", base + 1), ("Express Shipping", "EXPRESS", base + 2),
            ("Shipped by seller", "SEND_BY_SELLER", base + 3)]
    return [{"id": f"69550346151280{n:05d}", "name": name, "type": kind, "description": name,
             "dimension_limit": {"max_height": 100, "max_length": 100, "max_width": 100, "unit": metric},
             "weight_limit": {"max_weight": 70 if weight == "POUND" else 30, "min_weight": 0, "unit": weight},
             "platform": ["TIKTOK_SHOP"]} for name, kind, n in rows]


def seller_delivery_option(region: Region) -> dict[str, Any]:
    """The SEND_BY_SELLER delivery option of a market."""
    return next(o for o in delivery_options(region) if o["type"] == "SEND_BY_SELLER")
