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


def _operation(request):
    """The django-ninja operation running this request (bound to the API, with its renderer):
    the one the URL's view (a PathView's wrapper) finds for the method."""
    import inspect

    from ninja.operation import PathView

    view = inspect.unwrap(request.resolver_match.func)
    for cell in view.__closure__ or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents._find_operation(request)
    raise LookupError(f"not a django-ninja view: {view!r}")


def rendered(request, status: int, data) -> HttpResponse:
    """`data` rendered as django-ninja renders the running view's Status(status, data) when
    the view returns it (its response schema, the API's renderer), with the ETag the view
    set (request.tokodesk_etag)."""
    from ninja import Status

    operation = _operation(request)
    response = operation._result_to_response(
        request, Status(status, data), operation.api.create_temporal_response(request)
    )
    etag = getattr(request, "tokodesk_etag", None)
    if etag and 200 <= response.status_code < 300:
        # What api.idempotency.ETagMiddleware adds later: here before the key stores it.
        response["ETag"] = etag
    return response
