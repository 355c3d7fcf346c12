"""Returns on the buyer's order link (SPEC 3, 3.3 and 6): "Request a return", the buyer's
returns with their status, and the return label and slip downloads.

A delivered or completed order may take a return request while returns are enabled in
the shop settings and the return window is open; the form offers each order line with the
quantity not yet in a return that counts (so a line already in an open return offers only
the rest). The request goes through `tokodesk.returns.services.return_request` (status
`requested`, timeline source "customer"); a refused request writes nothing, photos
included.

The buyer may ask for a refund, store credit or the same item again (`CUSTOMER_RESOLUTIONS`
in storefront.forms); an exchange for another item needs the seller to pick items and
settle a price difference, so it stays on the seller's side (the buyer can say what they
want in the message, and the seller changes the resolution).

Every rendering of the form carries a signed one-time token naming the newest customer
return the buyer had seen. A second submit of the same form (double tap, refresh, retry)
finds the return the first one made, under the order's lock, and lands on it: one form,
one return. There is no per-connection rate limit like the landing page's (that one
counts landing-page submissions and is not reusable here): every request takes at least
one unit of the order that the buyer cannot free again, so an order link can make only
as many returns as the order has items, and a refused request writes nothing.

The label and the slip are served only through the order's own token: the return must
belong to the order the token names (another token, or a draft the seller is still
preparing, is a 404). The slip (PDF, or the printable page when the server cannot make
PDFs) is offered once the seller approved the return: it goes in the parcel.
"""

from __future__ import annotations

import os
import secrets

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tokodesk.core import l10n
from tokodesk.core.errors import Conflict, DomainError, NotFound
from tokodesk.core.uploads import is_quarantined, serve_upload
from tokodesk.orders.models import Order
from tokodesk.returns.models import Return, ReturnLine
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.selectors import return_reasons, returnable_lines
from tokodesk.returns.services import return_request, window_end
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES, Status
from tokodesk.storefront.forms import RESOLUTION_HINTS, ReturnRequestForm
from tokodesk.storefront.links import activate_buyer_language, order_from_token

RS = Status
FORM_SALT = "tokodesk.return-request-form"

# A return in the buyer's words: what happens now. Drafts are the seller's work in
# progress and stay off the link until they move on.
CUSTOMER_RETURN_STATUS = {
    RS.REQUESTED: gettext_lazy("The seller is reviewing your request."),
    RS.AWAITING_ITEM: gettext_lazy("Approved: please send the items back to the seller."),
    RS.ON_HOLD: gettext_lazy("On hold: the seller will contact you."),
    RS.ITEM_RECEIVED: gettext_lazy("The seller received the items and is checking them."),
    RS.COMPLETED: gettext_lazy("Your return is complete."),
    RS.REJECTED: gettext_lazy("The seller declined this return."),
    RS.CANCELLED: gettext_lazy("This return was cancelled."),
}
SHOWN_STATUSES = tuple(CUSTOMER_RETURN_STATUS)
# While the goods are on their way back: the slip goes in the parcel.
SLIP_STATUSES = (RS.AWAITING_ITEM, RS.ON_HOLD)
# Where a return may still become a thing: the order is on its way or has arrived.
ON_THE_WAY = ("awaiting_pickup", "in_transit", "delivery_problem")


# --- what the order link shows ------------------------------------------------------------


def _buyer_returns(order: Order) -> list[Return]:
    return list(
        Return.objects.filter(order=order, status__in=SHOWN_STATUSES)
        .prefetch_related("lines", "photos", "messages")
        .order_by("created_at", "id")
    )


def return_availability(order: Order, settings_row: ReturnSettings | None = None) -> dict:
    """Whether the buyer may request a return now, and if not, why (in their words).
    The same rules as `services._check_returnable(customer=True)`, read without a lock:
    the service checks them again when the request comes."""
    settings_row = settings_row or ReturnSettings.get()
    end = window_end(order, settings_row) if order.status in RETURNABLE_ORDER_STATUSES else None
    state = {"can_request": False, "why_not": "", "window_end": end, "returnable": []}
    if order.status in ON_THE_WAY:
        if settings_row.returns_enabled:
            state["why_not"] = _("Once your order is delivered, you can request a return here.")
        return state
    if order.status not in RETURNABLE_ORDER_STATUSES:
        return state
    if not settings_row.returns_enabled:
        state["why_not"] = _(
            "This shop does not take return requests here. Please contact the seller."
        )
        return state
    if end is not None and timezone.now() > end:
        state["why_not"] = _("The return period ended on %(date)s.") % {"date": _date(end)}
        return state
    state["returnable"] = returnable_lines(order)
    if not any(left > 0 for _line, left in state["returnable"]):
        state["why_not"] = _("All items of this order are already in a return.")
        return state
    state["can_request"] = True
    return state


def _date(value) -> str:
    return l10n.format_date(value, width="long")


def customer_returns(order: Order) -> dict | None:
    """The `returns` block of the order link: the buyer's returns (reference, status, items,
    label, slip, the seller's messages) and the "Request a return" button or why there is
    none. None when returns do not concern the order (not shipped, cancelled …)."""
    settings_row = ReturnSettings.get()
    state = return_availability(order, settings_row)
    rows = []
    for ret in _buyer_returns(order):
        lines: list[ReturnLine] = list(ret.lines.all())
        rows.append(
            {
                "ret": ret,
                "status_label": Status(ret.status).label,
                "explanation": CUSTOMER_RETURN_STATUS.get(ret.status, ""),
                "lines": lines,
                "items_count": sum(line.qty for line in lines),
                "photos_count": len(ret.photos.all()),
                # A quarantined label is never served: no button for it.
                "label_name": os.path.basename(ret.label.name)
                if ret.label and not is_quarantined(ret.label) else "",
                "slip": ret.status in SLIP_STATUSES,
                # What the seller told the buyer (sent by e-mail or WhatsApp), never unsent drafts.
                "messages": [m for m in ret.messages.all() if m.sent_at and m.body.strip()],
            }
        )
    if not rows and not state["can_request"] and not state["why_not"]:
        return None
    return {**state, "rows": rows}


# --- the one-time form token ------------------------------------------------------------------


def _signer(order: Order):
    return signing.Signer(salt=f"{FORM_SALT}:{order.pk}", sep=".")


def _newest_customer_return_id(order: Order) -> int:
    return (
        Return.objects.filter(order=order, origin="customer")
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def new_form_token(order: Order) -> str:
    """A token for one rendering of the form: this order's, naming the newest customer
    return the buyer has seen."""
    return _signer(order).sign(f"{_newest_customer_return_id(order)}-{secrets.token_urlsafe(12)}")


def seen_return_id(order: Order, token: str) -> int | None:
    """The return id the token names, or None when it is not a token of this order's form."""
    if not token or len(token) > 200:
        return None
    try:
        value = _signer(order).unsign(token)
    except signing.BadSignature:
        return None
    seen, _sep, _nonce = value.partition("-")
    return int(seen) if seen.isdigit() else None


# --- the pages -----------------------------------------------------------------------------


def _order_or_404(token: str, request=None) -> Order:
    order = order_from_token(token, Order.objects.select_related("courier", "landing_page"))
    if order is None:
        raise Http404
    activate_buyer_language(order, request)  # issue 17
    return order


def _back_to_order(token: str, anchor: str = "returns"):
    response = redirect(reverse("storefront:order_link", kwargs={"token": token}) + f"#{anchor}")
    response.status_code = 303  # the browser GETs the order link: a refresh there does not resend
    return response


def _form(order: Order, state: dict, data=None, files=None) -> ReturnRequestForm:
    initial = {"form_token": new_form_token(order)} if data is None else None
    return ReturnRequestForm(
        data, files, returnable=state["returnable"], reasons=list(return_reasons()), initial=initial
    )


NOT_SENT = gettext_lazy("Your request was not sent yet. Please check the fields marked in red.")


def _render(
    request, order: Order, token: str, state: dict, form: ReturnRequestForm, *, status=200, alert=""
):
    if form.is_bound:  # the next try is a new form: a new token, what was typed kept
        data = form.data.copy()
        data["form_token"] = new_form_token(order)
        form.data = data
    return render(
        request,
        "storefront/return_request.html",
        {
            "order": order,
            "token": token,
            "form": form,
            "window_end": state["window_end"],
            "alert": alert,
            # Browsers do not fill file inputs again: say so when photos were sent with errors.
            "photos_again": form.is_bound and bool(request.FILES) and bool(form.errors),
            "resolution_hints": {str(k): v for k, v in RESOLUTION_HINTS.items()},
        },
        status=status,
    )


def _sent(request, token: str, ret: Return):
    messages.success(
        request,
        _("Your return request %(reference)s was sent to the seller. The seller is reviewing it.")
        % {"reference": ret.reference},
    )
    return _back_to_order(token, f"return-{ret.reference}")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def return_request_view(request, token):
    """/o/<token>/return/: the form (GET) and the request (POST)."""
    order = _order_or_404(token, request)
    state = return_availability(order)

    if request.method != "POST":
        if not state["can_request"]:
            if state["why_not"]:
                messages.info(request, state["why_not"])
            return _back_to_order(token)
        return _render(request, order, token, state, _form(order, state))

    seen = seen_return_id(order, request.POST.get("form_token", ""))
    if seen is not None:
        # The same form again (double tap, refresh, retry): the return it already made.
        sent = (
            Return.objects.filter(order=order, origin="customer", pk__gt=seen)
            .order_by("pk")
            .first()
        )
        if sent is not None:
            return _sent(request, token, sent)
    if not state["can_request"]:
        messages.error(
            request, state["why_not"] or _("A return cannot be requested for this order.")
        )
        return _back_to_order(token)
    form = _form(order, state, request.POST, request.FILES)
    if seen is None:
        form.is_valid()
        return _render(
            request,
            order,
            token,
            state,
            form,
            status=400,
            alert=_(
                "This form has expired. Please check your details and press the send button again."
            ),
        )
    if not form.is_valid():
        return _render(request, order, token, state, form, status=422, alert=NOT_SENT)
    try:
        ret = return_request(
            order_id=order.pk,
            data=form.return_input(order),
            photos=form.photos(),
            source="customer",
            seen_return_id=seen,
        )
    except NotFound as exc:
        raise Http404 from exc
    except Conflict as exc:
        state = return_availability(order)  # the order, the settings or other returns changed
        if exc.code != "qty_exceeds_returnable" or not state["can_request"]:
            messages.error(request, str(exc.message))
            return _back_to_order(token)
        # A return the seller made meanwhile took some items: the form over what is left.
        form = _form(order, state, request.POST, request.FILES)
        form.is_valid()
        return _render(request, order, token, state, form, status=422, alert=str(exc.message))
    except DomainError as exc:
        loose = form.apply_service_error(exc)
        return _render(
            request, order, token, state, form, status=422, alert=" ".join(loose) or NOT_SENT
        )
    return _sent(request, token, ret)


def _buyer_return_or_404(token: str, reference: str, request=None) -> tuple[Order, Return]:
    order = _order_or_404(token, request)
    ret = (
        Return.objects.select_related("order", "customer", "reason", "custom_state")
        .filter(order=order, reference=reference, status__in=SHOWN_STATUSES)
        .first()
    )
    if ret is None:
        raise Http404
    return order, ret


@never_cache
@require_http_methods(["GET", "HEAD"])
def return_label_view(request, token, reference):
    """/o/<token>/returns/<reference>/label/: the label the seller uploaded (SPEC 3.3)."""
    _order, ret = _buyer_return_or_404(token, reference, request)
    if not ret.label:
        raise Http404
    return serve_upload(ret.label, attachment=True)


@never_cache
@require_http_methods(["GET", "HEAD"])
def return_slip_view(request, token, reference):
    """/o/<token>/returns/<reference>/slip/: the return slip to put in the parcel, in the
    buyer's language; the printable page when this server cannot make PDFs."""
    from tokodesk.notifications import slips

    _order, ret = _buyer_return_or_404(token, reference, request)
    if ret.status not in SLIP_STATUSES:
        raise Http404
    locale = translation.get_language()
    try:
        pdf = slips.render_slip_pdf(ret, locale)
    except slips.PdfUnavailable:
        return HttpResponse(slips.render_slip_html(ret, locale, request=request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slips.slip_filename(ret)}"'
    return response
