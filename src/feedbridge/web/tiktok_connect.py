"""Connecting a TikTok shop from the dashboard: start (redirect to TikTok) and the callback TikTok redirects to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from feedbridge.errors import ConfigError, DataError
from feedbridge.sync.shops import finish_authorization, start_authorization
from feedbridge.web.deps import CurrentMerchant, current_merchant, get_runtime
from feedbridge.web.tiktok_regions import REGIONS

router = APIRouter(include_in_schema=False)


@router.get("/connect/tiktok/start")
def tiktok_start(request: Request, region: str = "", me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """Send the merchant to TikTok to authorize feedbridge for their shop in `region`."""
    settings = get_runtime(request).settings
    if region not in REGIONS:
        raise DataError("Choose the region your TikTok shop sells in.", field="region")
    if not settings.tiktok_app_key or not settings.tiktok_service_id:
        raise ConfigError("TikTok Shop authorization is not set up on this feedbridge server.",
                          action="The operator sets FEEDBRIDGE_TIKTOK_APP_KEY, _APP_SECRET and _SERVICE_ID "
                                 "(see docs/platforms/tiktok.md).")
    return RedirectResponse(start_authorization(get_runtime(request), me.id, region), status_code=303)


@router.get("/connect/tiktok/callback")
async def tiktok_callback(request: Request, me: CurrentMerchant = Depends(current_merchant)) -> Response:
    """TikTok sends the merchant back here with ?code&state; the shops are connected, then Connections shows them."""
    await finish_authorization(get_runtime(request), me.id, dict(request.query_params))
    return RedirectResponse("/connections", status_code=303)
