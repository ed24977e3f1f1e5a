"""Mutation resolvers: catalog seeding (products, variants, inventory), webhooks, orders and fulfilments.

Input validation failures come back as `userErrors` in the payload, as Shopify does; only protocol problems
(a missing idempotency key) are top-level GraphQL errors.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from feedbridge_sandbox.shopify import payloads, search
from feedbridge_sandbox.shopify.resolvers import RESOLVERS, resolver, state_of
from feedbridge_sandbox.shopify.state import (
    Fulfillment,
    FulfillmentOrder,
    LineItem,
    Order,
    Product,
    ShopState,
    Variant,
    WebhookSubscription,
    gid,
    gid_number,
)

TOPICS = {
    "PRODUCTS_CREATE": "products/create", "PRODUCTS_UPDATE": "products/update", "PRODUCTS_DELETE": "products/delete",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update", "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated", "ORDERS_CANCELLED": "orders/cancelled", "ORDERS_PAID": "orders/paid",
    "ORDERS_FULFILLED": "orders/fulfilled", "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "FULFILLMENTS_CREATE": "fulfillments/create", "FULFILLMENTS_UPDATE": "fulfillments/update",
    "APP_UNINSTALLED": "app/uninstalled",
}


def user_error(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def emit(info: GraphQLResolveInfo, topic: str, body: dict[str, Any]) -> None:
    info.context.emit(topic, body)


def idempotency_key(info: GraphQLResolveInfo) -> str | None:
    """The key of an `@idempotent(key:)` directive on the mutation field, with variables resolved."""
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value != "idempotent":
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "key":
                node: Any = argument.value
                if node.kind == "variable":
                    # graphql-core 3.3 wraps the values in VariableValues(.coerced); 3.2 passes a dict.
                    values: Any = getattr(info.variable_values, "coerced", info.variable_values)
                    return str(values.get(node.name.value) or "") or None
                return str(getattr(node, "value", "")) or None
    return None


def require_idempotency(info: GraphQLResolveInfo) -> str:
    key = idempotency_key(info)
    if not key or not key.strip():
        raise GraphQLError(
            f"The @idempotent directive is required for the {info.field_name} mutation.",
            extensions={"code": "BAD_REQUEST"})
    return key


def parse_money(value: Any, field: list[str]) -> tuple[Decimal | None, dict[str, Any] | None]:
    if value is None:
        return None, None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None, user_error(field, f"{value} is not a valid price", "INVALID_INPUT")
    if amount < 0:
        return None, user_error(field, "Price must be greater than or equal to 0", "GREATER_THAN_OR_EQUAL_TO")
    return amount, None


def handleize(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


def product_touched(info: GraphQLResolveInfo, p: Product, topic: str = "products/update") -> None:
    p.updatedAt = state_of(info).now()
    emit(info, topic, payloads.product_payload(p))


def new_variant(state: ShopState, p: Product, options: list[tuple[str, str]], price: Decimal) -> Variant:
    now = state.now()
    variant = Variant(number=state.next_id(), product_number=p.number, inventory_item_number=state.next_id(),
                      title=" / ".join(v for _, v in options) or "Default Title", price=price, options=options,
                      createdAt=now, updatedAt=now, position=len(p.variants) + 1)
    # Sandbox simplification: new inventory items are stocked (at 0) at every location.
    variant.levels = {number: 0 for number in state.locations}
    state.variants[variant.number] = variant
    state.inventory_items[variant.inventory_item_number] = variant
    p.variants.append(variant)
    return variant


def drop_variant(state: ShopState, p: Product, variant: Variant) -> None:
    p.variants.remove(variant)
    state.variants.pop(variant.number, None)
    state.inventory_items.pop(variant.inventory_item_number, None)


# ---- catalog ------------------------------------------------------------------------------------------------

@resolver("Mutation.productCreate")
def product_create(_: Any, info: GraphQLResolveInfo, product: dict[str, Any] | None = None,
                   input: dict[str, Any] | None = None, media: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    state = state_of(info)
    data = product or input or {}
    title = (data.get("title") or "").strip()
    if not title:
        return {"product": None, "userErrors": [user_error(["title"], "Title can't be blank")]}
    with state.lock:
        now = state.now()
        handle = data.get("handle") or handleize(title)
        taken = {p.handle for p in state.products.values()}
        base, n = handle, 1
        while handle in taken:
            handle, n = f"{base}-{n}", n + 1
        p = Product(number=state.next_id(), title=title, handle=handle,
                    descriptionHtml=data.get("descriptionHtml") or "", vendor=data.get("vendor") or state.name,
                    productType=data.get("productType") or "", status=data.get("status") or "ACTIVE",
                    tags=sorted(set(data.get("tags") or [])), createdAt=now, updatedAt=now)
        for option in data.get("productOptions") or []:
            name = option.get("name") or f"Option{len(p.option_names) + 1}"
            p.option_names.append(name)
            p.option_values[name] = [v.get("name") for v in option.get("values") or [] if v.get("name")]
        p.images = [m["originalSource"] for m in media or [] if m.get("originalSource")]
        for collection_id in data.get("collectionsToJoin") or []:
            number = gid_number(collection_id)
            if number in state.collections:
                p.collection_numbers.append(number)
        state.products[p.number] = p
        defaults = [(name, p.option_values[name][0]) for name in p.option_names if p.option_values[name]]
        new_variant(state, p, defaults, Decimal("0.00"))
    emit(info, "products/create", payloads.product_payload(p))
    return {"product": p, "userErrors": [], "shop": {}}


@resolver("Mutation.productDelete")
def product_delete(_: Any, info: GraphQLResolveInfo, input: dict[str, Any], **args: Any) -> dict[str, Any]:
    state = state_of(info)
    number = gid_number(input.get("id") or "")
    with state.lock:
        p = state.products.pop(number or -1, None)
        if p is None:
            return {"deletedProductId": None, "userErrors": [user_error(["id"], "Product does not exist")]}
        for variant in list(p.variants):
            drop_variant(state, p, variant)
    emit(info, "products/delete", {"id": p.number})
    return {"deletedProductId": p.id, "userErrors": []}


def apply_variant_input(state: ShopState, p: Product, variant: Variant, data: dict[str, Any],
                        index: int) -> list[dict[str, Any]]:
    errors = []
    if "price" in data:
        price, error = parse_money(data["price"], ["variants", str(index), "price"])
        if error:
            errors.append(error)
        elif price is not None:
            variant.price = price
    if "compareAtPrice" in data:
        compare, error = parse_money(data["compareAtPrice"], ["variants", str(index), "compareAtPrice"])
        if error:
            errors.append(error)
        else:
            variant.compareAtPrice = compare
    if "barcode" in data:
        variant.barcode = data["barcode"]
    if data.get("inventoryPolicy"):
        variant.inventoryPolicy = data["inventoryPolicy"]
    if "taxable" in data and data["taxable"] is not None:
        variant.taxable = bool(data["taxable"])
    item = data.get("inventoryItem") or {}
    if "sku" in item:
        variant.sku = item["sku"]
    if item.get("tracked") is not None:
        variant.tracked = bool(item["tracked"])
    if item.get("requiresShipping") is not None:
        variant.requires_shipping = bool(item["requiresShipping"])
    weight = (item.get("measurement") or {}).get("weight")
    if weight:
        variant.weight, variant.weight_unit = float(weight["value"]), weight["unit"]
    if data.get("mediaSrc"):
        variant.image_url = data["mediaSrc"][0]
        if variant.image_url not in p.images:
            p.images.append(variant.image_url)
    variant.updatedAt = state.now()
    return errors


def option_pairs(p: Product, data: dict[str, Any], index: int) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    pairs: list[tuple[str, str]] = []
    for value in data.get("optionValues") or []:
        name = value.get("optionName")
        if name is None and value.get("optionId"):
            position = (gid_number(value["optionId"]) or 0) - p.number * 10
            name = p.option_names[position - 1] if 0 < position <= len(p.option_names) else None
        if name is None or not value.get("name"):
            return [], [user_error(["variants", str(index), "optionValues"], "Option value is invalid",
                                   "INVALID_INPUT")]
        pairs.append((name, value["name"]))
    return pairs, []


@resolver("Mutation.productVariantsBulkCreate")
def variants_bulk_create(_: Any, info: GraphQLResolveInfo, productId: str, variants: list[dict[str, Any]],
                         strategy: str | None = None, media: Any = None) -> dict[str, Any]:
    state = state_of(info)
    with state.lock:
        p = state.products.get(gid_number(productId) or -1)
        if p is None:
            return {"product": None, "productVariants": None, "userErrors": [
                user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]}
        standalone = p.variants[0] if len(p.variants) == 1 else None
        remove_standalone = standalone is not None and (
            strategy == "REMOVE_STANDALONE_VARIANT"
            or (strategy in (None, "DEFAULT") and standalone.title == "Default Title"))
        existing = {tuple(v.options) for v in p.variants if not (remove_standalone and v is standalone)}
        planned: list[tuple[list[tuple[str, str]], dict[str, Any]]] = []
        errors: list[dict[str, Any]] = []
        for index, data in enumerate(variants):
            pairs, problems = option_pairs(p, data, index)
            errors += problems
            if tuple(pairs) in existing:
                errors.append(user_error(["variants", str(index)],
                                         f"The variant '{' / '.join(v for _, v in pairs)}' already exists.",
                                         "VARIANT_ALREADY_EXISTS"))
            existing.add(tuple(pairs))
            planned.append((pairs, data))
        if errors:
            return {"product": p, "productVariants": [], "userErrors": errors}
        if remove_standalone and standalone is not None:
            drop_variant(state, p, standalone)
        created = []
        for index, (pairs, data) in enumerate(planned):
            for name, value in pairs:
                if name not in p.option_names:
                    p.option_names.append(name)
                    p.option_values[name] = []
                if value not in p.option_values[name]:
                    p.option_values[name].append(value)
            variant = new_variant(state, p, pairs, Decimal("0.00"))
            errors += apply_variant_input(state, p, variant, data, index)
            for level in data.get("inventoryQuantities") or []:
                number = gid_number(level["locationId"])
                if number in state.locations:
                    variant.levels[number] = int(level["availableQuantity"])
                    variant.level_updated[number] = state.now()
            created.append(variant)
        for position, variant in enumerate(p.variants, start=1):
            variant.position = position
    product_touched(info, p)
    return {"product": p, "productVariants": created, "userErrors": errors}


@resolver("Mutation.productVariantsBulkUpdate")
def variants_bulk_update(_: Any, info: GraphQLResolveInfo, productId: str, variants: list[dict[str, Any]],
                         media: Any = None, allowPartialUpdates: bool | None = None) -> dict[str, Any]:
    state = state_of(info)
    with state.lock:
        p = state.products.get(gid_number(productId) or -1)
        if p is None:
            return {"product": None, "productVariants": None, "userErrors": [
                user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]}
        by_number = {v.number: v for v in p.variants}
        errors: list[dict[str, Any]] = []
        targets = []
        for index, data in enumerate(variants):
            variant = by_number.get(gid_number(data.get("id") or "") or -1)
            if variant is None:
                errors.append(user_error(["variants", str(index), "id"], "Product variant does not exist",
                                         "PRODUCT_VARIANT_DOES_NOT_EXIST"))
            elif data.get("inventoryQuantities"):
                errors.append(user_error(["variants", str(index), "inventoryQuantities"],
                                         "Inventory quantities can only be provided during create. To update "
                                         "inventory for existing variants, use inventoryAdjustQuantities.",
                                         "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"))
            else:
                targets.append((index, variant, data))
        if errors and not allowPartialUpdates:
            return {"product": p, "productVariants": [], "userErrors": errors}
        for index, variant, data in targets:
            errors += apply_variant_input(state, p, variant, data, index)
    product_touched(info, p)
    return {"product": p, "productVariants": [v for _, v, _ in targets], "userErrors": errors}


@resolver("Mutation.inventorySetQuantities")
def inventory_set_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    key = require_idempotency(info)
    with state.lock:
        cached = state.idempotency.get(f"inventorySetQuantities:{key}")
        if cached is not None:
            return dict(cached)
        name = input.get("name")
        errors: list[dict[str, Any]] = []
        if name not in ("available", "on_hand"):
            errors.append(user_error(["input", "name"], "The quantity name must be either 'available' or "
                                     "'on_hand'.", "INVALID_NAME"))
        changes = []
        for index, row in enumerate(input.get("quantities") or []):
            variant = state.inventory_items.get(gid_number(row["inventoryItemId"]) or -1)
            location = gid_number(row["locationId"])
            field = ["input", "quantities", str(index)]
            if variant is None:
                errors.append(user_error(field + ["inventoryItemId"], "The specified inventory item could not "
                                         "be found.", "INVALID_INVENTORY_ITEM"))
            elif location not in state.locations:
                errors.append(user_error(field + ["locationId"], "The specified location could not be found.",
                                         "INVALID_LOCATION"))
            elif location not in variant.levels:
                errors.append(user_error(field + ["locationId"], "The specified inventory item is not stocked "
                                         "at the location.", "ITEM_NOT_STOCKED_AT_LOCATION"))
            elif row.get("changeFromQuantity") is not None and row["changeFromQuantity"] != variant.levels[location]:
                errors.append(user_error(field + ["changeFromQuantity"], "The changeFromQuantity is stale.",
                                         "CHANGE_FROM_QUANTITY_STALE"))
            else:
                changes.append((variant, location, int(row["quantity"])))
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        now = state.now()
        change_views = []
        for variant, location, quantity in changes:
            delta = quantity - variant.levels[location]
            variant.levels[location] = quantity
            variant.level_updated[location] = now
            change_views.append({"name": name, "delta": delta, "quantityAfterChange": quantity,
                                 "item": RESOLVERS["ProductVariant.inventoryItem"](variant, info),
                                 "location": state.locations[location], "ledgerDocumentUri": None})
        group = {"__typename": "InventoryAdjustmentGroup", "id": gid("InventoryAdjustmentGroup", state.next_id()),
                 "createdAt": now, "reason": input.get("reason") or "correction",
                 "referenceDocumentUri": input.get("referenceDocumentUri"), "changes": change_views,
                 "app": None, "staffMember": None}
        result = {"inventoryAdjustmentGroup": group, "userErrors": []}
        state.idempotency[f"inventorySetQuantities:{key}"] = result
    for variant, location, _ in changes:
        emit(info, "inventory_levels/update", payloads.inventory_level_payload(variant, location))
    return result


@resolver("Mutation.collectionCreate")
def collection_create(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    from feedbridge_sandbox.shopify.state import Collection

    state = state_of(info)
    title = (input.get("title") or "").strip()
    if not title:
        return {"collection": None, "userErrors": [user_error(["title"], "Title can't be blank")]}
    with state.lock:
        collection = Collection(state.next_id(), title, input.get("handle") or handleize(title), state.now())
        state.collections[collection.number] = collection
        for product_id in input.get("products") or []:
            p = state.products.get(gid_number(product_id) or -1)
            if p is not None:
                p.collection_numbers.append(collection.number)
    return {"collection": collection, "userErrors": []}


# ---- webhooks -----------------------------------------------------------------------------------------------

@resolver("Mutation.webhookSubscriptionCreate")
def webhook_create(_: Any, info: GraphQLResolveInfo, topic: str,
                   webhookSubscription: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl") or ""
    if not uri.startswith(("https://", "http://")):
        return {"webhookSubscription": None, "userErrors": [
            user_error(["webhookSubscription", "callbackUrl"], "Address is invalid")]}
    if topic not in TOPICS:
        return {"webhookSubscription": None, "userErrors": [
            user_error(["topic"], f"The sandbox does not deliver {topic} webhooks")]}
    with state.lock:
        if any(w.topic == topic and w.uri == uri for w in state.webhooks.values()):
            return {"webhookSubscription": None, "userErrors": [
                user_error(["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken")]}
        now = state.now()
        subscription = WebhookSubscription(state.next_id(), topic, uri, now, now,
                                           format=webhookSubscription.get("format") or "JSON")
        state.webhooks[subscription.number] = subscription
    return {"webhookSubscription": subscription, "userErrors": []}


@resolver("Mutation.webhookSubscriptionDelete")
def webhook_delete(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    state = state_of(info)
    with state.lock:
        removed = state.webhooks.pop(gid_number(id) or -1, None)
    if removed is None:
        return {"deletedWebhookSubscriptionId": None,
                "userErrors": [user_error(["id"], "Webhook subscription does not exist")]}
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


# ---- orders -------------------------------------------------------------------------------------------------

def order_touched(info: GraphQLResolveInfo, o: Order, *topics: str) -> None:
    state = state_of(info)
    o.updatedAt = state.now()
    body = payloads.order_payload(o, state)
    for topic in (*topics, "orders/updated"):
        emit(info, topic, body)


def _amount(money_bag: dict[str, Any] | None) -> Decimal | None:
    if not money_bag:
        return None
    return Decimal(str(money_bag["shopMoney"]["amount"]))


@resolver("Mutation.orderCreate")
def order_create(_: Any, info: GraphQLResolveInfo, order: dict[str, Any],
                 options: dict[str, Any] | None = None) -> dict[str, Any]:
    state = state_of(info)
    errors: list[dict[str, Any]] = []
    lines_in = order.get("lineItems") or []
    if not lines_in:
        errors.append(user_error(["order", "lineItems"], "Line items must have at least one line item", "INVALID"))
    with state.lock:
        lines: list[LineItem] = []
        for index, data in enumerate(lines_in):
            variant = None
            if data.get("variantId"):
                variant = state.variants.get(gid_number(data["variantId"]) or -1)
                if variant is None:
                    errors.append(user_error(["order", "lineItems", str(index), "variantId"],
                                             "Variant does not exist", "INVALID"))
                    continue
            if int(data["quantity"]) < 1:
                errors.append(user_error(["order", "lineItems", str(index), "quantity"],
                                         "Quantity must be greater than or equal to 1", "INVALID"))
                continue
            price = _amount(data.get("priceSet"))
            title = data.get("title")
            if variant is not None:
                p = state.products[variant.product_number]
                title, price = title or p.title, price if price is not None else variant.price
            if not title:
                errors.append(user_error(["order", "lineItems", str(index), "title"], "Title can't be blank",
                                         "INVALID"))
                continue
            lines.append(LineItem(number=state.next_id(), title=title, quantity=int(data["quantity"]),
                                  price=price or Decimal(0), sku=data.get("sku") or (variant.sku if variant else None),
                                  variant_number=variant.number if variant else None,
                                  product_number=variant.product_number if variant else None,
                                  variant_title=(variant.title if variant and variant.title != "Default Title"
                                                 else data.get("variantTitle"))))
        for tax in order.get("taxLines") or []:
            if tax.get("rate") is None:
                errors.append(user_error(["order", "taxLines"], "Tax line rate is missing", "TAX_LINE_RATE_MISSING"))
        if errors:
            return {"order": None, "userErrors": errors}
        now = state.now()
        order_number = next(state.order_numbers)
        currency = order.get("currency") or state.currency
        o = Order(number=state.next_id(), name=order.get("name") or f"#{order_number}", order_number=order_number,
                  currency=currency, line_items=lines, email=order.get("email"), phone=order.get("phone"),
                  note=order.get("note"), tags=sorted(set(order.get("tags") or []), key=str.lower),
                  sourceIdentifier=order.get("sourceIdentifier"), sourceName=order.get("sourceName"),
                  custom_attributes=[(a["key"], a["value"]) for a in order.get("customAttributes") or []],
                  shipping_address=order.get("shippingAddress"), billing_address=order.get("billingAddress"),
                  test=bool(order.get("test")),
                  processedAt=search.parse_time(order["processedAt"]) if order.get("processedAt") else now,
                  createdAt=now, updatedAt=now)
        for shipping in order.get("shippingLines") or []:
            o.shipping_lines.append({"title": shipping["title"], "code": shipping.get("code"),
                                     "source": shipping.get("source"), "amount": _amount(shipping["priceSet"]),
                                     "taxLines": [{"title": t["title"], "rate": t["rate"],
                                                   "amount": _amount(t.get("priceSet")) or 0}
                                                  for t in shipping.get("taxLines") or []]})
            o.tax_lines += o.shipping_lines[-1]["taxLines"]
        for tax in order.get("taxLines") or []:
            o.tax_lines.append({"title": tax["title"], "rate": tax["rate"], "amount": _amount(tax.get("priceSet")) or 0})
        for data, li in zip(lines_in, lines, strict=False):
            for tax in data.get("taxLines") or []:
                li.tax_lines.append({"title": tax["title"], "rate": tax["rate"],
                                     "amount": _amount(tax.get("priceSet")) or 0})
            o.tax_lines += li.tax_lines
        code = order.get("discountCode") or {}
        for kind in ("itemFixedDiscountCode", "itemPercentageDiscountCode", "freeShippingDiscountCode"):
            if code.get(kind):
                o.discount_codes.append(code[kind]["code"])
                if kind == "itemFixedDiscountCode":
                    o.discount = _amount(code[kind].get("amountSet")) or Decimal(0)
        o.transactions = [{"kind": t.get("kind") or "SALE", "status": t.get("status") or "SUCCESS",
                           "gateway": t.get("gateway") or "manual", "amount": _amount(t["amountSet"])}
                          for t in order.get("transactions") or []]
        paid = sum((t["amount"] for t in o.transactions if t["status"] == "SUCCESS" and t["kind"] in
                    ("SALE", "CAPTURE")), Decimal(0))
        o.financial_status = order.get("financialStatus") or ("PAID" if paid >= o.total and o.transactions
                                                               else "PENDING")
        location = min(state.locations) if state.locations else 0
        fulfillment_order = FulfillmentOrder(number=state.next_id(), order_number=o.number,
                                             location_number=location,
                                             lines=[(state.next_id(), li) for li in lines],
                                             fulfillAt=now.replace(minute=0, second=0), updatedAt=now)
        o.fulfillment_orders.append(fulfillment_order)
        state.fulfillment_orders[fulfillment_order.number] = fulfillment_order
        behaviour = (options or {}).get("inventoryBehaviour") or "BYPASS"
        stock_changes: list[tuple[Variant, int]] = []
        if behaviour != "BYPASS":
            o.inventory_decremented = True
            for li in lines:
                variant = state.variants.get(li.variant_number or -1)
                if variant is not None and variant.tracked and location in variant.levels:
                    variant.levels[location] -= li.quantity
                    variant.level_updated[location] = now
                    stock_changes.append((variant, location))
        if order.get("fulfillmentStatus") == "FULFILLED":
            for li in lines:
                li.fulfilled = li.quantity
            fulfillment_order.status = "CLOSED"
        state.orders[o.number] = o
    body = payloads.order_payload(o, state)
    emit(info, "orders/create", body)
    for variant, location_number in stock_changes:
        emit(info, "inventory_levels/update", payloads.inventory_level_payload(variant, location_number))
    if o.financial_status == "PAID":
        emit(info, "orders/paid", body)
    return {"order": o, "userErrors": []}


def find_order(info: GraphQLResolveInfo, order_id: str) -> Order | None:
    if "/Order/" not in order_id:
        return None
    return state_of(info).orders.get(gid_number(order_id) or -1)


@resolver("Mutation.orderUpdate")
def order_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    o = find_order(info, input["id"])
    if o is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    with state_of(info).lock:
        for key in ("note", "email", "phone", "poNumber"):
            if key in input:
                setattr(o, key, input[key])
        if "tags" in input:
            o.tags = sorted(set(input["tags"] or []), key=str.lower)
        if "shippingAddress" in input:
            o.shipping_address = input["shippingAddress"]
        if "customAttributes" in input:
            o.custom_attributes = [(a["key"], a.get("value") or "") for a in input["customAttributes"] or []]
    order_touched(info, o)
    return {"order": o, "userErrors": []}


@resolver("Mutation.tagsAdd")
def tags_add(_: Any, info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict[str, Any]:
    state = state_of(info)
    if "/Order/" in id:
        o = find_order(info, id)
        if o is None:
            return {"node": None, "userErrors": [user_error(["id"], "Order does not exist")]}
        with state.lock:
            o.tags = sorted(set(o.tags) | {t.strip() for t in tags if t.strip()}, key=str.lower)
        order_touched(info, o)
        return {"node": o, "userErrors": []}
    p = state.products.get(gid_number(id) or -1) if "/Product/" in id else None
    if p is None:
        return {"node": None, "userErrors": [user_error(["id"], "Resource does not exist")]}
    with state.lock:
        p.tags = sorted(set(p.tags) | {t.strip() for t in tags if t.strip()})
    product_touched(info, p)
    return {"node": p, "userErrors": []}


@resolver("Mutation.orderCancel")
def order_cancel(_: Any, info: GraphQLResolveInfo, orderId: str, reason: str, restock: bool,
                 refund: bool | None = None, refundMethod: Any = None, notifyCustomer: bool | None = None,
                 staffNote: str | None = None) -> dict[str, Any]:
    state = state_of(info)
    o = find_order(info, orderId)
    if o is None:
        errors = [user_error(["orderId"], "Order does not exist", "NOT_FOUND")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    if refund is not None and refundMethod is not None:
        errors = [user_error(["refundMethod"], "Specify either refund or refundMethod, not both", "INVALID")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    if o.cancelledAt is not None:
        errors = [user_error(["orderId"], "Order has already been cancelled", "INVALID")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    if any(f.status == "SUCCESS" for f in o.fulfillments):
        errors = [user_error(["orderId"], "Cannot cancel an order that has outstanding fulfillments",
                             "INVALID")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    with state.lock:
        now = state.now()
        o.cancelledAt = o.closedAt = now
        o.cancelReason = reason
        if staffNote:
            o.note = f"{o.note}\n{staffNote}" if o.note else staffNote
        wants_refund = bool(refund) or bool((refundMethod or {}).get("originalPaymentMethodsRefund"))
        if wants_refund and o.financial_status == "PAID":
            o.financial_status = "REFUNDED"
        for fo in o.fulfillment_orders:
            fo.status = "CLOSED" if fo.status == "CLOSED" else "CANCELLED"
        restocked: list[tuple[Variant, int]] = []
        if restock and o.inventory_decremented:
            for fo in o.fulfillment_orders:
                for _, li in fo.lines:
                    variant = state.variants.get(li.variant_number or -1)
                    if variant is not None and variant.tracked and fo.location_number in variant.levels:
                        variant.levels[fo.location_number] += li.quantity - li.fulfilled
                        variant.level_updated[fo.location_number] = now
                        restocked.append((variant, fo.location_number))
    order_touched(info, o, "orders/cancelled")
    for variant, location_number in restocked:
        emit(info, "inventory_levels/update", payloads.inventory_level_payload(variant, location_number))
    job = {"__typename": "Job", "id": f"gid://shopify/Job/{uuid.uuid4()}", "done": True, "query": {}}
    return {"job": job, "orderCancelUserErrors": [], "userErrors": []}


@resolver("Mutation.orderClose")
def order_close(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    o = find_order(info, input["id"])
    if o is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if o.closedAt is None:
        o.closedAt = state_of(info).now()
        order_touched(info, o)
    return {"order": o, "userErrors": []}


@resolver("Mutation.orderOpen")
def order_open(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    o = find_order(info, input["id"])
    if o is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if o.cancelledAt is not None:
        return {"order": o, "userErrors": [user_error(["id"], "Cancelled orders cannot be reopened")]}
    if o.closedAt is not None:
        o.closedAt = None
        order_touched(info, o)
    return {"order": o, "userErrors": []}


@resolver("Mutation.fulfillmentCreate")
def fulfillment_create(_: Any, info: GraphQLResolveInfo, fulfillment: dict[str, Any],
                       message: str | None = None) -> dict[str, Any]:
    state = state_of(info)
    groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
    if not groups:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillment", "lineItemsByFulfillmentOrder"],
                                                               "Line items by fulfillment order is required")]}
    with state.lock:
        picked: list[tuple[FulfillmentOrder, LineItem, int]] = []
        order_numbers = set()
        for group in groups:
            fo = state.fulfillment_orders.get(gid_number(group["fulfillmentOrderId"]) or -1)
            if fo is None:
                return {"fulfillment": None, "userErrors": [
                    user_error(["fulfillment"], "Fulfillment order does not exist.")]}
            if fo.status not in ("OPEN", "IN_PROGRESS"):
                return {"fulfillment": None, "userErrors": [user_error(
                    ["fulfillment"], f"Fulfillment order {fo.id} has an unfulfillable status= {fo.status.lower()}.")]}
            order_numbers.add(fo.order_number)
            lines = dict(fo.lines)
            wanted = group.get("fulfillmentOrderLineItems")
            if wanted is None:
                picked += [(fo, li, li.quantity - li.fulfilled) for _, li in fo.lines if li.quantity > li.fulfilled]
                continue
            for row in wanted:
                li = lines.get(gid_number(row["id"]) or -1)
                quantity = int(row["quantity"])
                if li is None or quantity < 1 or quantity > li.quantity - li.fulfilled:
                    return {"fulfillment": None, "userErrors": [user_error(
                        ["fulfillment"], "Invalid fulfillment order line item quantity requested.")]}
                picked.append((fo, li, quantity))
        if len(order_numbers) != 1 or not picked:
            return {"fulfillment": None, "userErrors": [
                user_error(["fulfillment"], "Fulfillment orders must belong to the same order.")]}
        o = state.orders[order_numbers.pop()]
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = list(tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else []))
        urls = list(tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else []))
        record = Fulfillment(number=state.next_id(), order_number=o.number, location_number=picked[0][0].location_number,
                             company=tracking.get("company"), numbers=numbers, urls=urls,
                             lines=[(li, quantity) for _, li, quantity in picked], createdAt=state.now())
        for _, li, quantity in picked:
            li.fulfilled += quantity
        for fo in {id(fo): fo for fo, _, _ in picked}.values():
            if all(li.fulfilled >= li.quantity for _, li in fo.lines):
                fo.status = "CLOSED"
            else:
                fo.status = "IN_PROGRESS"
        o.fulfillments.append(record)
        state.fulfillments[record.number] = record
    emit(info, "fulfillments/create", payloads.fulfillment_payload(record, o))
    order_touched(info, o, "orders/fulfilled" if o.fulfillment_status == "FULFILLED"
                  else "orders/partially_fulfilled")
    return {"fulfillment": record, "userErrors": []}


@resolver("Mutation.fulfillmentTrackingInfoUpdate")
def fulfillment_tracking_update(_: Any, info: GraphQLResolveInfo, fulfillmentId: str,
                                trackingInfoInput: dict[str, Any], notifyCustomer: bool | None = None) -> dict[str, Any]:
    state = state_of(info)
    record = state.fulfillments.get(gid_number(fulfillmentId) or -1)
    if record is None:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillmentId"], "Fulfillment does not exist.")]}
    with state.lock:
        tracking = trackingInfoInput
        record.company = tracking.get("company", record.company)
        record.numbers = list(tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else []))
        record.urls = list(tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else []))
        o = state.orders[record.order_number]
    emit(info, "fulfillments/update", payloads.fulfillment_payload(record, o))
    return {"fulfillment": record, "userErrors": []}
