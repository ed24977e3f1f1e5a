"""What happens right after a merchant connects a store or lets it feed a TikTok shop.

Store: subscribe to its webhooks (where it has them) and read its catalog. Feed: link existing TikTok
products by SKU, then keep their price and stock in step.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedbridge.db.activity import log_activity
from feedbridge.db.intents import record_intent
from feedbridge.db.models import StoreConnection, StoreFeed
from feedbridge.db.session import transaction
from feedbridge.runtime import Runtime
from feedbridge.sync.connections import store_for


async def set_up_store(runtime: Runtime, connection_id: int) -> None:
    """Register the store's webhooks and queue a catalog read; a webhook failure is explained, not fatal."""
    with runtime.sessions() as session:
        connection = session.get(StoreConnection, connection_id)
        assert connection is not None
    store = store_for(runtime, connection)
    message, level = "", "info"
    try:
        if store.capabilities.webhooks:
            address = f"{runtime.settings.public_url.rstrip('/')}/webhooks/store/{connection_id}"
            hooks = await store.register_webhooks(address)
            message = f"Subscribed to {len(hooks)} webhooks of your store ({', '.join(h.topic for h in hooks)})."
        else:
            message = "This store has no webhooks: feedbridge checks it for changes every minute."
    except Exception as exc:
        message, level = f"Webhooks could not be registered: {exc}. feedbridge polls the store instead.", "warning"
    finally:
        await store.aclose()
    with transaction(runtime.sessions) as session:
        record_intent(session, "catalog.refresh", str(connection_id), {"connection": connection_id},
                      merchant_id=connection.merchant_id)
        log_activity(session, connection.merchant_id, "store.webhooks", message, level=level,
                     subject=f"store_connection:{connection_id}")


def set_up_feed(session: Session, feed: StoreFeed) -> None:
    """Queue linking by SKU for a new feed (in the caller's transaction)."""
    record_intent(session, "link.by_sku", str(feed.id), {"feed": feed.id}, merchant_id=feed.merchant_id)
