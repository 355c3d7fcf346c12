"""A view's writes in one short transaction after its reads and checks, with the
Idempotency-Key of the request claimed in that same transaction (issue 16).

The Idempotency-Key middleware (api.idempotency) wraps a POST's whole view in the
transaction that claims its key, unless the path is one of its VIEW_CLAIMED: then it
leaves a Claim on the request and the view calls write_once once it has read and checked
everything, so that SQLite's one writer is held for the writes only. The answer is
rendered inside the block (rendered) because the key stores its bytes with the writes."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpResponse


def write_once(request, write: Callable[[], HttpResponse]) -> HttpResponse:
    """`write()` (the writes and the rendered answer) in one transaction, with the request's
    key claimed in it when it has one (a retry gets the stored answer, a concurrent request
    with the key replays it; an error stores nothing)."""
    claim = getattr(request, "idempotency_claim", None)
    if claim is not None:
        return claim.write_once(write)
    with transaction.atomic():
        return write()


# The NinjaAPI serving each URL namespace (tokodesk.ops.api registers the one at /api/v1/):
# its renderer and content type render an answer the view renders itself (rendered).
_APIS: dict[str, object] = {}


def serve(api) -> None:
    """Register `api` (a NinjaAPI) as the one serving its URL namespace."""
    _APIS[api.urls_namespace] = api


def serving_api(request):
    """The NinjaAPI serving this request (registered with serve), for its renderer."""
    try:
        return _APIS[request.resolver_match.namespace]
    except (AttributeError, KeyError):
        raise LookupError(f"no API registered for {request.path!r}") from None


def _operation(request):
    """The django-ninja operation running this request, reached through the URL view's
    closure and ninja's private _find_operation: only for tests that compare rendered()
    with ninja's own validation (test_list_unvalidated), never for an answer."""
    import inspect

    from ninja.operation import PathView

    view = inspect.unwrap(request.resolver_match.func)
    for cell in view.__closure__ or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents._find_operation(request)
    raise LookupError(f"not a django-ninja view: {view!r}")


def rendered(request, status: int, data, schema=None) -> HttpResponse:
    """`data` rendered as django-ninja renders a view's Status(status, data) when its
    response for `status` is `schema` (a ninja Schema): validated by the schema and dumped
    with ninja's defaults (no alias, nothing excluded), then the serving API's renderer
    (create_response): ninja's public API only, so an upgrade that moves ninja's internals
    changes nothing here (test_write_block_render compares the bytes with ninja's own
    answer). With the ETag the view set (request.tokodesk_etag).

    Without `schema`: ninja's own rendering of the running operation (its private
    _result_to_response, through _operation), the reference the tests compare with."""
    if schema is None:
        from ninja import Status

        operation = _operation(request)
        response = operation._result_to_response(
            request, Status(status, data), operation.api.create_temporal_response(request)
        )
    else:
        context = {"request": request, "response_status": status}
        validated = schema.model_validate(data, context=context)
        body = validated.model_dump(
            by_alias=False,
            exclude_unset=False,
            exclude_defaults=False,
            exclude_none=False,
            context=context,
        )
        response = serving_api(request).create_response(request, body, status=status)
    etag = getattr(request, "tokodesk_etag", None)
    if etag and 200 <= response.status_code < 300:
        # What api.idempotency.ETagMiddleware adds later: here before the key stores it.
        response["ETag"] = etag
    return response
