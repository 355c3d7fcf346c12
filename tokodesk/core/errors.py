"""Domain errors: one exception type with a stable machine `code`, a human message in
the user's language, optional per-field messages, and the HTTP status the API answers."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """The action is not possible in the object's current state (409)."""

    status = 409


class StaleVersion(DomainError):
    """The caller acted on an old copy of the object (409, or 412 through If-Match)."""

    status = 409
