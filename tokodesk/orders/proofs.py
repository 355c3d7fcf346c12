"""The proof of transfer a buyer sends from their order page (issue 12, item 14).

The team's own proof is the one finance attaches when it confirms a payment (the
`confirm_payment` action: a Payment with its proof, through `order_apply_action`). A buyer
cannot confirm a payment: what they send is a claim for finance to check. So it is kept on
the order (`Order.customer_proof`, the latest one; each upload is on the timeline with its
file name) and the order page shows it to the team beside "Confirm payment".

The file goes through the one upload check (`core.uploads.clean_upload`: type from the
content, images re-encoded, at most MAX_BYTES). A buyer may send PROOFS_PER_HOUR proofs
per order per hour; the next one is refused (429) until the hour has passed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import Conflict, DomainError
from tokodesk.core.uploads import clean_upload
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.states import PRE_SHIPMENT, PaymentMethod

MAX_BYTES = 10 * 1024 * 1024
PROOFS_PER_HOUR = 5
FIELD = "proof"


class TooManyProofs(DomainError):
    status = 429


def accepts_proof(order: Order) -> bool:
    """While a bank transfer is due: not shipped, not cancelled, something left to pay."""
    return (
        order.payment_method == PaymentMethod.BANK_TRANSFER
        and order.status in PRE_SHIPMENT
        and order.outstanding > 0
    )


def proofs_in_last_hour(order: Order) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    return OrderEvent.objects.filter(
        order=order, kind=OrderEvent.Kind.PROOF_SENT, created_at__gte=since
    ).count()


@transaction.atomic
def order_receive_customer_proof(*, order_id: int, file) -> Order:
    """Keep the buyer's proof on the order and say so on its timeline (source "customer")."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not accepts_proof(order):
        raise Conflict("not_awaiting_transfer", _("This order is not waiting for a bank transfer."))
    if proofs_in_last_hour(order) >= PROOFS_PER_HOUR:
        raise TooManyProofs(
            "rate_limited",
            _(
                "You already sent %(count)s proofs in the last hour. Please wait a little, or "
                "contact the seller on WhatsApp."
            )
            % {"count": PROOFS_PER_HOUR},
        )
    upload = clean_upload(file, field=FIELD, max_bytes=MAX_BYTES)
    order.customer_proof.save(upload.name, upload, save=False)
    order.customer_proof_at = timezone.now()
    order.version += 1
    order.save(update_fields=["customer_proof", "customer_proof_at", "version", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.PROOF_SENT,
        actor=None,
        source="customer",
        data={"proof": order.customer_proof.name},
    )
    return order
