"""Category mapping, feedbridge-side: TikTok's tree cached per region, store products mapped to one leaf each.

One direction: TikTok's tree is read from TikTok; mappings are the merchant's and live only in feedbridge.
A product already listed on TikTok keeps its category (TikTok locks it): re-mapping it is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from feedbridge.db.models import (
    AttributeDefault,
    CategoryMapping,
    Listing,
    StoreFeed,
    StoreProduct,
    TikTokCategory,
    TikTokShop,
    utcnow,
)
from feedbridge.db.session import transaction
from feedbridge.domain.marketplace import CategoryRules, MarketplaceAttribute, MarketplaceCategory
from feedbridge.errors import ConfigError, DataError
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import marketplace_for
from feedbridge.tiktok.regions import region as region_info

TREE_MAX_AGE = timedelta(days=1)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"and", "the", "for", "with", "of", "in", "a", "an", "to", "s", "men", "women"}


def _version(shop: TikTokShop) -> str:
    return region_info(shop.region).category_version


def _paths(categories: list[MarketplaceCategory]) -> dict[str, str]:
    by_id = {c.id: c for c in categories}
    paths: dict[str, str] = {}
    for category in categories:
        names: list[str] = []
        node: MarketplaceCategory | None = category
        guard = 0
        while node is not None and guard < 12:
            names.append(node.name)
            node = by_id.get(node.parent_id)
            guard += 1
        paths[category.id] = " > ".join(reversed(names))
    return paths


async def refresh_categories(runtime: Runtime, shop_row_id: int, *, force: bool = False) -> int:
    """Cache the shop's region tree (refreshed daily); returns how many categories are cached."""
    with runtime.sessions() as session:
        shop = session.get(TikTokShop, shop_row_id)
        assert shop is not None
        version = _version(shop)
        newest = session.scalar(select(func.max(TikTokCategory.fetched_at)).where(
            TikTokCategory.region == shop.region, TikTokCategory.version == version))
        if newest is not None and not force and newest > utcnow() - TREE_MAX_AGE:
            return int(session.scalar(select(func.count()).select_from(TikTokCategory).where(
                TikTokCategory.region == shop.region, TikTokCategory.version == version)) or 0)
    market = marketplace_for(runtime, shop)
    try:
        categories = await market.categories()
    finally:
        await market.aclose()
    paths = _paths(categories)
    with transaction(runtime.sessions) as session:
        existing = {c.category_id: c for c in session.scalars(select(TikTokCategory).where(
            TikTokCategory.region == shop.region, TikTokCategory.version == version))}
        for category in categories:
            row = existing.get(category.id)
            if row is None:
                row = TikTokCategory(region=shop.region, version=version, category_id=category.id)
                session.add(row)
            row.parent_id, row.name, row.is_leaf = category.parent_id, category.name, category.is_leaf
            row.path, row.fetched_at = paths[category.id], utcnow()
    return len(categories)


def find_category(session: Session, shop: TikTokShop, category_id: str) -> TikTokCategory | None:
    return session.scalars(select(TikTokCategory).where(
        TikTokCategory.region == shop.region, TikTokCategory.version == _version(shop),
        TikTokCategory.category_id == category_id)).first()


def search_leaf_categories(session: Session, shop: TikTokShop, text: str, limit: int = 20) -> list[TikTokCategory]:
    """Leaf categories whose path contains every word of `text` (for the mapping picker)."""
    query = select(TikTokCategory).where(TikTokCategory.region == shop.region,
                                         TikTokCategory.version == _version(shop), TikTokCategory.is_leaf.is_(True))
    for word in _WORD.findall(text.lower()):
        query = query.where(func.lower(TikTokCategory.path).contains(word))
    return list(session.scalars(query.order_by(TikTokCategory.path).limit(limit)))


def _words(text: str) -> set[str]:
    words = {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}
    return words | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}


def local_suggestion(session: Session, shop: TikTokShop, title: str, hints: list[str]) -> TikTokCategory | None:
    """Our own match when TikTok suggests nothing: the leaf whose path shares the most words with the product."""
    wanted = Counter(_words(title))
    for hint in hints:
        for word in _words(hint):
            wanted[word] += 2
    if not wanted:
        return None
    best: tuple[float, TikTokCategory | None] = (0.0, None)
    leaves = session.scalars(select(TikTokCategory).where(
        TikTokCategory.region == shop.region, TikTokCategory.version == _version(shop),
        TikTokCategory.is_leaf.is_(True)))
    for leaf in leaves:
        name_words = _words(leaf.name)
        path_words = _words(leaf.path)
        score = sum(wanted[w] * 2 for w in name_words) + sum(wanted[w] for w in path_words - name_words)
        if score > best[0]:
            best = (score, leaf)
    return best[1]


@dataclass(frozen=True, slots=True)
class Suggestion:
    category_id: str
    name: str
    path: str
    source: str  # "tiktok" | "feedbridge"


async def suggest_category(runtime: Runtime, feed_id: int, product_id: str) -> Suggestion | None:
    """TikTok's recommendation for a product, falling back to our match on title and store categories."""
    with runtime.sessions() as session:
        feed = session.get(StoreFeed, feed_id)
        assert feed is not None
        shop = session.get(TikTokShop, feed.tiktok_shop_id)
        product = session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.product_id == product_id)).first()
        if shop is None or product is None:
            return None
    market = marketplace_for(runtime, shop)
    try:
        leaf_id = await market.recommend_category(product.title)
    except Exception:  # a suggestion is a convenience: fall back to our own match
        leaf_id = None
    finally:
        await market.aclose()
    with runtime.sessions() as session:
        if leaf_id:
            row = find_category(session, shop, leaf_id)
            if row is not None:
                return Suggestion(row.category_id, row.name, row.path, "tiktok")
        hints = [str(product.data.get("product_type", ""))] + [str(t) for t in product.data.get("tags", [])][:5]
        local = local_suggestion(session, shop, product.title, hints)
        if local is not None:
            return Suggestion(local.category_id, local.name, local.path, "feedbridge")
    return None


def _listed(session: Session, feed_id: int, product_ids: list[str]) -> list[Listing]:
    return list(session.scalars(select(Listing).where(
        Listing.feed_id == feed_id, Listing.store_product_id.in_(product_ids), Listing.tiktok_product_id != "")))


def set_mapping(session: Session, feed: StoreFeed, shop: TikTokShop, scope: str, store_ref: str,
                category_id: str, *, source: str = "merchant") -> CategoryMapping:
    """Map a store category (scope "store_category") or one product (scope "product") to a TikTok leaf."""
    if scope not in ("store_category", "product"):
        raise DataError(f"Unknown mapping scope {scope!r}.", field="scope")
    category = find_category(session, shop, category_id)
    if category is None:
        raise DataError(f"TikTok category {category_id} is not in the {shop.region} category tree.",
                        field="tiktok_category_id", action="Pick a category from the list.")
    if not category.is_leaf:
        raise DataError(f"{category.path} is not a leaf category; TikTok only accepts products in leaf categories.",
                        field="tiktok_category_id", action="Pick a more specific category.")
    if scope == "product":
        listed = _listed(session, feed.id, [store_ref])
        if listed and listed[0].tiktok_category_id and listed[0].tiktok_category_id != category_id:
            raise ConfigError(
                "This product is already listed on TikTok, which locks its category; it cannot be re-mapped.",
                action="To move it, delete the listing on TikTok, then map and sync it again.")
    mapping = session.scalars(select(CategoryMapping).where(
        CategoryMapping.feed_id == feed.id, CategoryMapping.scope == scope,
        CategoryMapping.store_ref == store_ref)).first()
    if mapping is None:
        mapping = CategoryMapping(merchant_id=feed.merchant_id, feed_id=feed.id, scope=scope, store_ref=store_ref,
                                  tiktok_category_id=category_id)
        session.add(mapping)
    mapping.tiktok_category_id, mapping.tiktok_category_name, mapping.source = category_id, category.path, source
    session.flush()
    return mapping


def remove_mapping(session: Session, feed: StoreFeed, mapping_id: int) -> None:
    """Remove a mapping; refused for a product already listed (its category is locked on TikTok)."""
    mapping = session.scalars(select(CategoryMapping).where(
        CategoryMapping.id == mapping_id, CategoryMapping.feed_id == feed.id)).first()
    if mapping is None:
        raise DataError("No such mapping.", field="mapping_id")
    if mapping.scope == "product" and _listed(session, feed.id, [mapping.store_ref]):
        raise ConfigError("This product is already listed on TikTok; its category cannot be removed.",
                          action="Delete the listing on TikTok first if you want to list it differently.")
    session.delete(mapping)


def category_for(session: Session, feed: StoreFeed, product: StoreProduct) -> CategoryMapping | None:
    """The mapping that applies to a product: its own first, then its store categories'."""
    own = session.scalars(select(CategoryMapping).where(
        CategoryMapping.feed_id == feed.id, CategoryMapping.scope == "product",
        CategoryMapping.store_ref == product.product_id)).first()
    if own is not None:
        return own
    for category_id in product.category_ids or []:
        mapping = session.scalars(select(CategoryMapping).where(
            CategoryMapping.feed_id == feed.id, CategoryMapping.scope == "store_category",
            CategoryMapping.store_ref == str(category_id))).first()
        if mapping is not None:
            return mapping
    return None


def mapping_counts(session: Session, feed: StoreFeed) -> list[tuple[str, str, int]]:
    """Each TikTok category in use with how many store products map to it: (id, path, count)."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for product in session.scalars(select(StoreProduct).where(
            StoreProduct.store_connection_id == feed.store_connection_id, StoreProduct.deleted.is_(False))):
        mapping = category_for(session, feed, product)
        if mapping is not None:
            counts[mapping.tiktok_category_id] += 1
            names[mapping.tiktok_category_id] = mapping.tiktok_category_name
    for mapping in session.scalars(select(CategoryMapping).where(CategoryMapping.feed_id == feed.id)):
        names.setdefault(mapping.tiktok_category_id, mapping.tiktok_category_name)
        counts.setdefault(mapping.tiktok_category_id, 0)
    return sorted(((cid, names[cid], n) for cid, n in counts.items()), key=lambda r: r[1])


async def category_requirements(runtime: Runtime, shop: TikTokShop, category_id: str
                                ) -> tuple[CategoryRules, list[MarketplaceAttribute]]:
    """Rules and attributes of a leaf, cached on the category row after the first read."""
    from feedbridge.domain.marketplace import AttributeValue

    with runtime.sessions() as session:
        row = find_category(session, shop, category_id)
        if row is not None and row.rules is not None and row.attributes is not None:
            rules = CategoryRules(package_dimensions_required=bool(row.rules["package_dimensions_required"]),
                                  size_chart_required=bool(row.rules["size_chart_required"]),
                                  certifications=tuple(row.rules["certifications"]))
            attrs = [MarketplaceAttribute(**{**a, "values": tuple(AttributeValue(**v) for v in a["values"])})
                     for a in row.attributes]
            return rules, attrs
    market = marketplace_for(runtime, shop)
    try:
        rules = await market.category_rules(category_id)
        attrs = await market.attributes(category_id)
    finally:
        await market.aclose()
    with transaction(runtime.sessions) as session:
        row = find_category(session, shop, category_id)
        if row is not None:
            row.rules = {"package_dimensions_required": rules.package_dimensions_required,
                         "size_chart_required": rules.size_chart_required,
                         "certifications": list(rules.certifications)}
            row.attributes = [{"id": a.id, "name": a.name, "sales": a.sales, "required": a.required,
                               "customizable": a.customizable, "multiple": a.multiple,
                               "values": [{"id": v.id, "name": v.name} for v in a.values]} for a in attrs]
    return rules, attrs


def attribute_defaults(session: Session, feed: StoreFeed, category_id: str) -> dict[str, list[str]]:
    """The merchant's defaults for this category (category-specific ones win over feed-wide ones)."""
    rows = session.scalars(select(AttributeDefault).where(
        AttributeDefault.feed_id == feed.id, AttributeDefault.tiktok_category_id.in_(("", category_id))))
    values: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: r.tiktok_category_id != ""):
        values[row.attribute_id] = [str(v) for v in row.values]
    return values


def set_attribute_default(session: Session, feed: StoreFeed, attribute_id: str, values: list[str], *,
                          category_id: str = "", name: str = "") -> None:
    """Set (or clear, with no values) a default value for a TikTok attribute."""
    session.execute(delete(AttributeDefault).where(
        AttributeDefault.feed_id == feed.id, AttributeDefault.tiktok_category_id == category_id,
        AttributeDefault.attribute_id == attribute_id))
    if values:
        session.add(AttributeDefault(merchant_id=feed.merchant_id, feed_id=feed.id, tiktok_category_id=category_id,
                                     attribute_id=attribute_id, attribute_name=name, values=values))
