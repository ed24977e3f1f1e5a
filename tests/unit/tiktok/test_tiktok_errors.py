"""TikTok error codes map to the right error type and keep TikTok's details."""

from __future__ import annotations

import pytest

from feedbridge.errors import AuthError, PlatformError, RetryableError
from feedbridge.tiktok.errors import TikTokAuthError, TikTokError, TikTokRetryableError, error_for


@pytest.mark.parametrize("code", [101000, 105001, 105002, 105005])
def test_token_problems_are_auth_errors(code: int) -> None:
    error = error_for(code, "token problem", request_id="R")
    assert isinstance(error, TikTokAuthError) and isinstance(error, AuthError)
    assert (error.code, error.request_id, error.platform) == (code, "R", "tiktok")
    assert error.action  # tells the merchant to reconnect


@pytest.mark.parametrize("code", [36009002, 36009003])
def test_rate_limit_and_internal_errors_are_retryable(code: int) -> None:
    error = error_for(code, "busy")
    assert isinstance(error, TikTokRetryableError)
    assert isinstance(error, RetryableError) and isinstance(error, PlatformError)
    assert error.delay is not None and error.delay > 0


def test_http_429_without_code_is_retryable() -> None:
    assert isinstance(error_for(None, "slow down", status=429), TikTokRetryableError)


def test_product_error_is_a_plain_platform_error_with_an_action() -> None:
    error = error_for(12052024, "Category is not a leaf category", request_id="RQ")
    assert type(error) is TikTokError
    assert error.message == "Category is not a leaf category"
    assert str(error) == (
        "tiktok error 12052024: Category is not a leaf category (request id RQ) "
        "Map the store category to a leaf (lowest-level) TikTok category."
    )


def test_unknown_code_keeps_tiktok_message_without_invented_action() -> None:
    error = error_for(99999999, "Something new")
    assert type(error) is TikTokError
    assert error.action is None
    assert "Something new" in str(error)
