"""The return detail page: the order and customer, the reason and resolution, the lines as
received and decided, fees, photos, the label, refunds (with mark-paid), store credit, the
linked replacement order, the timeline and the actions. Every write goes through
tokodesk.returns.services (or refunds); every read through the scoped selectors, so an
agent reaches only the returns of their orders (404 otherwise)."""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core import l10n
from tokodesk.core.errors import DomainError
from tokodesk.core.l10n import colon
from tokodesk.core.money import format_money
from tokodesk.core.uploads import serve_upload
from tokodesk.returns import hooks, refunds, selectors, services
from tokodesk.returns.forms import MarkPaidForm, PhotoForm, ReturnEditForm
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.states import (
    FINAL,
    LINES_EDITABLE,
    RETURN_TRANSITIONS,
    Condition,
    Decision,
    ExtraKind,
    RefundMethod,
    RefundStatus,
    Resolution,
    Status,
)
from tokodesk.returns.totals import return_totals
from tokodesk.returns.views.common import is_htmx, menu_for, return_or_404, toast

# Labels of what the timeline's `data` may hold (effects of states.py, services.py, refunds.py).
DATA_LABELS = {
    "order": gettext_lazy("Order"), "resolution": gettext_lazy("Resolution"), "lines": gettext_lazy("Items"),
    "window_overridden": gettext_lazy("Return window overridden"), "recreated_from": gettext_lazy("Recreated from"),
    "new_return": gettext_lazy("New return"), "target_date": gettext_lazy("Target date"),
    "label": gettext_lazy("Return label"), "message": gettext_lazy("Message to the customer"),
    "reason": gettext_lazy("Reason"), "warehouse": gettext_lazy("Warehouse"),
    "custom_state": gettext_lazy("Custom state"),
    "restocked": gettext_lazy("Restocked"), "unrestocked": gettext_lazy("Taken off the shelf again"),
    "accepted_total": gettext_lazy("Accepted value"), "fees_total": gettext_lazy("Fees"),
    "refund_amount": gettext_lazy("Refund"), "refund_method": gettext_lazy("Refund method"),
    "replacement_order": gettext_lazy("Replacement order"), "exchange_value": gettext_lazy("New items' value"),
    "exchange_difference": gettext_lazy("Price difference"), "sku": gettext_lazy("Item"),
    "uploaded_by": gettext_lazy("By"), "amount": gettext_lazy("Amount"), "method": gettext_lazy("Method"),
    "paid_on": gettext_lazy("Paid on"), "proof": gettext_lazy("Proof of transfer"),
}
# An e-mail or WhatsApp message to the customer (kind "notification", written by
# tokodesk.notifications): its title says the channel (hidden below), the address and subject show.
DATA_LABELS |= {"to": pgettext_lazy("e-mail recipient", "To"), "subject": gettext_lazy("Subject"),
                "attachments": gettext_lazy("Attachments")}
HIDDEN_DATA = {"message_id", "refund_id", "store_credit_entry_id", "photo_id", "custom_state_cleared", "changes",
               "notification_id", "channel"}
MONEY_KEYS = {"accepted_total", "fees_total", "refund_amount", "exchange_value", "exchange_difference", "amount"}
EDIT_LABELS = {
    "responsible": gettext_lazy("Responsible"), "target_date": gettext_lazy("Target date"),
    "custom_state": gettext_lazy("Custom state"), "reason": gettext_lazy("Reason"),
    "resolution": gettext_lazy("Resolution"), "extra_lines": gettext_lazy("Extra lines"),
    "exchange_items": gettext_lazy("Exchange items"), "lines": gettext_lazy("Items"),
}
DATE_KEYS = {"target_date", "paid_on"}
CHOICES = {"resolution": Resolution, "refund_method": RefundMethod, "method": RefundMethod}


# --- the timeline, made readable ---------------------------------------------------------------


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def _date(value: str) -> str:
    try:
        return l10n.format_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def _line_text(line: dict, received: dict | None = None) -> str:
    """One line of an event: "2 × SKU", or a completion's decision on it. A refused line's
    quantity is what was received and not accepted (its qty_accepted is 0): "Refuse: 1 ×
    SKU", not "0 ×"; events written before the received quantity was kept in them take it
    from the return's lines (`received`, by SKU)."""
    sku = line.get("sku")
    if line.get("decision") in Decision.values:
        accepted = line.get("qty_accepted") or 0
        got = line.get("qty_received", (received or {}).get(sku))
        refused = got - accepted if isinstance(got, int) and got > accepted else 0
        if line["decision"] == Decision.REFUSE:
            text = f"{Decision.REFUSE.label}{colon()} {refused} × {sku}" if refused else f"{Decision.REFUSE.label}{colon()} {sku}"
        else:
            text = f"{Decision.ACCEPT.label}{colon()} {accepted} × {sku}"
            if refused:
                text += f"; {Decision.REFUSE.label}{colon()} {refused} × {sku}"
    else:
        text = f"{line.get('qty')} × {sku}"
    if line.get("condition") in Condition.values:
        text += f" ({Condition(line['condition']).label})"
    return text


def _extra_text(extra: dict, currency: str) -> str:
    """An extra line in an edit's change: "Restocking − Rp 5.000" (− charged, + credited)."""
    amount = extra.get("amount") if isinstance(extra.get("amount"), int) else 0
    kind = extra.get("kind") if extra.get("kind") in ExtraKind.values else ExtraKind.FEE
    label = extra.get("description") or str(ExtraKind(kind).label)
    return f"{label} {'−' if amount > 0 else '+'} {format_money(abs(amount), currency)}"


def _short(value, currency, key="", received=None) -> str:
    if value is None or value == "":
        return "—"
    if key in MONEY_KEYS and isinstance(value, int):
        return format_money(value, currency)
    if key in CHOICES and value in CHOICES[key].values:
        return str(CHOICES[key](value).label)
    if isinstance(value, list) and any(isinstance(v, dict) and "amount" in v and "sku" not in v for v in value):
        return ", ".join(_extra_text(v, currency) for v in value if isinstance(v, dict))
    if isinstance(value, list):
        return ", ".join(_line_text(v, received) if isinstance(v, dict) else str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def _event_details(event, currency, warehouses=None, received=None) -> list[tuple[str, str]]:
    data = event.data if isinstance(event.data, dict) else {}
    details = []
    if event.kind == ReturnEvent.Kind.EDITED and isinstance(data.get("changes"), dict):
        for name, pair in data["changes"].items():
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            if name == "responsible":
                old, new = (str(v).partition(":")[2] if v else v for v in (old, new))
            details.append((str(EDIT_LABELS.get(name, name)),
                            f"{_short(old, currency, name)} → {_short(new, currency, name)}"))
    for key, value in data.items():
        if key in HIDDEN_DATA or value in (None, "", [], {}, False):
            continue
        if key in ("label", "proof"):
            value = os.path.basename(str(value))
        elif key == "warehouse":
            value = (warehouses or {}).get(value, value)
        elif key in DATE_KEYS and isinstance(value, str):
            value = _date(value)
        elif key == "uploaded_by":
            value = _("customer") if value == "customer" else _("seller")
        details.append((str(DATA_LABELS.get(key, key.replace("_", " ").capitalize())),
                        _short(value, currency, key, received)))
    return details


def _who(event) -> str:
    if event.actor_id and event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    if event.source == "customer":
        return _("customer")
    return _("system")



# A transition's row in the history says what happened ("Return approved"), where its
# button says what to do ("Approve return"): French and English word them differently.
HISTORY_TITLES = {
    "request": pgettext_lazy("return history", "Return requested"),
    "create": pgettext_lazy("return history", "Return created"),
    "approve": pgettext_lazy("return history", "Return approved"),
    "to_draft": pgettext_lazy("return history", "Back to draft"),
    "hold": pgettext_lazy("return history", "Put on hold"),
    "resume": pgettext_lazy("return history", "Resumed"),
    "receive": pgettext_lazy("return history", "Items received"),
    "complete": pgettext_lazy("return history", "Return completed"),
    "reject": pgettext_lazy("return history", "Return rejected"),
    "cancel": pgettext_lazy("return history", "Return cancelled"),
}

def timeline_entries(ret) -> list[dict]:
    """Newest first: what happened, from which status to which, who, when and what the
    change remembered (lines received, refund, message …)."""
    entries = []
    # The warehouse the goods went back to is named, not coded (the return has it at hand).
    warehouses = {ret.restock_warehouse.code: ret.restock_warehouse.name} if ret.restock_warehouse_id else {}
    received: dict[str, int] = {}  # by SKU, for completions recorded without it
    for line in ret.lines.all():
        received[line.sku] = received.get(line.sku, 0) + (line.qty_received or 0)
    for event in selectors.return_timeline(ret=ret):
        transition = RETURN_TRANSITIONS.transitions.get(event.action) if event.action else None
        if event.kind in (ReturnEvent.Kind.ACTION, ReturnEvent.Kind.CREATED) and transition:
            title = HISTORY_TITLES.get(event.action, transition.label)
        elif event.action == "recreate" and event.kind == ReturnEvent.Kind.CREATED:
            title = _("Recreated from another return")
        elif event.kind == ReturnEvent.Kind.NOTIFICATION:
            whatsapp = isinstance(event.data, dict) and event.data.get("channel") == "whatsapp"
            title = _("WhatsApp message to the customer") if whatsapp else _("E-mail to the customer")
        else:
            title = event.get_kind_display()
        entries.append({
            "event": event, "title": title, "action": event.action,
            "from_label": _status_label(event.from_status) if event.from_status else "",
            "to_label": _status_label(event.to_status) if event.to_status else "",
            "who": _who(event), "is_person": bool(event.actor_id),
            "details": _event_details(event, ret.currency, warehouses, received),
        })
    entries.reverse()
    return entries


# --- the page ----------------------------------------------------------------------------------


def _editable(ret, settings_row) -> bool:
    if ret.status in (Status.REJECTED, Status.CANCELLED):
        return False
    return ret.status != Status.COMPLETED or settings_row.edit_completed_returns


def detail_context(request, ret, **extra) -> dict:
    """Everything _detail_body.html shows. The queries do not grow with the lines, photos,
    refunds or events: the return comes prefetched from selectors.return_get."""
    user = request.user
    menu = menu_for(ret, user)
    settings_row = ReturnSettings.get()
    lines = list(ret.lines.all())
    by_line = {line.pk: line for line in lines}
    photos = [{"photo": p, "line": by_line.get(p.line_id), "name": os.path.basename(p.file.name),
               "is_pdf": p.file.name.lower().endswith(".pdf")} for p in ret.photos.all()]
    can_pay = user.has_perm("returns.manage_refunds")
    refund_rows = [{"refund": r, "pending": r.status == RefundStatus.PENDING,
                    "proof_name": os.path.basename(r.proof.name) if r.proof else "",
                    "form": MarkPaidForm(prefix=f"r{r.pk}") if can_pay and r.status == RefundStatus.PENDING else None}
                   for r in ret.refunds.all()]
    totals = return_totals(ret)
    value = sum(line.qty * line.unit_price for line in lines)
    decided = ret.status == Status.COMPLETED
    credit = totals.credit
    exchange = None
    if ret.resolution == Resolution.EXCHANGE_OTHER and ret.exchange_difference is not None:
        diff = ret.exchange_difference
        exchange = {"value": diff + credit, "difference": diff, "due": max(diff, 0), "to_refund": max(-diff, 0)}
    closed = ret.status in FINAL
    can_edit = user.has_perm("returns.change_return") and _editable(ret, settings_row)
    states = list(selectors.custom_states()) if can_edit else []
    context = {
        "nav": "returns",
        "ret": ret,
        "order": ret.order,
        "menu": menu,
        "lines": lines,
        "any_serials": any(line.serial_numbers for line in lines),
        "received": ret.received_at is not None,
        "decided": decided,
        "totals": totals,
        "value": value,
        "credit": credit,
        "exchange": exchange,
        "photos": photos,
        "return_messages": list(ret.messages.all()),
        "refunds": refund_rows,
        "refunded_total": sum(r.amount for r in ret.refunds.all()),
        "store_credit": selectors.store_credit_balance(ret.customer_id),
        "recreated_as": list(ret.recreated_as.all()),
        "timeline": timeline_entries(ret),
        "label_name": os.path.basename(ret.label.name) if ret.label else "",
        "can_label": not closed and user.has_perm("returns.process_return"),
        "can_photo": not closed and user.has_perm("returns.change_return"),
        "can_edit": can_edit,
        "can_edit_items": can_edit and ret.status in LINES_EDITABLE and ret.received_at is None,
        "edit_form": ReturnEditForm(ret=ret, states=states) if can_edit else None,
        "photo_form": PhotoForm(ret=ret),
        "today": timezone.localdate(),
        "can_whatsapp": hooks.can_whatsapp(user),  # notifications provides it
        "show_slip": True,
    }
    context.update(extra)
    return context


@login_required
@require_GET
def return_detail_view(request, reference):
    ret = return_or_404(request, reference)
    return render(request, "returns/detail.html", detail_context(request, ret))


def _body_response(request, reference, *, text=None, error=None, **extra) -> HttpResponse:
    """htmx: the fresh detail body (the timeline shows the change) and a toast. Without
    htmx: back to the page with a message."""
    if not is_htmx(request):
        if text:
            messages.success(request, text)
        if error:
            messages.error(request, error)
        return redirect("returns:detail", reference=reference)
    ret = return_or_404(request, reference)
    html = render_to_string("returns/_detail_body.html", detail_context(request, ret, **extra), request=request)
    if text or error:
        html += toast(request, error or text, messages.ERROR if error else messages.SUCCESS)
    response = HttpResponse(html)
    response["HX-Trigger"] = "returnsChanged"
    return response


def error_text(exc: DomainError) -> str:
    if exc.fields and exc.code == "invalid_input":
        return " ".join(str(m) for m in exc.fields.values())
    return str(exc.message)


@login_required
@require_POST
def edit_view(request, reference):
    """Responsible, target date and custom state (PATCH of the API)."""
    ret = return_or_404(request, reference)
    if not request.user.has_perm("returns.change_return"):
        raise DjangoPermissionDenied
    form = ReturnEditForm(request.POST, ret=ret, states=list(selectors.custom_states()))
    if not form.is_valid():
        return _body_response(request, reference, error=_("Check the fields."), edit_form=form)
    changes = form.changes()
    if not changes:
        return _body_response(request, reference, text=_("Nothing changed."))
    try:
        services.return_edit(reference=reference, actor=request.user, changes=changes,
                             expected_version=form.cleaned_data.get("version"), source="web")
    except DomainError as exc:
        return _body_response(request, reference, error=error_text(exc))
    return _body_response(request, reference, text=_("%(reference)s saved.") % {"reference": reference})


@login_required
def label_view(request, reference):
    """GET: download the return label. POST: upload (or replace) it."""
    ret = return_or_404(request, reference)
    if request.method == "GET":
        if not ret.label:
            raise Http404
        return serve_upload(ret.label)
    if request.method != "POST":
        return HttpResponse(status=405)
    file = request.FILES.get("label")
    if file is None:
        return _body_response(request, reference, error=_("Choose a file."))
    try:
        services.return_attach_label(reference=reference, actor=request.user, file=file, source="web")
    except DomainError as exc:
        return _body_response(request, reference, error=error_text(exc))
    return _body_response(request, reference, text=_("Return label saved."))


@login_required
@require_POST
def add_photo_view(request, reference):
    ret = return_or_404(request, reference)
    form = PhotoForm(request.POST, request.FILES, ret=ret)
    if not form.is_valid():
        return _body_response(request, reference, error=_("Choose a photo."))
    try:
        services.return_add_photo(reference=reference, actor=request.user, file=form.cleaned_data["file"],
                                  line=form.cleaned_data.get("line"), source="web")
    except DomainError as exc:
        return _body_response(request, reference, error=error_text(exc))
    return _body_response(request, reference, text=_("Photo added."))


@login_required
@require_GET
def photo_view(request, reference, photo_id):
    ret = return_or_404(request, reference)
    photo = next((p for p in ret.photos.all() if p.pk == photo_id), None)
    if photo is None:
        raise Http404
    return serve_upload(photo.file)


# --- refunds: mark paid, proof ------------------------------------------------------------------


def _refund_or_404(request, refund_id):
    refund = refunds.refund_queryset_for(request.user).select_related("order", "return_order").filter(
        pk=refund_id).first()
    if refund is None:
        raise Http404
    return refund


def _back(request, refund):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    if refund.return_order_id:
        return redirect("returns:detail", reference=refund.return_order.reference)
    return redirect(f"{_goodwill_url()}?order={refund.order.reference}")


def _goodwill_url():
    from django.urls import reverse

    return reverse("returns:goodwill")


@login_required
@require_POST
def mark_paid_view(request, refund_id):
    """A pending refund was paid: the transfer date and its proof (bank transfer), or only
    the date; store credit goes onto the customer's ledger."""
    refund = _refund_or_404(request, refund_id)
    if not request.user.has_perm("returns.manage_refunds"):
        raise DjangoPermissionDenied
    form = MarkPaidForm(request.POST, request.FILES, prefix=f"r{refund.pk}")
    error = None
    if form.is_valid():
        try:
            refunds.refund_mark_paid(refund_id=refund.pk, actor=request.user, paid_on=form.cleaned_data["paid_on"],
                                     proof=form.cleaned_data.get("proof"),
                                     reference=form.cleaned_data.get("reference") or "", source="web")
        except DomainError as exc:
            error = error_text(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    text = None if error else _("Refund of %(amount)s recorded as paid.") % {
        "amount": format_money(refund.amount, refund.order.currency)}
    if is_htmx(request) and refund.return_order_id:
        return _body_response(request, refund.return_order.reference, text=text, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, text)
    return _back(request, refund)


@login_required
@require_GET
def refund_proof_view(request, refund_id):
    refund = _refund_or_404(request, refund_id)
    if not refund.proof:
        raise Http404
    return serve_upload(refund.proof)
