"""The order detail page (Lihat Pesanan), notes, tags, change agent and the WhatsApp chat
(edit order is views/edit.py, the timeline views/timeline.py). Every write goes through tokodesk.orders.services; every read
through the scoped selectors, so an agent reaches only their own orders (404 otherwise)."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import DomainError, PermissionDenied
from tokodesk.core.outbound import open_external
from tokodesk.core.sections import sections as page_sections
from tokodesk.orders import selectors, services
from tokodesk.orders.forms_detail import AssignForm, NoteForm, agent_choices
from tokodesk.orders.languages import language_choices
from tokodesk.orders.languages import valid as valid_language
from tokodesk.orders.links import order_link_url
from tokodesk.orders.serials import SERIAL_STATUSES
from tokodesk.orders.states import FINAL
from tokodesk.orders.views.common import SECONDARY, menu_for, toast
from tokodesk.orders.views.timeline import (  # noqa: F401 - their old home
    DATA_LABELS,
    EDIT_LABELS,
    HIDDEN_DATA,
    MONEY_KEYS,
    timeline_entries,
)
from tokodesk.orders.whatsapp import can_chat, order_open_chat


def _order_or_404(request, reference):
    order = selectors.order_get(user=request.user, reference=reference)
    if order is None:
        raise Http404
    return order


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


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
    # What other apps add to the page (the order's returns …), registered with core.sections.
    extra_sections = page_sections("orders.detail", order=order, user=user)
    tracking_url = ""
    if order.awb and order.courier_id and "{awb}" in (order.courier.tracking_url or ""):
        tracking_url = order.courier.tracking_url.replace("{awb}", order.awb)
    context = {
        "nav": "orders",
        "order": order,
        "menu": menu,
        "actions": actions,
        "lines": list(order.lines.all()),
        # Serial numbers are recorded from packing to transit (orders.serials).
        "serial_statuses": SERIAL_STATUSES,
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
        # The buyer's order link to copy, and their language (issue 12, item 13).
        "order_link": request.build_absolute_uri(order_link_url(order)),
        # "" when not known: the shop's language for customers (no query for it here).
        "buyer_language": valid_language(order.language),
        "language_choices": language_choices(),
        "can_set_language": user.has_perm("orders.change_order"),
        "tracking_url": tracking_url,
        "show_city": bool(order.destination_city)
        and order.destination_city.lower() not in order.destination_address.lower(),
        "note_form": NoteForm(),
        "sections": extra_sections,
        "section_heads": any(section["head"] for section in extra_sections),
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
        link = order_open_chat(reference=reference, actor=request.user, source="web",
                               template=request.POST.get("template", "")[:40],
                               base_url=request.build_absolute_uri("/"))
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("orders:detail", reference=reference)
    return open_external(request, link, title=_("Opening WhatsApp…"))


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
