"""The bulk bar of the orders page: one operation on the ticked orders (or all under the
filter), each order changed in its own transaction (completely or not at all).

The bar offers the actions of the order table this user may run, each with the statuses it
starts from (`data-sources`): the page (orders/bulk.js) shows only those at least one
ticked order allows. The bar carries no inputs: an operation that needs some (a reason, a
tag, an agent, an AWB per order for "Ship order") or that undoes work or cancels asks for
them — and so for a confirmation — in the modal (`_bulk_inputs.html`) before it runs.
Actions whose input differs per order and is not an AWB (an amount paid, an invoice
number) are left to each order's own form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError
from tokodesk.core.models import ShopSettings
from tokodesk.orders import selectors, services
from tokodesk.orders.forms import OrderFilterForm
from tokodesk.orders.help import ACTION_HELP, ASK_FIRST
from tokodesk.orders.ship_serials import serials_refusal
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.orders.views.common import BULK_LIMIT, field_label, refusal_text
from tokodesk.shipping.models import Courier

# The inputs a bulk operation can ask once for all its orders; "awb" is asked per order.
SHARED_INPUTS = ("reason",)
PER_ORDER = {"ship": ("awb", "courier")}
OTHER_OPERATIONS = ("assign", "tag_add", "tag_remove")
# The form fields the "all under this filter" count check carries back with the operation.
CARRIED = ("operation", "reason", "tag", "agent", "step")


@dataclass(frozen=True)
class Spec:
    operation: str
    label: str
    fields: tuple[str, ...]  # shared inputs: reason, tag, agent
    required: tuple[str, ...]
    per_order: bool = False  # ship: an AWB (and courier) per order
    ask: bool = False  # asks for a confirmation even without inputs

    @property
    def asks(self) -> bool:
        return bool(self.fields) or self.per_order or self.ask


def _transition_spec(transition) -> Spec | None:
    """The bulk form of an action, or None when its inputs must differ per order."""
    fields = {
        name: info
        for name, info in (transition.inputs.model_fields.items() if transition.inputs else ())
        if name != "version"
    }
    if transition.action in PER_ORDER:
        return Spec(transition.action, str(transition.label), (), (), per_order=True)
    if any(info.is_required() for name, info in fields.items() if name not in SHARED_INPUTS):
        return None
    shared = tuple(name for name in fields if name in SHARED_INPUTS)
    required = tuple(name for name in shared if fields[name].is_required())
    return Spec(
        transition.action,
        str(transition.label),
        shared,
        required,
        ask=transition.action in ASK_FIRST,
    )


def spec_for(operation: str) -> Spec | None:
    if operation in ORDER_TRANSITIONS.transitions:
        transition = ORDER_TRANSITIONS.transitions[operation]
        return _transition_spec(transition) if transition.sources else None
    if operation == "assign":
        return Spec(operation, _("Change agent"), ("agent",), ())
    if operation in ("tag_add", "tag_remove"):
        return Spec(
            operation,
            _("Add tag") if operation == "tag_add" else _("Remove tag"),
            ("tag",),
            ("tag",),
        )
    return None


def bulk_operations(user) -> list[dict]:
    """The bar's choices for this user: the actions (with the statuses they start from, for
    bulk.js) then the agent and tag changes."""
    operations = []
    for transition in ORDER_TRANSITIONS:
        if (
            transition.sources
            and user.has_perm(transition.permission)
            and spec_for(transition.action)
        ):
            operations.append(
                {
                    "value": transition.action,
                    "label": transition.label,
                    "sources": " ".join(transition.sources),
                }
            )
    if user.has_perm("orders.assign_order"):
        operations.append({"value": "assign", "label": _("Change agent"), "sources": ""})
    operations += [
        {"value": "tag_add", "label": _("Add tag"), "sources": ""},
        {"value": "tag_remove", "label": _("Remove tag"), "sources": ""},
    ]
    return operations


# --- the answers, into the modal ----------------------------------------------------------------


def _modal_response(html: str, status: int, request) -> HttpResponse:
    """A bulk answer, into the modal. A refusal is 409/422 to a plain client; htmx swaps
    only 2xx answers, so the page (HX-Request) gets it as 200 to show it."""
    if request.headers.get("HX-Request") == "true":
        status = 200
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = "#modal-body"
    response["HX-Reswap"] = "innerHTML"
    return response


def _inputs_response(
    request, spec: Spec, references, *, errors=None, select_all=False
) -> HttpResponse:
    """The modal that asks what the operation needs (and, so, confirms it)."""
    context = {
        "spec": spec,
        "label": spec.label,
        "help": ACTION_HELP.get(spec.operation, ""),
        "errors": errors or {},
        "select_all": select_all,
        "references": references,
        "action_url": request.get_full_path(),
        "values": {
            name: request.POST.get(name, "")[:1000] for name in (*spec.fields, "select_all_count")
        },
        "fields": [
            {
                "name": name,
                "label": field_label(name),
                "required": name in spec.required,
                "value": request.POST.get(name, "")[:1000],
                "error": (errors or {}).get(name),
            }
            for name in spec.fields
        ],
    }
    if "agent" in spec.fields:
        context["agents"] = OrderFilterForm(user=request.user).fields["agent"].choices
    if spec.per_order:
        context.update(_ship_rows(request, references, errors or {}))
    html = render_to_string("orders/_bulk_inputs.html", context, request=request)
    return _modal_response(html, 422 if errors else 200, request)


def _ship_rows(request, references, errors) -> dict:
    """An AWB (and the courier, the order's by default) per ticked order that can be shipped
    now; the others are named and left out."""
    orders = {
        o.reference: o
        for o in selectors.order_queryset_for(request.user)
        .filter(reference__in=references)
        .select_related("courier")
    }
    transition = ORDER_TRANSITIONS.transitions["ship"]
    rows, left_out = [], []
    for reference in references:
        order = orders.get(reference)
        if order is None or transition not in ORDER_TRANSITIONS.available(order, request.user):
            left_out.append(
                {
                    "reference": reference,
                    "status": Status(order.status).label if order is not None else "",
                }
            )
            continue
        rows.append(
            {
                "order": order,
                "reference": reference,
                "awb": request.POST.get(f"awb_{reference}", "")[:64],
                "courier": request.POST.get(f"courier_{reference}")
                or (order.courier.code if order.courier_id else ""),
                "error": errors.get(f"awb_{reference}"),
            }
        )
    couriers = list(
        Courier.objects.filter(active=True).order_by("name").values_list("code", "name")
    )
    return {
        "rows": rows,
        "left_out": left_out,
        "couriers": couriers,
        "awb_label": field_label("awb"),
        "courier_label": field_label("courier"),
    }


# --- "all under this filter" ------------------------------------------------------------------


def _posted_count(request) -> int | None:
    raw = request.POST.get("select_all_count", "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _select_all(request, label):
    """The references "all under this filter" stands for, or the refusal to answer with.

    The filter is the page's (its query string), validated by the page's form: a value
    that is not valid refuses the whole request (never dropped, which would widen the
    selection). The page sent the count it showed (`select_all_count`, from the tab
    strip); the server counts again under the same filter and the user's scope (agents:
    their own orders) and asks again when the numbers differ."""
    form = OrderFilterForm(request.GET or None, user=request.user)
    context = {"label": label}
    if form.is_bound and not form.is_valid():
        from tokodesk.orders.views.list import filter_error_texts

        context["errors"] = filter_error_texts(form)
        html = render_to_string("orders/_bulk_confirm.html", context, request=request)
        return None, _modal_response(html, 422, request)
    filters = (
        selectors.OrderFilters(**form.filter_values())
        if form.is_bound
        else selectors.OrderFilters()
    )
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
    context.update(
        {
            "shown": shown,
            "total": total,
            "limit": BULK_LIMIT,
            "over_limit": total > BULK_LIMIT,
            "fields": {
                name: request.POST.get(name, "")[:1000] for name in CARRIED if name in request.POST
            },
            "action_url": request.get_full_path(),
        }
    )
    html = render_to_string("orders/_bulk_confirm.html", context, request=request)
    return None, _modal_response(html, 409, request)


# --- the view --------------------------------------------------------------------------------


def _shared_errors(request, spec: Spec) -> dict:
    return {
        name: _("This field is required.")
        for name in spec.required
        if not request.POST.get(name, "").strip()
    }


def _runs_now(request, spec: Spec, errors: dict) -> bool:
    """Whether to run or first ask (the modal). The modal sends step=run; a form that
    already carries every input the operation takes (a client of the form, not the bar)
    runs as sent; the rest asks."""
    if request.POST.get("step") == "run":
        return True
    if not spec.asks:
        return True
    return bool(spec.fields) and not errors and all(name in request.POST for name in spec.fields)


@login_required
@require_POST
def bulk_view(request):
    operation = request.POST.get("operation", "")
    spec = spec_for(operation)
    select_all = request.POST.get("select_all") == "1"
    ticked = list(dict.fromkeys(request.POST.getlist("refs")))[:BULK_LIMIT]
    if spec is not None:
        errors = _shared_errors(request, spec)
        if spec.per_order and select_all:
            html = render_to_string(
                "orders/_bulk_inputs.html",
                {"label": spec.label, "per_order_all": True},
                request=request,
            )
            return _modal_response(html, 422, request)
        if not _runs_now(request, spec, errors):
            return _inputs_response(request, spec, ticked, select_all=select_all)
        if errors:
            return _inputs_response(request, spec, ticked, errors=errors, select_all=select_all)
        if spec.per_order:
            missing = {
                f"awb_{ref}": _("This field is required.")
                for ref in ticked
                if f"awb_{ref}" in request.POST and not request.POST[f"awb_{ref}"].strip()
            }
            if missing or not any(f"awb_{ref}" in request.POST for ref in ticked):
                return _inputs_response(request, spec, ticked, errors=missing or None)
    label = spec.label if spec else _("Bulk action")
    if select_all:
        references, refusal = _select_all(request, label)
        if refusal is not None:
            return refusal
    else:
        references = ticked
    with ShopSettings.read_once():
        if spec is None:
            changed, refused = [], [(reference, _("Choose an action."), "") for reference in references]
        else:
            changed, refused = _bulk_run(request, spec, references)
    html = render_to_string(
        "orders/_bulk_result.html",
        {"label": label, "changed": changed, "refused": refused},
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Retarget"] = "#modal-body"
    response["HX-Reswap"] = "innerHTML"
    response["HX-Trigger"] = "ordersChanged"
    return response


def _bulk_run(request, spec: Spec, references):
    """An action of the order table runs in batches (services.order_apply_action_many);
    ship order by order with each order's AWB; agent and tag changes order by order."""
    operation = spec.operation
    if spec.per_order:
        changed, refused = [], []
        for reference in references:
            if f"awb_{reference}" not in request.POST:  # left out by the modal
                refused.append((reference, _("Left out: it cannot be shipped now."), ""))
                continue
            inputs = {"awb": request.POST[f"awb_{reference}"].strip()[:64]}
            courier = request.POST.get(f"courier_{reference}", "").strip()
            if courier:
                inputs["courier"] = courier[:30]
            try:
                services.order_apply_action(
                    reference=reference,
                    action=operation,
                    actor=request.user,
                    inputs=inputs,
                    source="web",
                )
                changed.append(reference)
            except DomainError as exc:
                refused.append(_refused(reference, exc))
        return changed, refused
    if operation in ORDER_TRANSITIONS.transitions:
        inputs = {
            name: request.POST.get(name, "").strip()
            for name in spec.fields
            if request.POST.get(name, "").strip()
        }
        changed, errors = services.order_apply_action_many(
            references=references, action=operation, actor=request.user, inputs=inputs, source="web"
        )
        return changed, [_refused(reference, exc) for reference, exc in errors]
    changed, refused = [], []
    tag = request.POST.get("tag", "").strip()
    for reference in references:
        try:
            if operation == "assign":
                services.order_assign_agent(
                    reference=reference,
                    actor=request.user,
                    agent=request.POST.get("agent") or None,
                    source="web",
                )
            else:
                services.order_tag(
                    reference=reference,
                    actor=request.user,
                    add=[tag] if operation == "tag_add" else [],
                    remove=[tag] if operation == "tag_remove" else [],
                    source="web",
                )
            changed.append(reference)
        except DomainError as exc:
            refused.append(_refused(reference, exc))
    return changed, refused


def _refused(reference: str, exc: DomainError) -> tuple[str, str, str]:
    """A refused order of the result list: (reference, why, the page that fixes it or "").
    A ship without serials refused (serial-tracked lines, none recorded) points to the
    order's Serial numbers page."""
    text = refusal_text(exc)
    fix = serials_refusal(reference, exc)
    return (reference, f"{text} {fix.hint}", fix.url) if fix else (reference, text, "")
