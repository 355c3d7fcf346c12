"""The order detail page (Lihat Pesanan), edit order (Ubah Pesanan), notes, tags, change
agent and the WhatsApp chat. Every write goes through tokodesk.orders.services; every read
through the scoped selectors, so an agent reaches only their own orders (404 otherwise)."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import DomainError, PermissionDenied, StaleVersion
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.core.outbound import open_external
from tokodesk.orders import selectors, services
from tokodesk.orders.forms_detail import (
    AssignForm,
    LineFormSet,
    NoteForm,
    OrderEditForm,
    agent_choices,
    check_skus,
    line_changes,
    variant_options,
)
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.states import (
    FINAL,
    ORDER_TRANSITIONS,
    PRE_SHIPMENT,
    Channel,
    PaymentMethod,
    Status,
)
from tokodesk.orders.views.common import SECONDARY, menu_for, toast
from tokodesk.orders.whatsapp import can_chat, order_open_chat
from tokodesk.returns.models import Return, ReturnLine
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES
from tokodesk.shipping.models import Courier

# Labels of what the timeline's `data` may hold (effects of states.py, services.py).
DATA_LABELS = {
    "reason": gettext_lazy("Reason"),
    "awb": gettext_lazy("AWB"),
    "courier": gettext_lazy("Courier"),
    "amount": gettext_lazy("Amount"),
    "proof": gettext_lazy("Proof of transfer"),
    "number": gettext_lazy("Invoice number"),
    "due_date": gettext_lazy("Due date"),
    "payment_link": gettext_lazy("Payment link"),
    "deadline": gettext_lazy("Decide before"),
    "tag": gettext_lazy("Tag"),
    "body": gettext_lazy("Note"),
    "phone": gettext_lazy("Phone"),
    "channel": gettext_lazy("Channel"),
    "total": gettext_lazy("Total"),
    "voided_payments": gettext_lazy("Payments voided"),
    "automatic": gettext_lazy("Automatic"),
}
HIDDEN_DATA = {"payment_id", "note_id", "message", "from", "to", "changes"}
EDIT_LABELS = {
    "recipient_name": gettext_lazy("Recipient"),
    "recipient_phone": gettext_lazy("Phone"),
    "recipient_email": gettext_lazy("E-mail"),
    "destination_address": gettext_lazy("Address"),
    "destination_city": gettext_lazy("City"),
    "courier": gettext_lazy("Courier"),
    "courier_service": gettext_lazy("Service"),
    "shipping_cost": gettext_lazy("Shipping cost"),
    "insurance_cost": gettext_lazy("Insurance"),
    "discount": gettext_lazy("Discount"),
    "payment_method": gettext_lazy("Payment method"),
    "warehouse": gettext_lazy("Warehouse"),
    "customer_note": gettext_lazy("Note"),
    "lines": gettext_lazy("Products"),
    "total": gettext_lazy("Total"),
}
MONEY_KEYS = {"amount", "total", "shipping_cost", "insurance_cost", "discount"}


def _order_or_404(request, reference):
    order = selectors.order_get(user=request.user, reference=reference)
    if order is None:
        raise Http404
    return order


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the timeline, made readable ---------------------------------------------------------


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def _when(value: str) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "d M Y H:i")


def _short(value, currency, key="") -> str:
    if value is None or value == "":
        return "—"
    if key in MONEY_KEYS and isinstance(value, int):
        return format_money(value, currency)
    if key == "payment_method" and value in PaymentMethod.values:
        return str(PaymentMethod(value).label)
    if key == "lines" and isinstance(value, list):
        return ", ".join(
            f"{line.get('qty')} × {line.get('sku')}" for line in value if isinstance(line, dict)
        )
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def _event_details(event, currency, names) -> list[tuple[str, str]]:
    data = event.data if isinstance(event.data, dict) else {}
    details = []
    if event.kind == OrderEvent.Kind.AGENT_CHANGED:
        old, new = (names.get(("user", data.get(k)), data.get(k)) or "—" for k in ("from", "to"))
        details.append((_("Agent"), f"{old} → {new}"))
    if event.kind == OrderEvent.Kind.EDITED and isinstance(data.get("changes"), dict):
        for name, pair in data["changes"].items():
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            details.append(
                (
                    str(EDIT_LABELS.get(name, name)),
                    f"{_short(old, currency, name)} → {_short(new, currency, name)}",
                )
            )
    for key, value in data.items():
        if key in HIDDEN_DATA or value in (None, "", [], {}):
            continue
        if key == "voided_payments":
            value = len(value) if isinstance(value, list) else value
        elif key == "automatic":
            if not value:
                continue
            value = _("yes")
        elif key == "channel" and value in Channel.values:
            value = Channel(value).label
        elif key == "channel" and value == "whatsapp":
            value = "WhatsApp"
        elif key == "courier":
            value = names.get(("courier", value), value)
        elif key == "proof":
            value = os.path.basename(str(value))
        elif key in ("deadline",):
            value = _when(value)
        details.append(
            (
                str(DATA_LABELS.get(key, key.replace("_", " ").capitalize())),
                _short(value, currency, key),
            )
        )
    return details


def _who(event) -> str:
    if event.actor_id and event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    if event.source == "customer":
        return _("customer")
    return _("system")


def timeline_entries(order) -> list[dict]:
    """Newest first: what happened, from which status to which, who, when and the data
    the change remembered (reason, AWB, amount …)."""
    entries = []
    events = list(selectors.order_timeline(order=order))
    names = {}
    if any(
        isinstance(e.data, dict) and e.data.get("courier") for e in events
    ):  # one query, only when needed
        names.update(
            {("courier", code): name for code, name in Courier.objects.values_list("code", "name")}
        )
    usernames = {
        e.data.get(k)
        for e in events
        if e.kind == OrderEvent.Kind.AGENT_CHANGED and isinstance(e.data, dict)
        for k in ("from", "to")
    } - {None, ""}
    if usernames:  # one query, only when the agent changed
        names.update(
            {
                ("user", u.username): u.get_full_name() or u.username
                for u in get_user_model().objects.filter(username__in=usernames)
            }
        )
    for event in events:
        transition = ORDER_TRANSITIONS.transitions.get(event.action) if event.action else None
        entries.append(
            {
                "event": event,
                "title": transition.label if transition else event.get_kind_display(),
                "action": event.action,
                "from_label": _status_label(event.from_status) if event.from_status else "",
                "to_label": _status_label(event.to_status) if event.to_status else "",
                "who": _who(event),
                "is_person": bool(event.actor_id),
                "details": _event_details(event, order.currency, names),
            }
        )
    entries.reverse()
    return entries


# --- returns of the order ----------------------------------------------------------------


def order_returns(order, user) -> tuple[list[Return], Return | None]:
    """The returns of this order the user may see (oldest first, each with `items` = the
    quantity on its lines and its replacement order), and the return this order replaces
    when it is an exchange's replacement order. One query, however many returns, and
    none for an order that cannot have any: returns are made of delivered or completed
    orders (neither status is ever left but for completed), and a replacement order
    carries its return's reference as `external_reference`."""
    if order.status not in RETURNABLE_ORDER_STATUSES and not order.external_reference:
        return [], None
    items = (
        ReturnLine.objects.filter(return_order=OuterRef("pk"))
        .order_by()
        .values("return_order")
        .annotate(total=Sum("qty"))
        .values("total")
    )
    rows = list(
        return_queryset_for(user)
        .filter(Q(order=order) | Q(replacement_order=order))
        .select_related("order", "custom_state", "replacement_order")
        .annotate(items=Subquery(items))
        .order_by("created_at", "id")
    )
    own = [r for r in rows if r.order_id == order.pk]
    replaces = next((r for r in rows if r.replacement_order_id == order.pk), None)
    return own, replaces


def _create_return(order, user) -> dict:
    """Whether to offer "Create return": a delivered or completed order, a user who may
    create returns, and returns turned on in the settings (read only then)."""
    if order.status not in RETURNABLE_ORDER_STATUSES or not user.has_perm("returns.add_return"):
        return {"can_create_return": False, "returns_disabled": False}
    enabled = ShopSettings.get().returns_enabled
    return {"can_create_return": enabled, "returns_disabled": not enabled}


# --- the page ---------------------------------------------------------------------------


def detail_context(request, order, **extra) -> dict:
    """Everything _detail_body.html shows. The queries do not grow with the lines,
    payments, notes or events: the order comes prefetched from selectors.order_get."""
    user = request.user
    menu = menu_for(order, user)
    closed = order.status in FINAL
    can_assign = menu["can_assign"]
    payments = [
        {
            "payment": p,
            "voided": p.voided_at is not None,
            "proof_name": os.path.basename(p.proof.name) if p.proof else "",
        }
        for p in order.payments.all()
    ]
    actions = [
        dict(item, secondary=item["transition"].action in SECONDARY) for item in menu["actions"]
    ]
    returns, replaces = order_returns(order, user)
    tracking_url = ""
    if order.awb and order.courier_id and "{awb}" in (order.courier.tracking_url or ""):
        tracking_url = order.courier.tracking_url.replace("{awb}", order.awb)
    context = {
        "nav": "orders",
        "order": order,
        "menu": menu,
        "actions": actions,
        "lines": list(order.lines.all()),
        "tags": list(order.tags.all()),
        "payments": payments,
        "notes": list(order.notes.all()),
        "timeline": timeline_entries(order),
        "can_edit": menu["can_edit"],
        "can_assign": can_assign,
        "agent_choices": agent_choices(order.assigned_agent) if can_assign else [],
        "can_tag": not closed and user.has_perm("orders.change_order"),
        "can_note": user.has_perm("orders.add_ordernote"),
        "can_chat": can_chat(user),
        "tracking_url": tracking_url,
        "show_city": bool(order.destination_city)
        and order.destination_city.lower() not in order.destination_address.lower(),
        "note_form": NoteForm(),
        "returns": returns,
        "replaces_return": replaces,
        "show_returns": bool(returns)
        or replaces is not None
        or (order.status in RETURNABLE_ORDER_STATUSES and user.has_perm("returns.view_return")),
        **_create_return(order, user),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def order_detail_view(request, reference):
    order = _order_or_404(request, reference)
    return render(request, "orders/detail.html", detail_context(request, order))


def _body_response(request, reference, *, text=None, error=None, **extra) -> HttpResponse:
    """htmx: the fresh detail body (the timeline shows the change) and a toast. Without
    htmx: back to the page with a message."""
    if not _is_htmx(request):
        if text:
            messages.success(request, text)
        if error:
            messages.error(request, error)
        return redirect("orders:detail", reference=reference)
    order = _order_or_404(request, reference)
    html = render_to_string(
        "orders/_detail_body.html", detail_context(request, order, **extra), request=request
    )
    if text or error:
        html += toast(request, error or text, messages.ERROR if error else messages.SUCCESS)
    return HttpResponse(html)


def _error_text(exc: DomainError) -> str:
    if exc.fields and exc.code == "invalid_input":
        return " ".join(str(m) for m in exc.fields.values())
    return str(exc.message)


@login_required
@require_POST
def add_note_view(request, reference):
    _order_or_404(request, reference)
    if not request.user.has_perm("orders.add_ordernote"):
        raise DjangoPermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _body_response(request, reference, error=_("The note is empty."), note_form=form)
    try:
        services.order_add_note(
            reference=reference, actor=request.user, body=form.cleaned_data["body"], source="web"
        )
    except DomainError as exc:
        return _body_response(request, reference, error=_error_text(exc), note_form=form)
    return _body_response(request, reference, text=_("Note added."))


@login_required
@require_POST
def tags_view(request, reference):
    _order_or_404(request, reference)
    if not request.user.has_perm("orders.change_order"):
        raise DjangoPermissionDenied
    add = [t.strip() for t in request.POST.get("add", "").split(",") if t.strip()]
    remove = [t.strip() for t in request.POST.getlist("remove") if t.strip()]
    if any(len(t) > 50 for t in add):
        return _body_response(
            request,
            reference,
            error=_("A tag has at most 50 characters."),
            tag_value=request.POST.get("add", ""),
        )
    if not add and not remove:
        return _body_response(request, reference, error=_("Type a tag."))
    try:
        services.order_tag(
            reference=reference, actor=request.user, add=add, remove=remove, source="web"
        )
    except DomainError as exc:
        return _body_response(
            request, reference, error=_error_text(exc), tag_value=request.POST.get("add", "")
        )
    text = (
        _("Tag added: %(tags)s.") % {"tags": ", ".join(add)}
        if add
        else _("Tag removed: %(tags)s.") % {"tags": ", ".join(remove)}
    )
    return _body_response(request, reference, text=text)


@login_required
@require_POST
def assign_view(request, reference):
    _order_or_404(request, reference)
    if not request.user.has_perm("orders.assign_order"):
        raise DjangoPermissionDenied
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _body_response(request, reference, error=_("Choose an agent."))
    agent = form.cleaned_data["agent"].strip() or None
    try:
        order = services.order_assign_agent(
            reference=reference,
            actor=request.user,
            agent=agent,
            expected_version=form.cleaned_data.get("version"),
            source="web",
        )
    except DomainError as exc:
        return _body_response(request, reference, error=_error_text(exc))
    agent_user = order.assigned_agent
    who = (agent_user.get_full_name() or agent_user.username) if agent_user else _("no agent")
    return _body_response(request, reference, text=_("Agent: %(agent)s.") % {"agent": who})


@login_required
@require_POST
def whatsapp_view(request, reference):
    """Kirim Chat Pelanggan: log the chat on the timeline, then open wa.me.

    A POST (CSRF-checked form of the detail page, opening a new tab): a link from another
    site must not write on the timeline, so a GET is refused (405). The answer is a page of
    ours that goes on to wa.me (core.outbound: the CSP's form-action would block a
    redirect to another site after a form)."""
    _order_or_404(request, reference)
    try:
        link = order_open_chat(reference=reference, actor=request.user, source="web")
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("orders:detail", reference=reference)
    return open_external(request, link, title=_("Opening WhatsApp…"))


# --- edit order (Ubah Pesanan) -----------------------------------------------------------


def _apply_service_errors(exc: DomainError, form, formset, line_index) -> list[str]:
    """Put each field message of the service next to its input; return the rest."""
    general = []
    for key, message in (exc.fields or {}).items():
        if key in form.fields and key != "version":
            form.add_error(key, str(message))
            continue
        parts = key.split(".")
        if (
            parts[0] == "lines"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(line_index)
        ):
            row = formset.forms[line_index[int(parts[1])]]
            field = parts[2] if parts[2] in row.fields else None
            row.add_error(field, str(message))
            continue
        general.append(
            f"{EDIT_LABELS.get(key, key)}: {message}" if key != "lines" else str(message)
        )
    general.insert(0, str(exc.message))
    return general


def _edit_render(request, order, form, formset, *, errors=(), status=200, refused="", stale=False):
    context = {
        "nav": "orders",
        "order": order,
        "form": form,
        "formset": formset,
        "errors": list(errors),
        "refused": refused,
        "stale": stale,
    }
    if form is not None:
        variants = list(variant_options())
        names = {v.sku: v.display_name for v in variants}
        names.update({line.sku: line.name for line in order.lines.all()})
        context.update(
            variants=variants,
            line_names=names,
            groups={
                "left": [
                    (
                        _("Shipping and payment"),
                        [
                            form[n]
                            for n in (
                                "warehouse",
                                "courier",
                                "courier_service",
                                "payment_method",
                                "shipping_cost",
                                "insurance_cost",
                                "discount",
                            )
                        ],
                    )
                ],
                "right": [
                    (
                        _("Recipient"),
                        [
                            form[n]
                            for n in (
                                "recipient_name",
                                "recipient_phone",
                                "recipient_email",
                                "destination_address",
                                "destination_city",
                            )
                        ],
                    ),
                    (_("Customer note"), [form["customer_note"]]),
                ],
            },
        )
    return render(request, "orders/edit.html", context, status=status)


@login_required
def order_edit_view(request, reference):
    order = _order_or_404(request, reference)
    if not request.user.has_perm("orders.change_order"):
        raise DjangoPermissionDenied
    if order.status not in PRE_SHIPMENT:
        refused = _(
            "%(reference)s is “%(status)s”: an order can only be edited before it ships."
        ) % {"reference": order.reference, "status": Status(order.status).label}
        return _edit_render(
            request,
            order,
            None,
            None,
            refused=refused,
            status=200 if request.method == "GET" else 409,
        )
    initial_lines = [{"sku": line.sku, "qty": line.qty} for line in order.lines.all()]
    if request.method == "GET":
        form = OrderEditForm(order=order)
        formset = LineFormSet(initial=initial_lines, prefix="lines")
        return _edit_render(request, order, form, formset)
    if request.method != "POST":
        return HttpResponse(status=405)
    form = OrderEditForm(request.POST, order=order)
    formset = LineFormSet(request.POST, initial=initial_lines, prefix="lines")
    form_ok, lines_ok = form.is_valid(), formset.is_valid()
    if lines_ok:
        lines_ok = check_skus(formset)
    if not (form_ok and lines_ok):
        return _edit_render(
            request, order, form, formset, errors=[_("Check the highlighted fields.")], status=422
        )
    changes = form.changes()
    lines, line_index = line_changes(formset, order)
    if lines is not None:
        if not lines:
            return _edit_render(
                request,
                order,
                form,
                formset,
                status=422,
                errors=[_("An order needs at least one product.")],
            )
        changes["lines"] = lines
    before = order.version
    try:
        updated = services.order_edit(
            reference=reference,
            actor=request.user,
            changes=changes,
            expected_version=form.cleaned_data["version"],
            source="web",
        )
    except DomainError as exc:
        errors = _apply_service_errors(exc, form, formset, line_index)
        if isinstance(exc, StaleVersion):
            errors.append(
                _("Your changes were not saved. Open the order again to see the current data.")
            )
        return _edit_render(
            request,
            order,
            form,
            formset,
            errors=errors,
            stale=isinstance(exc, StaleVersion),
            status=409 if exc.status == 409 else 422,
        )
    if updated.version == before:
        messages.info(request, _("Nothing changed."))
    else:
        messages.success(request, _("%(reference)s saved.") % {"reference": updated.reference})
    return redirect("orders:detail", reference=updated.reference)


@login_required
@require_GET
def payment_proof_view(request, reference, payment_id):
    """The proof of a payment, for the users who may see the order (served inert)."""
    from tokodesk.core.uploads import serve_upload

    order = _order_or_404(request, reference)
    payment = order.payments.filter(pk=payment_id).first()
    if payment is None or not payment.proof:
        raise Http404
    return serve_upload(payment.proof)
