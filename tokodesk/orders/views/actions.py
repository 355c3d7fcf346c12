"""Row and bulk actions of the orders page: each calls the same service as the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.action_views import ActionPage
from tokodesk.core.action_views import action_view as core_action_view
from tokodesk.core.errors import DomainError
from tokodesk.core.models import ShopSettings
from tokodesk.orders import selectors, services
from tokodesk.orders.forms import FIELD_LABELS, OrderFilterForm, action_form_class
from tokodesk.orders.help import ACTION_HELP
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.orders.views.common import BULK_LIMIT

DISPLAYS = {
    "row": "orders/_row.html",
    "card": "orders/_card.html",
    "detail": "orders/_detail_body.html",
}


def _order_or_404(request, reference):
    order = selectors.order_get(user=request.user, reference=reference)
    if order is None:
        raise Http404
    return order


def _render_display(request, order, display):
    if display == "detail":
        from tokodesk.orders.views.detail import detail_context

        context = detail_context(request, order)
    else:
        # The row or card as the list draws it (its menu loads again when opened).
        from tokodesk.orders.views.list import display_context

        context = display_context(
            request, [order], view_mode="card" if display == "card" else "list"
        )
        context.update(row=context["rows"][0], swap=True)
    return render_to_string(DISPLAYS[display], context, request=request)


def _form_for(transition, order, data, files):
    form_class = action_form_class(transition, order)
    if form_class is None:
        return None
    return form_class(data, files) if data is not None else form_class()


def _run(request, order, transition, inputs, files, expected_version):
    updated = services.order_apply_action(
        reference=order.reference, action=transition.action, actor=request.user, inputs=inputs,
        expected_version=expected_version, source="web", files=files,
    )
    return updated, ""


# GET: the action's form or confirmation step (in the modal). POST: run it, answer with the
# updated row/card/detail and a message (core.action_views, shared with the returns pages).
action_view = core_action_view(ActionPage(
    table=ORDER_TRANSITIONS, object_name="order", get_object=_order_or_404, form_for=_form_for, run=_run,
    render_display=_render_display, status_label=lambda order: Status(order.status).label,
    displays=tuple(DISPLAYS), template="orders/_action_form.html", changed_event="ordersChanged",
    error_text=lambda exc: _with_fields(exc), help_texts=ACTION_HELP,
))


def _bulk_label(operation: str) -> str:
    if operation in ORDER_TRANSITIONS.transitions:
        return ORDER_TRANSITIONS.transitions[operation].label
    return {
        "assign": _("Change agent"),
        "tag_add": _("Add tag"),
        "tag_remove": _("Remove tag"),
    }.get(operation, operation)


def _modal_response(html: str, status: int, request) -> HttpResponse:
    """The bulk answer, into the modal. A refusal is 409/422 to a plain client; htmx swaps
    only 2xx answers, so the page (HX-Request) gets it as 200 to show it."""
    if request.headers.get("HX-Request") == "true":
        status = 200
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = "#modal-body"
    response["HX-Reswap"] = "innerHTML"
    return response


def _posted_count(request) -> int | None:
    raw = request.POST.get("select_all_count", "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _select_all(request, operation):
    """The references "all under this filter" stands for, or the refusal to answer with.

    The filter is the page's (its query string), validated by the page's form: a value
    that is not valid refuses the whole request (never dropped, which would widen the
    selection). The page sent the count it showed (`select_all_count`, from the tab
    strip); the server counts again under the same filter and the user's scope (agents:
    their own orders) and asks again when the numbers differ."""
    form = OrderFilterForm(request.GET or None, user=request.user)
    context = {"label": _bulk_label(operation)}
    if form.is_bound and not form.is_valid():
        from tokodesk.orders.views.list import filter_error_texts

        context["errors"] = filter_error_texts(form)
        html = render_to_string("orders/_bulk_confirm.html", context, request=request)
        return None, _modal_response(html, 422, request)
    filters = selectors.OrderFilters(**form.filter_values()) if form.is_bound else selectors.OrderFilters()
    if not filters.tab:
        filters.tab = "all"
    qs = selectors.filter_orders(selectors.order_queryset_for(request.user), filters)
    references = list(
        qs.order_by("-created_at", "-id").values_list("reference", flat=True)[: BULK_LIMIT + 1]
    )
    total = len(references) if len(references) <= BULK_LIMIT else qs.count()
    shown = _posted_count(request)
    if shown is not None and shown == total and total > 0:
        return references[:BULK_LIMIT], None
    fields = {
        name: request.POST.get(name, "")[:200] for name in ("operation", "reason", "tag", "agent")
    }
    context.update(
        {
            "shown": shown,
            "total": total,
            "limit": BULK_LIMIT,
            "over_limit": total > BULK_LIMIT,
            "fields": fields,
            "action_url": request.get_full_path(),
        }
    )
    html = render_to_string("orders/_bulk_confirm.html", context, request=request)
    return None, _modal_response(html, 409, request)


@login_required
@require_POST
def bulk_view(request):
    """Run one operation on the selected orders (or all under the filter). Each order
    changes in its own transaction: it changes completely or not at all."""
    operation = request.POST.get("operation", "")
    if request.POST.get("select_all") == "1":
        references, refusal = _select_all(request, operation)
        if refusal is not None:
            return refusal
    else:
        references = request.POST.getlist("refs")[:BULK_LIMIT]
    reason = request.POST.get("reason", "").strip()
    with ShopSettings.read_once():
        changed, refused = _bulk_run(request, operation, references, reason)
    html = render_to_string(
        "orders/_bulk_result.html",
        {"label": _bulk_label(operation), "changed": changed, "refused": refused},
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Retarget"] = "#modal-body"
    response["HX-Reswap"] = "innerHTML"
    response["HX-Trigger"] = "ordersChanged"
    return response


def _bulk_run(request, operation, references, reason):
    """Each order changes completely or not at all: an action of the order table runs in
    batches (services.order_apply_action_many), agent and tag changes order by order."""
    references = list(dict.fromkeys(references))
    if operation in ORDER_TRANSITIONS.transitions:
        inputs = {"reason": reason} if reason else {}
        changed, errors = services.order_apply_action_many(
            references=references, action=operation, actor=request.user, inputs=inputs, source="web"
        )
        return changed, [(reference, _refusal(exc)) for reference, exc in errors]
    changed, refused = [], []
    for reference in references:
        try:
            if operation == "assign":
                services.order_assign_agent(
                    reference=reference,
                    actor=request.user,
                    agent=request.POST.get("agent") or None,
                    source="web",
                )
            elif operation in ("tag_add", "tag_remove"):
                tag = request.POST.get("tag", "").strip()
                if not tag:
                    raise DomainError("invalid_input", _("Type a tag."))
                services.order_tag(
                    reference=reference,
                    actor=request.user,
                    add=[tag] if operation == "tag_add" else [],
                    remove=[tag] if operation == "tag_remove" else [],
                    source="web",
                )
            else:
                raise DomainError("unknown_action", _("Choose an action."))
            changed.append(reference)
        except DomainError as exc:
            refused.append((reference, _refusal(exc)))
    return changed, refused


def _with_fields(exc: DomainError) -> str:
    """The refusal with what is wrong in each field ("Payment link: Enter an address …")."""
    if not exc.fields:
        return str(exc.message)
    details = "; ".join(f"{FIELD_LABELS.get(name, name)}: {text}" for name, text in exc.fields.items())
    return f"{exc.message} {details}"


def _refusal(exc: DomainError) -> str:
    if exc.code == "invalid_input" and exc.fields:
        return _("This action needs: %(fields)s.") % {"fields": ", ".join(exc.fields)}
    return exc.message
