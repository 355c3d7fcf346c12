"""What each order action does and what each status means, in words for the pages: the
action's modal and menus show the action's line, the status badge its status's line. The
status names stay those of the seed (Menunggu Pengiriman …); these lines say what they mean.

ASK_FIRST are the actions that undo work, stop or cancel: the pages never run them on one
click but open their modal (their form, or a confirmation step) first.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ASK_FIRST = frozenset(
    {
        "unconfirm",
        "unconfirm_payment",
        "cancel",
        "request_cancellation",
        "approve_cancellation",
        "reject_cancellation",
        "cancel_shipment",
        "mark_lost",
        "return_to_sender",
        "payment_failed",
        "reopen",
    }
)

ACTION_HELP = {
    "confirm": _("The order is checked and its stock is reserved in its warehouse."),
    "unconfirm": _(
        "Back to New: the reserved stock is released. Use it to correct an order confirmed by mistake."
    ),
    "request_payment": _(
        "The customer is asked to pay, with a payment link if you give one; "
        "the order waits for the payment."
    ),
    "payment_pending": _("The payment gateway reports a payment under way."),
    "payment_succeeded": _("The payment gateway reports the order paid; the payment is recorded."),
    "payment_failed": _(
        "The payment gateway reports the payment failed; the order waits for a payment again."
    ),
    "confirm_payment": _(
        "Records the money received on your account (amount, date, proof); "
        "the order is paid once the payments cover its total."
    ),
    "unconfirm_payment": _(
        "The recorded payments are voided (they stay in the history) and the order "
        "goes back to Confirmed."
    ),
    "pay_store_credit": _(
        "Part or all of the order is paid from the customer's store credit, which falls by "
        "that amount; the order is paid once the payments cover its total."
    ),
    "prepay_store_credit": _(
        "Part or all of the order is paid from the customer's store credit, which falls by "
        "that amount; a cancelled order gives it back."
    ),
    "create_invoice": _("An invoice is to be issued for this order."),
    "issue_invoice": _("The invoice with its number and due date is issued to the customer."),
    "record_invoice_payment": _("Records the payment of the invoice."),
    "mark_ready": _("The parcel is packed: the order waits for its shipping label and AWB."),
    "ship": _(
        "The AWB is recorded and the stock deducted; the order then waits for the courier "
        "to pick the parcel up (Awaiting pickup)."
    ),
    "cancel_shipment": _(
        "The AWB is cleared (kept in the history) and the order is ready to ship again."
    ),
    "picked_up": _("The courier has picked the parcel up: the order is in transit."),
    "delivered": _(
        "The courier has delivered the parcel to the customer. For COD, the cash the courier "
        "collected is recorded as paid, waiting for the courier's remittance."
    ),
    "report_problem": _(
        "The courier reports a problem with the delivery (address, customer not reachable …)."
    ),
    "resume_delivery": _("The problem is solved: the delivery goes on."),
    "mark_lost": _("The parcel is lost or damaged on the way; the reason is kept on the order."),
    "return_to_sender": _("The courier brings the parcel back to you."),
    "returned_to_sender": _("The parcel is back with you and its stock is put back."),
    "complete": _(
        "Closes the order. For COD, give the cash collected only when it differs from what "
        "was recorded at delivery."
    ),
    "request_cancellation": _(
        "Records the customer's request to cancel; it is approved automatically when "
        "its deadline passes unless someone answers it first."
    ),
    "approve_cancellation": _(
        "The order is cancelled as the customer asked and its stock is released."
    ),
    "reject_cancellation": _(
        "The order goes back to where it was before the request; the reason is kept."
    ),
    "cancel": _(
        "The order is cancelled and its reserved stock released. The reason is kept on the order."
    ),
    "reopen": _("The order goes back to the status it had before it was cancelled."),
}

STATUS_HELP = {
    "paid": _("Paid: the payments you confirmed (bank transfer) cover the total."),
    "payment_completed": _("Payment completed: the payment gateway confirmed the payment."),
    "awaiting_pickup": _("The AWB is recorded; waiting for the courier to pick the parcel up."),
    "partially_paid": _("Part of the total is paid; the rest is due."),
}
