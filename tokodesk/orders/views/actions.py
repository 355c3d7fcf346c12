"""The actions of an order from its row, card or page: the modal and the run come from
core.action_views (as for returns); each calls the same service as the API. The bulk bar is
views/bulk.py."""

from __future__ import annotations

from django.http import Http404
from django.template.loader import render_to_string

from tokodesk.core.action_views import ActionPage
from tokodesk.core.action_views import action_view as core_action_view
from tokodesk.orders import selectors, services
from tokodesk.orders.forms import action_form_class
from tokodesk.orders.help import ACTION_HELP
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.orders.views.common import refusal_text

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
    error_text=refusal_text, help_texts=ACTION_HELP,
))
