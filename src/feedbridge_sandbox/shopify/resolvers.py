"""Field resolvers for the queries and object fields the sandbox serves.

`resolve_field` is graphql-core's field resolver: a registered resolver for "Type.field" wins; otherwise the value
is read from a dict key or an attribute of the same name. Datetimes and Decimals are turned into Shopify's
string forms on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from feedbridge_sandbox.shopify import search
from feedbridge_sandbox.shopify.connections import connection, limited
from feedbridge_sandbox.shopify.state import (
    Collection,
    Fulfillment,
    FulfillmentOrder,
    LineItem,
    Order,
    Product,
    ShopState,
    Variant,
    gid,
    gid_number,
    iso,
)

Resolver = Callable[..., Any]
RESOLVERS: dict[str, Resolver] = {}


def resolver(*names: str) -> Callable[[Resolver], Resolver]:
    def register(fn: Resolver) -> Resolver:
        for name in names:
            RESOLVERS[name] = fn
        return fn

    return register


def state_of(info: GraphQLResolveInfo) -> ShopState:
    state: ShopState = info.context.state
    return state


def out(value: Any) -> Any:
    """Shopify's wire forms for values graphql-core would not serialise."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    return value


def decimal_text(value: Decimal) -> str:
    """Decimal scalars come back without trailing zeros but with one decimal ("42.5", "5.0")."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def money_text(value: Decimal | None) -> str | None:
    """Money scalars (variant prices) come back with two decimals ("19.99", "0.00")."""
    return None if value is None else f"{value:.2f}"


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    money = {"amount": decimal_text(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """graphql-core field resolver: registered resolver, else dict key / attribute."""
    fn = RESOLVERS.get(f"{info.parent_type.name}.{info.field_name}")
    if fn is not None:
        return out(fn(source, info, **args))
    if info.field_name == "legacyResourceId" and hasattr(source, "number"):
        return str(source.number)
    if info.field_name == "__typename":
        return info.parent_type.name
    value = source.get(info.field_name) if isinstance(source, dict) else getattr(source, info.field_name, None)
    if callable(value):
        value = value(info, **args)
    return out(value)


def resolve_type(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str | None:
    """Concrete type of an interface or union value (Node, Media, ...)."""
    if isinstance(value, dict):
        name = value.get("__typename")
        return str(name) if name else None
    return getattr(value, "typename", None)


# ---- query root ---------------------------------------------------------------------------------------------

@resolver("QueryRoot.shop")
def shop(_: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    state = state_of(info)
    return {
        "__typename": "Shop", "id": gid("Shop", 1), "name": state.name, "email": "owner@example.com",
        "currencyCode": state.currency, "weightUnit": "KILOGRAMS", "ianaTimezone": "America/New_York",
        "timezoneAbbreviation": "EST", "myshopifyDomain": state.domain,
        "primaryDomain": {"id": gid("Domain", 1), "host": state.domain, "url": f"https://{state.domain}",
                          "sslEnabled": True},
        "currencyFormats": None,
    }


@resolver("QueryRoot.locations")
def locations(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    items = sorted(state.locations.values(), key=lambda loc: loc.number)
    if not args.get("includeInactive"):
        items = [loc for loc in items if loc.isActive]
    return connection(items, args)


@resolver("QueryRoot.location")
def location(_: Any, info: GraphQLResolveInfo, id: str | None = None, **args: Any) -> Any:
    state = state_of(info)
    if id is None:
        return next(iter(state.locations.values()), None)
    return state.locations.get(gid_number(id) or -1)


PRODUCT_FIELDS: dict[str, Callable[[Product], Any]] = {
    "default": lambda p: p.title,
    "title": lambda p: p.title,
    "id": lambda p: p.number,
    "updated_at": lambda p: p.updatedAt,
    "created_at": lambda p: p.createdAt,
    "handle": lambda p: p.handle,
    "vendor": lambda p: p.vendor,
    "product_type": lambda p: p.productType,
    "status": lambda p: p.status.lower(),
    "tag": lambda p: p.tags,
    "sku": lambda p: [v.sku for v in p.variants if v.sku],
    "variant_id": lambda p: [v.number for v in p.variants],
}


def _sort_key(sort_key: str | None) -> Callable[[Any], Any]:
    if sort_key == "UPDATED_AT":
        return lambda item: item.updatedAt
    if sort_key == "CREATED_AT":
        return lambda item: item.createdAt
    if sort_key == "TITLE":
        return lambda item: item.title.lower()
    return lambda item: item.number


@resolver("QueryRoot.products")
def products(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    terms = search.parse_query(args.get("query"))
    items = [p for p in state.products.values() if search.matches(p, terms, PRODUCT_FIELDS)]
    value = _sort_key(args.get("sortKey"))
    items.sort(key=lambda p: (value(p), p.number))
    return connection(items, args, sort_value=value)


@resolver("QueryRoot.product")
def product(_: Any, info: GraphQLResolveInfo, id: str) -> Product | None:
    if "/Product/" not in id:
        return None
    return state_of(info).products.get(gid_number(id) or -1)


@resolver("QueryRoot.productVariant")
def product_variant(_: Any, info: GraphQLResolveInfo, id: str) -> Variant | None:
    if "/ProductVariant/" not in id:
        return None
    return state_of(info).variants.get(gid_number(id) or -1)


@resolver("QueryRoot.productVariants")
def product_variants(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    fields: dict[str, Callable[[Variant], Any]] = {
        "sku": lambda v: v.sku, "product_id": lambda v: v.product_number, "id": lambda v: v.number,
        "updated_at": lambda v: v.updatedAt, "default": lambda v: v.title,
    }
    terms = search.parse_query(args.get("query"))
    items = sorted((v for v in state.variants.values() if search.matches(v, terms, fields)),
                   key=lambda v: v.number)
    return connection(items, args)


@resolver("QueryRoot.inventoryItem")
def inventory_item(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    if "/InventoryItem/" not in id:
        return None
    variant = state_of(info).inventory_items.get(gid_number(id) or -1)
    return inventory_item_view(variant) if variant else None


@resolver("QueryRoot.collections")
def collections(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    terms = search.parse_query(args.get("query"))
    fields: dict[str, Callable[[Collection], Any]] = {"title": lambda c: c.title, "default": lambda c: c.title,
                                                      "handle": lambda c: c.handle}
    items = sorted((c for c in state.collections.values() if search.matches(c, terms, fields)),
                   key=lambda c: c.number)
    return connection(items, args)


ORDER_FIELDS: dict[str, Callable[[Order], Any]] = {
    # Shopify's default order search covers several text fields; the sandbox uses name, note, tags and email.
    "default": lambda o: " ".join([o.name, o.note or "", " ".join(o.tags), o.email or ""]),
    "name": lambda o: o.name,
    "id": lambda o: o.number,
    "source_identifier": lambda o: o.sourceIdentifier,
    "source_name": lambda o: o.sourceName,
    "tag": lambda o: o.tags,
    "email": lambda o: o.email,
    "updated_at": lambda o: o.updatedAt,
    "created_at": lambda o: o.createdAt,
    "status": lambda o: "cancelled" if o.cancelledAt else "closed" if o.closedAt else "open",
    "fulfillment_status": lambda o: o.fulfillment_status.lower(),
    "financial_status": lambda o: o.financial_status.lower(),
    "sku": lambda o: [li.sku for li in o.line_items if li.sku],
}


@resolver("QueryRoot.orders")
def orders(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    terms = search.parse_query(args.get("query"))
    items = [o for o in state.orders.values() if search.matches(o, terms, ORDER_FIELDS)]
    value = _sort_key(args.get("sortKey"))
    items.sort(key=lambda o: (value(o), o.number))
    return connection(items, args, sort_value=value)


@resolver("QueryRoot.order")
def order(_: Any, info: GraphQLResolveInfo, id: str) -> Order | None:
    if "/Order/" not in id:
        return None
    return state_of(info).orders.get(gid_number(id) or -1)


@resolver("QueryRoot.fulfillmentOrder")
def fulfillment_order(_: Any, info: GraphQLResolveInfo, id: str) -> FulfillmentOrder | None:
    if "/FulfillmentOrder/" not in id:
        return None
    return state_of(info).fulfillment_orders.get(gid_number(id) or -1)


@resolver("QueryRoot.fulfillment")
def fulfillment(_: Any, info: GraphQLResolveInfo, id: str) -> Fulfillment | None:
    if "/Fulfillment/" not in id:
        return None
    return state_of(info).fulfillments.get(gid_number(id) or -1)


@resolver("QueryRoot.webhookSubscriptions")
def webhook_subscriptions(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    items = sorted(state.webhooks.values(), key=lambda w: w.number)
    if args.get("topics"):
        items = [w for w in items if w.topic in args["topics"]]
    uri = args.get("uri") or args.get("callbackUrl")
    if uri:
        items = [w for w in items if w.uri == uri]
    return connection(items, args)


# ---- catalog objects ----------------------------------------------------------------------------------------

@resolver("Product.options")
def product_options(p: Product, info: GraphQLResolveInfo, first: int | None = None) -> list[dict[str, Any]]:
    names = p.option_names or ["Title"]
    result = []
    for position, name in enumerate(names, start=1):
        values = p.option_values.get(name) or ["Default Title"]
        used = {value for v in p.variants for n, value in v.options if n == name}
        result.append({
            "__typename": "ProductOption", "id": gid("ProductOption", p.number * 10 + position), "name": name,
            "position": position, "values": values,
            "optionValues": [{"id": gid("ProductOptionValue", p.number * 100 + position * 10 + i), "name": value,
                              "hasVariants": value in used} for i, value in enumerate(values)],
        })
    return limited(result, first)


@resolver("Product.variants")
def product_variants_field(p: Product, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(sorted(p.variants, key=lambda v: (v.position, v.number)), args)


def media_image(url: str, number: int) -> dict[str, Any]:
    image = {"url": url, "altText": None, "width": 925, "height": 617, "id": gid("ImageSource", number)}
    return {"__typename": "MediaImage", "id": gid("MediaImage", number), "alt": "", "mediaContentType": "IMAGE",
            "status": "READY", "image": image, "preview": {"image": image, "status": "READY"},
            "mediaErrors": [], "mediaWarnings": []}


def product_media(p: Product) -> list[dict[str, Any]]:
    return [media_image(url, p.number * 100 + i) for i, url in enumerate(p.images)]


@resolver("Product.media")
def product_media_field(p: Product, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(product_media(p), args, number=lambda m: gid_number(m["id"]) or 0)


@resolver("Product.featuredMedia")
def product_featured_media(p: Product, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    media = product_media(p)
    return media[0] if media else None


@resolver("Product.collections")
def product_collections(p: Product, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    return connection([state.collections[n] for n in p.collection_numbers if n in state.collections], args)


@resolver("Product.totalInventory")
def product_total_inventory(p: Product, info: GraphQLResolveInfo) -> int:
    return sum(sum(v.levels.values()) for v in p.variants)


@resolver("Product.tracksInventory")
def product_tracks_inventory(p: Product, info: GraphQLResolveInfo) -> bool:
    return any(v.tracked for v in p.variants)


@resolver("Product.hasOnlyDefaultVariant")
def product_only_default(p: Product, info: GraphQLResolveInfo) -> bool:
    return not p.option_names or p.option_names == ["Title"]


@resolver("Product.variantsCount")
def product_variants_count(p: Product, info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"count": len(p.variants), "precision": "EXACT"}


@resolver("QueryRoot.productsCount")
def products_count(_: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return {"count": len(state_of(info).products), "precision": "EXACT"}


@resolver("ProductVariant.price")
def variant_price(v: Variant, info: GraphQLResolveInfo) -> str | None:
    return money_text(v.price)


@resolver("ProductVariant.compareAtPrice")
def variant_compare_at(v: Variant, info: GraphQLResolveInfo) -> str | None:
    return money_text(v.compareAtPrice)


@resolver("ProductVariant.selectedOptions")
def variant_selected_options(v: Variant, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    options = v.options or [("Title", "Default Title")]
    return [{"name": n, "value": value, "optionValue": {"id": gid("ProductOptionValue", v.number * 10 + i),
                                                         "name": value, "hasVariants": True}}
            for i, (n, value) in enumerate(options)]


@resolver("ProductVariant.inventoryItem")
def variant_inventory_item(v: Variant, info: GraphQLResolveInfo) -> dict[str, Any]:
    return inventory_item_view(v)


@resolver("ProductVariant.inventoryQuantity")
def variant_inventory_quantity(v: Variant, info: GraphQLResolveInfo) -> int:
    return sum(v.levels.values())


@resolver("ProductVariant.product")
def variant_product(v: Variant, info: GraphQLResolveInfo) -> Product | None:
    return state_of(info).products.get(v.product_number)


@resolver("ProductVariant.image")
def variant_image(v: Variant, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any] | None:
    return media_image(v.image_url, v.number)["image"] if v.image_url else None


@resolver("ProductVariant.media")
def variant_media(v: Variant, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    media = [media_image(v.image_url, v.number)] if v.image_url else []
    return connection(media, args, number=lambda m: gid_number(m["id"]) or 0)


def inventory_item_view(v: Variant) -> dict[str, Any]:
    return {
        "__typename": "InventoryItem", "id": gid("InventoryItem", v.inventory_item_number),
        "legacyResourceId": str(v.inventory_item_number), "tracked": v.tracked, "sku": v.sku,
        "requiresShipping": v.requires_shipping, "countryCodeOfOrigin": None, "provinceCodeOfOrigin": None,
        "harmonizedSystemCode": None,
        "measurement": {"id": gid("InventoryItemMeasurement", v.inventory_item_number),
                        "weight": {"unit": v.weight_unit, "value": v.weight}},
        "_variant": v,
    }


def level_view(v: Variant, location_number: int, state: ShopState) -> dict[str, Any]:
    return {
        "__typename": "InventoryLevel",
        "id": f"gid://shopify/InventoryLevel/{location_number}?inventory_item_id={v.inventory_item_number}",
        "isActive": True, "canDeactivate": True, "deactivationAlert": None,
        "location": state.locations[location_number], "_variant": v, "_location": location_number,
        "createdAt": v.createdAt, "updatedAt": v.level_updated.get(location_number, v.updatedAt),
    }


@resolver("InventoryItem.inventoryLevels")
def item_levels(item: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    state = state_of(info)
    v: Variant = item["_variant"]
    levels = [level_view(v, n, state) for n in sorted(v.levels) if n in state.locations]
    return connection(levels, args, number=lambda level: level["_location"])


@resolver("InventoryItem.inventoryLevel")
def item_level(item: dict[str, Any], info: GraphQLResolveInfo, locationId: str, **args: Any) -> Any:
    v: Variant = item["_variant"]
    number = gid_number(locationId)
    return level_view(v, number, state_of(info)) if number in v.levels else None


@resolver("InventoryItem.variant")
def item_variant(item: dict[str, Any], info: GraphQLResolveInfo) -> Variant:
    variant: Variant = item["_variant"]
    return variant


@resolver("InventoryItem.variants")
def item_variants(item: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection([item["_variant"]], args)


@resolver("InventoryLevel.item")
def level_item(level: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    return inventory_item_view(level["_variant"])


QUANTITY_NAMES = {"available", "on_hand", "committed", "incoming", "reserved", "damaged", "safety_stock",
                  "quality_control"}


@resolver("InventoryLevel.quantities")
def level_quantities(level: dict[str, Any], info: GraphQLResolveInfo, names: list[str]) -> list[dict[str, Any]]:
    v: Variant = level["_variant"]
    number: int = level["_location"]
    available = v.levels.get(number, 0)
    result = []
    for name in names:
        if name not in QUANTITY_NAMES:
            raise GraphQLError(f"The quantity name '{name}' is not valid.", extensions={"code": "BAD_REQUEST"})
        quantity = available if name in ("available", "on_hand") else 0
        updated = v.level_updated.get(number) if name == "available" else None
        result.append({"id": f"gid://shopify/InventoryQuantity/{number}?inventory_item_id="
                              f"{v.inventory_item_number}&name={name}",
                       "name": name, "quantity": quantity, "updatedAt": updated})
    return result


# ---- orders -------------------------------------------------------------------------------------------------

@resolver("Order.displayFinancialStatus")
def order_financial(o: Order, info: GraphQLResolveInfo) -> str | None:
    return None if o.cancelledAt and o.financial_status == "PENDING" else o.financial_status


@resolver("Order.displayFulfillmentStatus")
def order_fulfillment_status(o: Order, info: GraphQLResolveInfo) -> str:
    return o.fulfillment_status


@resolver("Order.lineItems")
def order_line_items(o: Order, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(o.line_items, args)


@resolver("Order.fulfillmentOrders")
def order_fulfillment_orders(o: Order, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(o.fulfillment_orders, args)


@resolver("Order.fulfillments")
def order_fulfillments(o: Order, info: GraphQLResolveInfo, first: int | None = None, **args: Any) -> list[Any]:
    return limited(o.fulfillments, first)


@resolver("Order.customAttributes")
def order_custom_attributes(o: Order, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [{"key": k, "value": v} for k, v in o.custom_attributes]


def address_view(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    view = dict(address)
    view["countryCodeV2"] = address.get("countryCode")
    view["name"] = " ".join(x for x in (address.get("firstName"), address.get("lastName")) if x)
    return view


@resolver("Order.shippingAddress")
def order_shipping_address(o: Order, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return address_view(o.shipping_address)


@resolver("Order.billingAddress")
def order_billing_address(o: Order, info: GraphQLResolveInfo) -> dict[str, Any] | None:
    return address_view(o.billing_address)


@resolver("Order.shippingLines")
def order_shipping_lines(o: Order, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    lines = [{"number": i + 1, "title": s["title"], "code": s.get("code"), "source": s.get("source"),
              "originalPriceSet": money_bag(Decimal(str(s["amount"])), o.currency),
              "discountedPriceSet": money_bag(Decimal(str(s["amount"])), o.currency),
              "taxLines": [tax_line_view(t, o.currency) for t in s.get("taxLines", [])]}
             for i, s in enumerate(o.shipping_lines)]
    return connection(lines, args, number=lambda line: line["number"])


def tax_line_view(tax: dict[str, Any], currency: str) -> dict[str, Any]:
    return {"title": tax["title"], "rate": float(tax.get("rate") or 0),
            "priceSet": money_bag(Decimal(str(tax["amount"])), currency), "channelLiable": False}


@resolver("Order.taxLines")
def order_tax_lines(o: Order, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [tax_line_view(t, o.currency) for t in o.tax_lines]


@resolver("Order.discountCodes")
def order_discount_codes(o: Order, info: GraphQLResolveInfo) -> list[str]:
    return list(o.discount_codes)


def _money_resolver(getter: Callable[[Order], Decimal]) -> Resolver:
    def resolve(o: Order, info: GraphQLResolveInfo) -> dict[str, Any]:
        return money_bag(getter(o) if not o.cancelledAt else Decimal(0), o.currency)
    return resolve


RESOLVERS["Order.currentTotalPriceSet"] = _money_resolver(lambda o: o.total)
RESOLVERS["Order.totalPriceSet"] = lambda o, info: money_bag(o.total, o.currency)
RESOLVERS["Order.subtotalPriceSet"] = lambda o, info: money_bag(o.subtotal, o.currency)
RESOLVERS["Order.totalTaxSet"] = lambda o, info: money_bag(o.tax_total, o.currency)
RESOLVERS["Order.totalShippingPriceSet"] = lambda o, info: money_bag(o.shipping_total, o.currency)
RESOLVERS["Order.totalDiscountsSet"] = lambda o, info: money_bag(o.discount, o.currency)
RESOLVERS["Order.totalOutstandingSet"] = lambda o, info: money_bag(
    Decimal(0) if o.financial_status == "PAID" or o.cancelledAt else o.total, o.currency)
RESOLVERS["Order.currencyCode"] = lambda o, info: o.currency
RESOLVERS["Order.presentmentCurrencyCode"] = lambda o, info: o.currency
RESOLVERS["Order.paymentGatewayNames"] = lambda o, info: sorted({t.get("gateway") or "manual"
                                                                  for t in o.transactions})


@resolver("LineItem.variant")
def line_variant(li: LineItem, info: GraphQLResolveInfo) -> Variant | None:
    return state_of(info).variants.get(li.variant_number) if li.variant_number else None


@resolver("LineItem.product")
def line_product(li: LineItem, info: GraphQLResolveInfo) -> Product | None:
    return state_of(info).products.get(li.product_number) if li.product_number else None


RESOLVERS["LineItem.taxLines"] = lambda li, info, **args: [tax_line_view(t, state_of(info).currency)
                                                             for t in li.tax_lines]
RESOLVERS["LineItem.variantTitle"] = lambda li, info: li.variant_title
RESOLVERS["LineItem.name"] = lambda li, info: li.title + (f" - {li.variant_title}" if li.variant_title else "")
RESOLVERS["LineItem.fulfillableQuantity"] = lambda li, info: li.quantity - li.fulfilled
RESOLVERS["LineItem.unfulfilledQuantity"] = lambda li, info: li.quantity - li.fulfilled
RESOLVERS["LineItem.currentQuantity"] = lambda li, info: li.quantity


@resolver("LineItem.originalUnitPriceSet", "LineItem.discountedUnitPriceSet")
def line_price(li: LineItem, info: GraphQLResolveInfo) -> dict[str, Any]:
    return money_bag(li.price, state_of(info).currency)


@resolver("FulfillmentOrder.lineItems")
def fo_line_items(fo: FulfillmentOrder, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    lines = [{"__typename": "FulfillmentOrderLineItem", "id": gid("FulfillmentOrderLineItem", number),
              "_number": number, "totalQuantity": li.quantity, "remainingQuantity": li.quantity - li.fulfilled,
              "lineItem": li, "sku": li.sku, "variant": line_variant(li, info)}
             for number, li in fo.lines]
    return connection(lines, args, number=lambda line: line["_number"])


@resolver("FulfillmentOrder.assignedLocation")
def fo_location(fo: FulfillmentOrder, info: GraphQLResolveInfo) -> dict[str, Any]:
    location = state_of(info).locations.get(fo.location_number)
    return {"name": location.name if location else "", "location": location, "countryCode": "US",
            "address1": None, "address2": None, "city": None, "province": None, "zip": None, "phone": None}


@resolver("FulfillmentOrder.order")
def fo_order(fo: FulfillmentOrder, info: GraphQLResolveInfo) -> Order | None:
    return state_of(info).orders.get(fo.order_number)


RESOLVERS["FulfillmentOrder.requestStatus"] = lambda fo, info: "UNSUBMITTED"
RESOLVERS["FulfillmentOrder.fulfillBy"] = lambda fo, info: None
RESOLVERS["FulfillmentOrder.fulfillmentHolds"] = lambda fo, info: []
RESOLVERS["FulfillmentOrder.merchantRequests"] = lambda fo, info, **args: connection([], args)
RESOLVERS["FulfillmentOrder.supportedActions"] = lambda fo, info: (
    [{"action": a} for a in ("CREATE_FULFILLMENT", "MOVE", "HOLD", "SPLIT")] if fo.status in ("OPEN", "IN_PROGRESS")
    else [])


@resolver("Order.transactions")
def order_transactions(o: Order, info: GraphQLResolveInfo, first: int | None = None, **args: Any) -> list[Any]:
    return limited([{"kind": t["kind"], "status": t["status"], "gateway": t["gateway"],
                     "amountSet": money_bag(Decimal(str(t["amount"])), o.currency), "test": o.test}
                    for t in o.transactions], first)


@resolver("Fulfillment.trackingInfo")
def fulfillment_tracking(f: Fulfillment, info: GraphQLResolveInfo, first: int | None = None) -> list[Any]:
    urls = list(f.urls) + [None] * (len(f.numbers) - len(f.urls))
    return limited([{"company": f.company, "number": n, "url": u} for n, u in zip(f.numbers, urls, strict=False)],
                   first)


@resolver("Fulfillment.fulfillmentLineItems")
def fulfillment_lines(f: Fulfillment, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    lines = [{"__typename": "FulfillmentLineItem", "id": gid("FulfillmentLineItem", f.number * 100 + i),
              "_number": f.number * 100 + i, "quantity": quantity, "lineItem": li}
             for i, (li, quantity) in enumerate(f.lines)]
    return connection(lines, args, number=lambda line: line["_number"])


@resolver("Fulfillment.displayStatus")
def fulfillment_display_status(f: Fulfillment, info: GraphQLResolveInfo) -> str:
    return "FULFILLED" if f.status == "SUCCESS" else "CANCELED"


@resolver("Fulfillment.name")
def fulfillment_name(f: Fulfillment, info: GraphQLResolveInfo) -> str:
    order_ = state_of(info).orders.get(f.order_number)
    index = order_.fulfillments.index(f) + 1 if order_ and f in order_.fulfillments else 1
    return f"{order_.name if order_ else '#0'}-F{index}"


@resolver("Fulfillment.location")
def fulfillment_location(f: Fulfillment, info: GraphQLResolveInfo) -> Any:
    return state_of(info).locations.get(f.location_number)


@resolver("Fulfillment.order")
def fulfillment_order_field(f: Fulfillment, info: GraphQLResolveInfo) -> Order | None:
    return state_of(info).orders.get(f.order_number)


RESOLVERS["Fulfillment.updatedAt"] = lambda f, info: f.createdAt


@resolver("WebhookSubscription.apiVersion")
def webhook_api_version(w: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    return {"handle": w.apiVersion, "displayName": w.apiVersion, "supported": True}


RESOLVERS["WebhookSubscription.callbackUrl"] = lambda w, info: w.uri
RESOLVERS["WebhookSubscription.endpoint"] = lambda w, info: {"__typename": "WebhookHttpEndpoint",
                                                              "callbackUrl": w.uri}
RESOLVERS["WebhookSubscription.includeFields"] = lambda w, info: []
RESOLVERS["WebhookSubscription.metafieldNamespaces"] = lambda w, info: []
RESOLVERS["WebhookSubscription.metafields"] = lambda w, info: []
RESOLVERS["WebhookSubscription.filter"] = lambda w, info: None
RESOLVERS["WebhookSubscription.name"] = lambda w, info: None
