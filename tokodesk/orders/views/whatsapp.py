"""The order page's WhatsApp dialog (issue 12, item 13): the agent picks what the message is
for (confirm, ask for payment, shipped, follow-up) and one of the shop's templates; the
dialog shows the text filled in for this order in the buyer's language, to copy or to open
in WhatsApp (the POST of views.detail.whatsapp_view, which notes the chat on the timeline).
And the buyer's language on the order, which staff may change."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import DomainError
from tokodesk.orders.languages import order_set_language
from tokodesk.orders.views.detail import _body_response, _error_text, _order_or_404
from tokodesk.orders.whatsapp import can_chat, chat_dialog


def base_url(request) -> str:
    """The address the page was called on: the order link in the message points there."""
    return request.build_absolute_uri("/")


@login_required
@require_GET
def whatsapp_dialog_view(request, reference):
    """The dialog's content (htmx into #modal-body); again when the purpose or template changes."""
    order = _order_or_404(request, reference)
    if not can_chat(request.user):
        raise DjangoPermissionDenied
    dialog = chat_dialog(
        order,
        purpose=request.GET.get("purpose", ""),
        template=request.GET.get("template", ""),
        base_url=base_url(request),
    )
    # From the orders list's row menu: no redraw of the order page after sending.
    display = "list" if request.GET.get("display") == "list" else "detail"
    return render(
        request, "orders/_whatsapp_dialog.html", {"order": order, "wa": dialog, "display": display}
    )


@login_required
@require_POST
def language_view(request, reference):
    """The buyer's language (htmx: the fresh detail body and a toast)."""
    _order_or_404(request, reference)
    version = request.POST.get("version", "")
    try:
        order = order_set_language(
            reference=reference,
            actor=request.user,
            language=request.POST.get("language", ""),
            expected_version=int(version) if version.isdigit() else None,
            source="web",
        )
    except DomainError as exc:
        return _body_response(request, reference, error=_error_text(exc))
    return _body_response(
        request,
        reference,
        text=_("Buyer's language: %(language)s.") % {"language": order.get_language_display()},
    )
