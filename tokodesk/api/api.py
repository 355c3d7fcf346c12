"""The JSON API at /api/v1/: one NinjaAPI, our error shape, and every app's router."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tokodesk.api.auth import TokenAuth, UserSessionAuth
from tokodesk.core.errors import DomainError

api = NinjaAPI(
    title="tokodesk API",
    version="1",
    description="Orders, returns, customers and catalog of a tokodesk shop. Send "
    "`Authorization: Bearer <token>` (make one with `tokodesk createtoken USERNAME`). "
    "POSTs take an `Idempotency-Key`; PATCH and actions take `If-Match` or `version`.",
    auth=[TokenAuth(), UserSessionAuth()],
    urls_namespace="api",
)


def error(request, status: int, code: str, message, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}},
        status=status,
    )


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    status = exc.status
    if exc.code == "stale_version" and getattr(request, "_tokodesk_if_match", False):
        status = 412
    return error(request, status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path", "header"))
        fields.setdefault(loc or "__all__", err.get("msg", "invalid"))
    return error(request, 422, "invalid_input", _("The request is not valid."), fields)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error(request, exc.status_code, "bad_request" if exc.status_code < 500 else "error", str(exc))


def _register():
    from tokodesk.api.catalog import router as catalog_router
    from tokodesk.orders.api import router as orders_router

    api.add_router("/orders", orders_router)
    api.add_router("/", catalog_router)


_register()

__all__ = ["api"]
