"""Every GraphQL document the Shopify adapter sends (Admin API 2026-04).

Kept as module constants so a test can validate each one against the stored schema. `ALL` lists them all.
Page sizes are variables: the adapter shrinks them when Shopify reports a query would cost too much.
"""

from __future__ import annotations

API_VERSION = "2026-04"

VARIANT_FIELDS = """
fragment VariantFields on ProductVariant {
  id
  title
  sku
  barcode
  price
  compareAtPrice
  inventoryPolicy
  updatedAt
  selectedOptions { name value }
  media(first: 1) { nodes { preview { image { url } } } }
  inventoryItem {
    id
    tracked
    measurement { weight { unit value } }
    inventoryLevels(first: $levels) {
      nodes {
        location { id }
        quantities(names: ["available"]) { name quantity }
      }
    }
  }
}
"""

PRODUCT_FIELDS = """
fragment ProductFields on Product {
  id
  title
  descriptionHtml
  vendor
  productType
  handle
  status
  tags
  updatedAt
  options { name }
  featuredMedia { preview { image { url } } }
  variants(first: $variants) {
    nodes { ...VariantFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SHOP = """
query FeedbridgeShop {
  shop { name currencyCode weightUnit ianaTimezone myshopifyDomain }
}
"""

LOCATIONS = """
query FeedbridgeLocations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}
"""

COLLECTIONS = """
query FeedbridgeCollections($first: Int!, $after: String) {
  collections(first: $first, after: $after) {
    nodes { id title handle }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PRODUCTS_PAGE = (
    """
query FeedbridgeProductsPage($first: Int!, $after: String, $query: String, $variants: Int!, $levels: Int!) {
  products(first: $first, after: $after, query: $query, sortKey: ID) {
    nodes { ...ProductFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

PRODUCT = (
    """
query FeedbridgeProduct($id: ID!, $variants: Int!, $levels: Int!) {
  product(id: $id) { ...ProductFields }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

PRODUCT_MORE_VARIANTS = (
    """
query FeedbridgeProductVariants($id: ID!, $after: String, $variants: Int!, $levels: Int!) {
  product(id: $id) {
    variants(first: $variants, after: $after) {
      nodes { ...VariantFields }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + VARIANT_FIELDS
)

INVENTORY_ITEM_PRODUCT = """
query FeedbridgeInventoryItemProduct($id: ID!) {
  inventoryItem(id: $id) { id variants(first: 1) { nodes { id product { id } } } }
}
"""

CHANGED_PRODUCTS = """
query FeedbridgeChangedProducts($first: Int!, $after: String, $query: String!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

WEBHOOK_SUBSCRIPTIONS = """
query FeedbridgeWebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation FeedbridgeWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

ORDER_REF_FIELDS = """
fragment OrderRefFields on Order {
  id
  name
  sourceIdentifier
  tags
  note
  closed
  cancelledAt
  displayFulfillmentStatus
}
"""

FIND_ORDERS = (
    """
query FeedbridgeFindOrders($query: String!) {
  orders(first: 10, query: $query) {
    nodes { ...OrderRefFields }
  }
}
"""
    + ORDER_REF_FIELDS
)

ORDER = (
    """
query FeedbridgeOrder($id: ID!) {
  order(id: $id) { ...OrderRefFields }
}
"""
    + ORDER_REF_FIELDS
)

ORDER_CREATE = (
    """
mutation FeedbridgeOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { ...OrderRefFields }
    userErrors { field message code }
  }
}
"""
    + ORDER_REF_FIELDS
)

ORDER_UPDATE = """
mutation FeedbridgeOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note }
    userErrors { field message }
  }
}
"""

TAGS_ADD = """
mutation FeedbridgeTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

ORDER_CANCEL = """
mutation FeedbridgeOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: true, notifyCustomer: false,
              refundMethod: { originalPaymentMethodsRefund: false },
              staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

ORDER_CLOSE = """
mutation FeedbridgeOrderClose($input: OrderCloseInput!) {
  orderClose(input: $input) {
    order { id closed }
    userErrors { field message }
  }
}
"""

ORDER_OPEN = """
mutation FeedbridgeOrderOpen($input: OrderOpenInput!) {
  orderOpen(input: $input) {
    order { id closed }
    userErrors { field message }
  }
}
"""

FULFILLMENT_ORDERS = """
query FeedbridgeFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id
        status
        lineItems(first: 20) {
          nodes { id remainingQuantity lineItem { id sku variant { id } } }
        }
      }
    }
  }
}
"""

FULFILLMENT_FIELDS = """
fragment FulfillmentFields on Fulfillment {
  id
  status
  createdAt
  trackingInfo(first: 3) { company number url }
  fulfillmentLineItems(first: 20) {
    nodes { quantity lineItem { sku variant { id } } }
  }
}
"""

FULFILLMENT_CREATE = (
    """
mutation FeedbridgeFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { ...FulfillmentFields }
    userErrors { field message }
  }
}
"""
    + FULFILLMENT_FIELDS
)

ORDER_FULFILLMENTS = (
    """
query FeedbridgeOrderFulfillments($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 5) { ...FulfillmentFields }
  }
}
"""
    + FULFILLMENT_FIELDS
)

ALL: dict[str, str] = {
    "SHOP": SHOP,
    "LOCATIONS": LOCATIONS,
    "COLLECTIONS": COLLECTIONS,
    "PRODUCTS_PAGE": PRODUCTS_PAGE,
    "PRODUCT": PRODUCT,
    "PRODUCT_MORE_VARIANTS": PRODUCT_MORE_VARIANTS,
    "INVENTORY_ITEM_PRODUCT": INVENTORY_ITEM_PRODUCT,
    "CHANGED_PRODUCTS": CHANGED_PRODUCTS,
    "WEBHOOK_SUBSCRIPTIONS": WEBHOOK_SUBSCRIPTIONS,
    "WEBHOOK_SUBSCRIPTION_CREATE": WEBHOOK_SUBSCRIPTION_CREATE,
    "FIND_ORDERS": FIND_ORDERS,
    "ORDER": ORDER,
    "ORDER_CREATE": ORDER_CREATE,
    "ORDER_UPDATE": ORDER_UPDATE,
    "TAGS_ADD": TAGS_ADD,
    "ORDER_CANCEL": ORDER_CANCEL,
    "ORDER_CLOSE": ORDER_CLOSE,
    "ORDER_OPEN": ORDER_OPEN,
    "FULFILLMENT_ORDERS": FULFILLMENT_ORDERS,
    "FULFILLMENT_CREATE": FULFILLMENT_CREATE,
    "ORDER_FULFILLMENTS": ORDER_FULFILLMENTS,
}
