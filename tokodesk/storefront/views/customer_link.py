"""The buyer's order link (/o/<token>/): no account, no seller navigation.

The signed token (tokodesk.storefront.links) is the only key: a wrong or altered one is a
plain 404. The page shows, in the buyer's language, where the order is (a short progress
line), the items and total, how to pay while a bank transfer is due, the courier and AWB
with a tracking link once shipped, and a timeline of what happened. The timeline is a
whitelist of the order table's actions worded for the buyer: no internal notes, no staff
names, no tags, no agent changes, no edits.

The buyer may ask to cancel while the order table allows `request_cancellation` from the
current status; the request goes through `order_apply_action` like any other change.
Once the order is delivered they may request a return, and they find their returns with
the return label here (`customer_returns`, views/customer_returns.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tokodesk.core.errors import Conflict, DomainError
from tokodesk.core.money import format_money
from tokodesk.core.sections import sections as page_sections
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import ORDER_TRANSITIONS, PRE_SHIPMENT, PaymentMethod, Status
from tokodesk.storefront.links import activate_buyer_language, order_from_token
from tokodesk.storefront.views.customer_payment import transfer_context
from tokodesk.storefront.views.customer_returns import customer_returns

S = Status
CANCEL_ACTION = "request_cancellation"

# --- where the order is, in the buyer's words -------------------------------------------

# The steps of the progress line. "paid" only for orders paid before shipping (not COD).
STEP_LABELS = {
    "ordered": gettext_lazy("Ordered"),
    "confirmed": gettext_lazy("Confirmed"),
    "paid": gettext_lazy("Paid"),
    "shipped": gettext_lazy("Shipped"),
    "delivered": gettext_lazy("Delivered"),
}
# The last step each status has reached.
STEP_REACHED = {
    S.NEW: "ordered",
    S.CONFIRMED: "confirmed", S.AWAITING_PAYMENT: "confirmed", S.PAYMENT_PROCESSING: "confirmed",
    S.PARTIALLY_PAID: "confirmed", S.INVOICE_PENDING: "confirmed", S.INVOICE_ISSUED: "confirmed",
    S.PAID: "paid", S.PAYMENT_COMPLETED: "paid", S.INVOICE_PAID: "paid", S.READY_TO_SHIP: "paid",
    S.AWAITING_PICKUP: "paid",
    S.IN_TRANSIT: "shipped", S.DELIVERY_PROBLEM: "shipped", S.RETURNING: "shipped",
    S.RETURNED: "shipped", S.LOST_OR_DAMAGED: "shipped",
    S.DELIVERED: "delivered", S.COMPLETED: "delivered",
}
# Statuses where the parcel will not arrive as planned: the next step is shown as stopped.
TROUBLE = (S.DELIVERY_PROBLEM, S.RETURNING, S.RETURNED, S.LOST_OR_DAMAGED)

# A COD buyer pays the courier: say so until the parcel arrives.
COD_DUE = (*PRE_SHIPMENT, S.AWAITING_PICKUP, S.IN_TRANSIT, S.DELIVERY_PROBLEM)

# Status → (headline, what it means for the buyer). Tone: the buyer's side of the order.
CUSTOMER_STATUS = {
    S.NEW: (gettext_lazy("Order received"),
            gettext_lazy("The seller will check and confirm your order soon.")),
    S.CONFIRMED: (gettext_lazy("Order confirmed"),
                  gettext_lazy("The seller has confirmed your order.")),
    S.AWAITING_PAYMENT: (gettext_lazy("Waiting for your payment"),
                         gettext_lazy("Your order is confirmed. It will be prepared once it is paid.")),
    S.PAYMENT_PROCESSING: (gettext_lazy("Payment being processed"),
                           gettext_lazy("Your payment is being processed by the payment provider.")),
    S.PARTIALLY_PAID: (gettext_lazy("Partly paid"),
                       gettext_lazy("The seller received part of the payment. Please pay the rest.")),
    S.INVOICE_PENDING: (gettext_lazy("Invoice being prepared"),
                        gettext_lazy("The seller is preparing your invoice.")),
    S.INVOICE_ISSUED: (gettext_lazy("Invoice sent"),
                       gettext_lazy("Your order will be prepared once the invoice is paid.")),
    S.PAID: (gettext_lazy("Payment received"),
             gettext_lazy("Thank you! Your order will be packed and shipped soon.")),
    S.PAYMENT_COMPLETED: (gettext_lazy("Payment received"),
                          gettext_lazy("Thank you! Your order will be packed and shipped soon.")),
    S.INVOICE_PAID: (gettext_lazy("Invoice paid"),
                     gettext_lazy("Thank you! Your order will be packed and shipped soon.")),
    S.READY_TO_SHIP: (gettext_lazy("Being packed"),
                      gettext_lazy("The seller is packing your order for the courier.")),
    S.AWAITING_PICKUP: (gettext_lazy("Waiting for the courier"),
                        gettext_lazy("Your parcel is packed and waits for the courier to pick it up.")),
    S.IN_TRANSIT: (gettext_lazy("On the way"),
                   gettext_lazy("The courier is bringing your parcel.")),
    S.DELIVERY_PROBLEM: (gettext_lazy("Delivery delayed"),
                         gettext_lazy("The courier reported a problem with the delivery. "
                                      "The seller is looking into it.")),
    S.DELIVERED: (gettext_lazy("Delivered"),
                  gettext_lazy("Your parcel has been delivered. Enjoy!")),
    S.COMPLETED: (gettext_lazy("Completed"),
                  gettext_lazy("Your order is complete. Thank you for shopping with us!")),
    S.CANCELLATION_REQUESTED: (gettext_lazy("Cancellation requested"),
                               gettext_lazy("The seller is reviewing your request to cancel.")),
    S.CANCELLED: (gettext_lazy("Cancelled"),
                  gettext_lazy("This order is cancelled and will not be shipped.")),
    S.LOST_OR_DAMAGED: (gettext_lazy("Parcel lost or damaged"),
                        gettext_lazy("The courier lost or damaged your parcel. "
                                     "The seller will contact you.")),
    S.RETURNING: (gettext_lazy("Returning to the seller"),
                  gettext_lazy("The parcel could not be delivered and is going back to the seller.")),
    S.RETURNED: (gettext_lazy("Returned to the seller"),
                 gettext_lazy("The parcel could not be delivered and is back with the seller.")),
}

# The buyer's timeline: which actions of the order table they see, and how each is worded.
# Anything not listed here (edits, notes, tags, agent changes, chats, new actions) stays
# internal. Staff-written reasons are never shown; the buyer's own reason is.
CUSTOMER_EVENTS = {
    "confirm": gettext_lazy("Order confirmed by the seller"),
    "unconfirm": gettext_lazy("Confirmation withdrawn by the seller"),
    "request_payment": gettext_lazy("Payment link sent"),
    "payment_succeeded": gettext_lazy("Payment received"),
    "payment_failed": gettext_lazy("Payment did not go through"),
    "confirm_payment": gettext_lazy("Payment received"),
    "unconfirm_payment": gettext_lazy("Payment confirmation withdrawn by the seller"),
    "issue_invoice": gettext_lazy("Invoice sent"),
    "record_invoice_payment": gettext_lazy("Invoice paid"),
    "mark_ready": gettext_lazy("Being packed"),
    "ship": gettext_lazy("Shipping label created"),
    "cancel_shipment": gettext_lazy("Shipping label cancelled"),
    "picked_up": gettext_lazy("Picked up by the courier"),
    "report_problem": gettext_lazy("The courier reported a delivery problem"),
    "resume_delivery": gettext_lazy("Delivery resumed"),
    "delivered": gettext_lazy("Delivered"),
    "mark_lost": gettext_lazy("Parcel reported lost or damaged"),
    "return_to_sender": gettext_lazy("Parcel returning to the seller"),
    "returned_to_sender": gettext_lazy("Parcel back with the seller"),
    "complete": gettext_lazy("Order completed"),
    "request_cancellation": gettext_lazy("Cancellation requested"),
    "approve_cancellation": gettext_lazy("Cancellation accepted by the seller"),
    "reject_cancellation": gettext_lazy("Cancellation declined: the order goes on"),
    "cancel": gettext_lazy("Order cancelled by the seller"),
    "reopen": gettext_lazy("Order reopened"),
}


def _status_for_progress(order: Order) -> str:
    if order.status == S.CANCELLATION_REQUESTED and order.status_before_cancellation in PRE_SHIPMENT:
        return order.status_before_cancellation
    return order.status


def progress_steps(order: Order, events: list[OrderEvent]) -> list[dict]:
    """ordered → confirmed → paid (not COD) → shipped → delivered, each done, current
    (the next one while the order moves on), stopped (the parcel will not get there) or
    to do; a done step carries when it was reached. Empty for a cancelled order."""
    if order.status == S.CANCELLED:
        return []
    keys = [k for k in STEP_LABELS if not (k == "paid" and order.payment_method == PaymentMethod.COD)]

    def index(status) -> int:
        key = STEP_REACHED.get(status, "ordered")
        while key not in keys:  # COD: "paid" is "confirmed"
            key = list(STEP_LABELS)[list(STEP_LABELS).index(key) - 1]
        return keys.index(key)

    # When each step was first reached (a skipped step takes the time of the move past it).
    reached_at = {0: order.created_at}
    for event in events:
        if event.kind == OrderEvent.Kind.ACTION and event.to_status in STEP_REACHED:
            for i in range(index(event.to_status) + 1):
                reached_at.setdefault(i, event.created_at)
    status = _status_for_progress(order)
    reached = index(status)
    waiting = order.status != S.CANCELLATION_REQUESTED
    steps = []
    for i, key in enumerate(keys):
        if i <= reached:
            state = "done"
        elif i == reached + 1 and status in TROUBLE:
            state = "stopped"
        elif i == reached + 1 and waiting:
            state = "current"
        else:
            state = "todo"
        steps.append({"key": key, "label": STEP_LABELS[key], "state": state,
                      "at": reached_at.get(i) if state == "done" else None})
    return steps


def customer_timeline(order: Order, events: list[OrderEvent], courier_names: dict) -> list[dict]:
    """Newest first: the moments the buyer cares about, in their words, without who did it
    (staff names stay inside) and without internal data."""
    entries = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        detail = ""
        if event.kind == OrderEvent.Kind.CREATED:
            title = _("Order placed")
        elif event.kind == OrderEvent.Kind.PROOF_SENT:
            title = _("You sent a proof of transfer")
        elif event.kind == OrderEvent.Kind.ACTION and event.action in CUSTOMER_EVENTS:
            title = str(CUSTOMER_EVENTS[event.action])
            if event.action == "confirm_payment" and event.to_status == S.PARTIALLY_PAID:
                title = _("Part of the payment received")
            if event.action in ("confirm_payment", "payment_succeeded", "record_invoice_payment"):
                if isinstance(data.get("amount"), int):
                    detail = format_money(data["amount"], order.currency)
            elif event.action == "ship" and data.get("awb"):
                courier = courier_names.get(data.get("courier"), "")
                detail = f"{courier} · {data['awb']}" if courier else str(data["awb"])
            elif event.action == "issue_invoice" and data.get("number"):
                detail = str(data["number"])
            elif event.action == "request_cancellation":
                if event.source == "customer":
                    title = _("You asked to cancel the order")
                    detail = str(data.get("reason", ""))[:300]
            elif event.action == "approve_cancellation" and data.get("automatic"):
                title = _("Cancelled automatically: the seller did not answer in time")
        else:
            continue
        entries.append({"title": title, "detail": detail, "at": event.created_at,
                        "mine": event.source == "customer"})
    entries.reverse()
    return entries


def tracking_url(order: Order) -> str:
    """The courier's tracking page for this AWB, when the courier has one (http/https only)."""
    if not (order.awb and order.courier_id and order.courier.tracking_url):
        return ""
    template = order.courier.tracking_url
    awb = quote(order.awb, safe="")
    try:
        url = template.format(awb=awb)
    except (KeyError, IndexError, ValueError):  # stray braces in a hand-typed URL
        url = template.replace("{awb}", awb)
    if "{awb}" not in template or urlsplit(url).scheme not in ("http", "https"):
        return ""
    return url


def payment_due(order: Order) -> dict | None:
    """What the buyer still has to do to pay, while the order waits for it."""
    if order.outstanding <= 0:
        return None
    if order.payment_method == PaymentMethod.COD and order.status in COD_DUE:
        return {"kind": "cod", "amount": order.outstanding}
    if order.status not in PRE_SHIPMENT:
        return None
    if order.payment_method == PaymentMethod.BANK_TRANSFER:
        page = order.landing_page
        # The landing page's own instructions (the shop's accounts), when pages have them.
        text = (getattr(page, "payment_instructions", "") or "") if page is not None else ""
        return {"kind": "bank_transfer", "amount": order.outstanding, "instructions": text.strip()}
    if order.payment_method == PaymentMethod.PAYMENT_GATEWAY and order.status == S.AWAITING_PAYMENT:
        link = order.payment_link if urlsplit(order.payment_link).scheme == "https" else ""
        return {"kind": "payment_gateway", "amount": order.outstanding, "link": link}
    if order.payment_method == PaymentMethod.INVOICE and order.status == S.INVOICE_ISSUED:
        return {"kind": "invoice", "amount": order.outstanding, "number": order.invoice_number,
                "due_date": order.invoice_due_date}
    return None


def can_request_cancellation(order: Order) -> bool:
    """As the order table says: the action exists from this status and its guards pass."""
    return any(t.action == CANCEL_ACTION for t in ORDER_TRANSITIONS.available(order))


# --- the pages ---------------------------------------------------------------------------


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you want to cancel?"), max_length=1000, strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"required": gettext_lazy("Please tell the seller why you want to cancel.")},
    )


def _order_or_404(token: str, request=None) -> Order:
    order = order_from_token(token, Order.objects.select_related("courier", "landing_page", "assigned_agent"))
    if order is None:
        raise Http404
    activate_buyer_language(order, request)  # issue 17
    return order


def _page(request, order: Order, *, form=None, proof_form=None, status=200):
    events = list(order.events.order_by("created_at", "id"))
    courier_names = {}
    if order.courier_id:
        courier_names[order.courier.code] = order.courier.name
    if any(e.action == "ship" and isinstance(e.data, dict) and e.data.get("courier") not in courier_names
           for e in events):
        from tokodesk.shipping.models import Courier

        courier_names.update(Courier.objects.values_list("code", "name"))
    headline, explanation = CUSTOMER_STATUS.get(order.status, (Status(order.status).label, ""))
    cancellable = can_request_cancellation(order)
    payment = payment_due(order)
    context = {
        "order": order,
        "token": request.resolver_match.kwargs["token"],
        "headline": headline,
        "explanation": explanation,
        "steps": progress_steps(order, events),
        "lines": list(order.lines.all()),
        "timeline": customer_timeline(order, events, courier_names),
        "payment": payment,
        # The bank transfer: WhatsApp to the seller, the proof upload, the unique code.
        "transfer": transfer_context(order, payment, proof_form),
        "tracking_url": tracking_url(order),
        "shipped": bool(order.awb),
        "can_cancel": cancellable,
        "cancel_form": (form or CancellationForm()) if cancellable else None,
        "cancellation_pending": order.status == S.CANCELLATION_REQUESTED,
        "cancellation_deadline": order.cancellation_deadline,
        "deadline_passed": bool(order.cancellation_deadline and order.cancellation_deadline <= timezone.now()),
        "returns": customer_returns(order),
        # What other apps add (the courier's tracking history …), registered with core.sections.
        "sections": page_sections("storefront.order_link", order=order),
    }
    return render(request, "storefront/order_link.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def order_link_view(request, token):
    return _page(request, _order_or_404(token, request))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_cancellation_view(request, token):
    order = _order_or_404(token, request)
    if request.method != "POST":
        return redirect("storefront:order_link", token=token)
    if order.status == S.CANCELLATION_REQUESTED:  # a second submit, a refresh, a double tap
        messages.info(request, _("Your cancellation request was already sent. The seller is reviewing it."))
        return redirect("storefront:order_link", token=token)
    form = CancellationForm(request.POST)
    if not form.is_valid():
        if not can_request_cancellation(order):
            return _refused(request, order, token)
        return _page(request, order, form=form, status=422)
    try:
        order_apply_action(reference=order.reference, action=CANCEL_ACTION, actor=None,
                           inputs={"reason": form.cleaned_data["reason"]}, source="customer")
    except Conflict:
        # The status changed between the page and the tap (shipped, cancelled, or the
        # same request a moment ago from another tab).
        order.refresh_from_db()
        if order.status == S.CANCELLATION_REQUESTED:
            messages.info(request, _("Your cancellation request was already sent. The seller is reviewing it."))
            return redirect("storefront:order_link", token=token)
        return _refused(request, order, token)
    except DomainError as exc:
        form.add_error("reason", str(exc.message))
        return _page(request, order, form=form, status=422)
    messages.success(request, _("Your cancellation request was sent to the seller."))
    return redirect("storefront:order_link", token=token)


def _refused(request, order, token):
    headline = CUSTOMER_STATUS.get(order.status, (Status(order.status).label, ""))[0]
    messages.error(request, _("This order can no longer be cancelled here: it is now “%(status)s”. "
                              "Please contact the seller.") % {"status": headline})
    return redirect("storefront:order_link", token=token)
