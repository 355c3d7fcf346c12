"""The tracking pages: the events (filter, retry the failed or not applied ones) and the CSV
import with its preview. Views parse, call the services, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tokodesk.core.errors import DomainError
from tokodesk.tracking import csv_import, selectors, services
from tokodesk.tracking.models import TrackingEvent

SHIP = services.SHIP
PER_PAGE = 50


@login_required
@permission_required(SHIP, raise_exception=True)
@require_GET
def events_view(request):
    status = request.GET.get("status", "")[:30]
    q = request.GET.get("q", "")[:64]
    page = Paginator(selectors.events_page(status=status, q=q), PER_PAGE).get_page(
        request.GET.get("page")
    )
    choices = [("", _("All")), ("attention", _("Needs attention")), *TrackingEvent.Status.choices]
    return render(
        request,
        "tracking/events.html",
        {
            "nav": "orders",
            "page": page,
            "events": list(page.object_list),
            "status": status,
            "q": q,
            "choices": choices,
            "attention": selectors.attention_count(),
        },
    )


@login_required
@permission_required(SHIP, raise_exception=True)
@require_POST
def retry_view(request):
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:1000]
    n = services.events_retry(ids=ids, actor=request.user)
    messages.success(
        request, _("%(n)s event(s) queued again: the worker applies them in a moment.") % {"n": n}
    )
    return redirect(f"{request.path.rsplit('/retry', 1)[0]}/?status=attention")


@login_required
@permission_required(SHIP, raise_exception=True)
@require_http_methods(["GET", "POST"])
def csv_view(request):
    """GET: the form. POST with `file`: the preview (nothing written). POST with step=apply
    and the text carried from the preview: the valid rows stored as events."""
    context = {"nav": "orders", "rows": None}
    if request.method == "GET":
        return render(request, "tracking/csv.html", context)
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read(csv_import.MAX_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    else:
        text = request.POST.get("text", "")
    apply = upload is None and request.POST.get("step") == "apply"
    try:
        if apply:
            rows, new = csv_import.import_events(text=text, actor=request.user)
            messages.success(
                request,
                _("%(n)s new event(s) stored: the worker applies them in a moment.") % {"n": new},
            )
            return redirect("tracking:events")
        rows = csv_import.preview(text=text, actor=request.user)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "tracking/csv.html", context, status=422)
    refused = [r for r in rows if r.error]
    context.update(rows=rows, refused=refused, valid=len(rows) - len(refused), text=text)
    return render(request, "tracking/csv.html", context)
