"""The JSON API at /api/v1/: one NinjaAPI, our error shape, and every app's router. It sits
in ops, the top floor, because it imports every app's router; the helpers those routers use
(error schema, guard, action endpoints) are below the apps, in tokodesk/core/api/."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tokodesk.accounts.api_auth import TokenAuth, UserSessionAuth
from tokodesk.core import validation_messages
from tokodesk.core.api import actions, guard, write_block
from tokodesk.core.api.renderer import ApiRenderer
from tokodesk.core.errors import DomainError


class TokodeskAPI(NinjaAPI):
    """ninja's API whose every URL answers its errors in JSON: each callback goes through
    guard.guard_url (405, 413) and any path no operation matches is a JSON 404."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = guard.guard_url(pattern.callback)
        patterns.append(re_path(r"^.*$", guard.not_found, name="not-found"))
        return patterns

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The OpenAPI document, built once per prefix: the routers are all registered at
        import, and building it (a JSON schema per operation and response) takes a second
        of CPU. The action endpoints' input models (core.api.actions) join components/schemas."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_tokodesk_openapi", {})
        if path_prefix not in cache:
            cache[path_prefix] = actions.hoist_components(super().get_openapi_schema(path_prefix=path_prefix))
        return cache[path_prefix]


api = TokodeskAPI(
    title="tokodesk API",
    version="1",
    description="Orders, returns, customers and catalog of a tokodesk shop. Send "
    "`Authorization: Bearer <token>` (make one with `tokodesk createtoken USERNAME`). "
    "POSTs take an `Idempotency-Key`; PATCH and actions take `If-Match` or `version`.",
    auth=[TokenAuth(), UserSessionAuth()],
    urls_namespace="api",
    parser=guard.ApiParser(),
    renderer=ApiRenderer(),  # ninja's bytes, cheaper (core/api/renderer.py)
)
write_block.serve(api)  # the renderer of the answers its views render themselves


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


_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def _field_name(loc) -> str:
    """("body", "payload", "lines", 0, "qty") → "lines.0.qty". Only the leading source and
    body parameter are dropped, so a field itself named `body` or `query` keeps its name."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        loc = _field_name(err.get("loc", ()))
        fields.setdefault(loc or "__all__", validation_messages.message(err))
    return error(request, 422, "invalid_input", _("The request is not valid."), fields)


# Wrong content type (415), body too large (413), NUL characters (400): before
# authentication and validation (guard.py).
api.add_decorator(guard.guard_operation, mode="view")


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    if isinstance(exc, RequestDataTooBig):
        return guard.too_big()
    return error(request, 400, "bad_request", _("The request could not be read."))


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # the body parser's invalid_json
        return domain_error(request, exc.__cause__)
    return error(request, exc.status_code, "bad_request" if exc.status_code < 500 else "error", str(exc))


def _register():
    from tokodesk.api.catalog import router as catalog_router
    from tokodesk.catalog.api import router as products_router
    from tokodesk.exports.api import exports_router, templates_router
    from tokodesk.orders.api import router as orders_router
    from tokodesk.returns.api import refunds_router, store_credit_router
    from tokodesk.returns.api import router as returns_router

    api.add_router("/orders", "tokodesk.tracking.api.orders_router")  # first: /{reference}/tracking is a GET
    api.add_router("/orders", orders_router)
    api.add_router("/returns", "tokodesk.notifications.api.router")  # first: its literal paths beat /{reference}
    api.add_router("/returns", returns_router)
    api.add_router("/refunds", refunds_router)
    api.add_router("/report-templates", "tokodesk.returns.reports.api.router")
    api.add_router("/store-credit", store_credit_router)
    api.add_router("/export-templates", templates_router)
    api.add_router("/exports", exports_router)
    api.add_router("/webhooks", "tokodesk.webhooks.api.router")
    api.add_router("/cod-remittances", "tokodesk.payments.api.router")
    api.add_router("/claims", "tokodesk.payments.claim_api.router")
    api.add_router("/payments", "tokodesk.payments.method_api.router")
    api.add_router("/shipping", "tokodesk.dispatch.api.router")
    api.add_router("/shipping", "tokodesk.tracking.api.webhook_router")
    api.add_router("/tracking", "tokodesk.tracking.api.router")
    api.add_router("/shipping", "tokodesk.shipping.api.router")
    api.add_router("/regions", "tokodesk.shipping.api.regions_router")
    api.add_router("/stock", "tokodesk.catalog.stock_api.router")
    api.add_router("/", products_router)
    api.add_router("/", catalog_router)


_register()

__all__ = ["api"]
