"""The COD risk shown on a COD order before it ships (issue 15): a customer whose past COD
parcels were refused at the door (sent back to the seller) is flagged, so the agent sees it
before confirming; the seller decides. Registered with core.sections in PaymentsConfig.ready()."""

from __future__ import annotations

from django.db.models import Count, Q

from tokodesk.orders.models import Order
from tokodesk.payments.models import Claim

BEFORE_SHIPPING = ("new", "confirmed", "ready_to_ship")
ENDED = ("delivered", "completed", "returning", "returned")
SENT_BACK = ("returning", "returned")


def cod_risk_section(*, order, user, **_) -> dict | None:
    """None unless this is a COD order not shipped yet whose customer had COD parcels sent
    back; one query."""
    if order.payment_method != "cod" or order.status not in BEFORE_SHIPPING:
        return None
    counts = (
        Order.objects.filter(customer_id=order.customer_id, payment_method="cod", status__in=ENDED)
        .exclude(pk=order.pk)
        .aggregate(ended=Count("id"), sent_back=Count("id", filter=Q(status__in=SENT_BACK)))
    )
    if not counts["sent_back"]:
        return None
    return {"sent_back": counts["sent_back"], "ended": counts["ended"]}


CLAIMABLE = ("lost_or_damaged", "delivered", "completed", "returning", "returned")


def claims_section(*, order, user, **_) -> dict | None:
    """The order's courier claims, and the button to file one (finance, owner, admin) on a
    parcel lost or damaged; None on an order that was never in the courier's hands. One
    query."""
    if order.status not in CLAIMABLE:
        return None
    claims = list(Claim.objects.filter(order_id=order.pk).order_by("-created_at", "-id"))
    can_claim = (
        user is not None
        and user.has_perm("orders.manage_payments")
        and not any(c.status != Claim.Status.REJECTED for c in claims)
        and (order.status == "lost_or_damaged" or bool(claims))
    )
    if not claims and not can_claim:
        return None
    return {"claims": claims, "can_claim": can_claim}
