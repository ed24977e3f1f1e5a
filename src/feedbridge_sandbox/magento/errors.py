"""Magento's error answer: `{"message": "... %1 ...", "parameters": [...]}` with the HTTP status."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class MagentoError(Exception):
    """Raised by the store model; the app answers with Magento's error shape."""

    def __init__(self, status: int, message: str, parameters: list[Any] | dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters if parameters is not None else []

    def response(self) -> JSONResponse:
        return JSONResponse({"message": self.message, "parameters": self.parameters}, status_code=self.status)


def not_found(message: str, parameters: list[Any] | dict[str, Any] | None = None) -> MagentoError:
    return MagentoError(404, message, parameters)


def bad_request(message: str, parameters: list[Any] | dict[str, Any] | None = None) -> MagentoError:
    return MagentoError(400, message, parameters)


def required(field_name: str) -> MagentoError:
    return MagentoError(400, '"%fieldName" is required. Enter and try again.', {"fieldName": field_name})
