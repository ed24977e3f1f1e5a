"""The simulated product audit: PENDING listings are decided once their review delay has passed.

A listing fails when its title contains one of the configured keywords (default "FAILREVIEW"), otherwise it
is approved. Both outcomes send PRODUCT_STATUS_CHANGE (type 5) and PRODUCT_AUDIT_STATUS_CHANGE (type 37).
"""

from __future__ import annotations

from feedbridge_sandbox.tiktok.runtime import Runtime
from feedbridge_sandbox.tiktok.state import Product


def fails_review(runtime: Runtime, product: Product) -> bool:
    """Whether the listing's title contains a keyword the review rules fail."""
    title = product.fields["title"].lower()
    return any(k and k.lower() in title for k in runtime.settings.review.fail_title_keywords)


def decide(runtime: Runtime, product: Product, approve: bool | None = None) -> None:
    """Finish the audit of one PENDING listing (by the rules, or forced with `approve`)."""
    rules = runtime.settings.review
    passed = not fails_review(runtime, product) if approve is None else approve
    product.review_due = None
    runtime.state.pending_reviews.discard(product.id)
    product.update_time = runtime.state.now()
    if passed:
        first = not product.approved_once
        product.status, product.audit_status, product.audit_failed_reasons = "ACTIVATE", "APPROVED", []
        product.approved_once = True
        webhook_status = "PRODUCT_FIRST_PASS_REVIEW" if first else "PRODUCT_STATUS_CHANGED"
    else:
        product.status, product.audit_status = "FAILED", "FAILED"
        product.audit_failed_reasons = [{"position": "product", "reasons": list(rules.reasons),
                                         "suggestions": list(rules.suggestions), "listing_platform": "TIKTOK_SHOP"}]
        webhook_status = "PRODUCT_AUDIT_FAILURE"
    runtime.notify(product.shop_id, "PRODUCT_STATUS_CHANGE", {
        "product_id": int(product.id), "status": webhook_status, "suspended_reason": "" if passed else
        "; ".join(rules.reasons), "update_time": product.update_time})
    runtime.notify(product.shop_id, "PRODUCT_AUDIT_STATUS_CHANGE", {
        "product_id": int(product.id), "audit": {"status": product.audit_status, "pre_approved_reasons": []},
        "update_time": product.update_time})


def review_ticker(runtime: Runtime) -> None:
    """Decide every listing whose review delay has passed."""
    now = runtime.clock.now()
    for product_id in sorted(runtime.state.pending_reviews):
        product = runtime.state.products[product_id]
        if product.status != "PENDING":
            runtime.state.pending_reviews.discard(product_id)
        elif product.review_due is not None and product.review_due <= now:
            decide(runtime, product)
