"""Reads of claims: the list (filters by status and courier), one claim with its evidence
and timeline, an order's claims, and what paid claims brought in per courier and month."""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from tokodesk.orders.selectors import order_queryset_for
from tokodesk.payments.models import Claim

LIMIT = 100


def claims_for(user):
    """The claims on orders this user may see (an agent: the orders assigned to them)."""
    qs = Claim.objects.all()
    if user is None or user.has_perm("orders.view_all_orders"):
        return qs
    return qs.filter(order__in=order_queryset_for(user))


def claim_list(
    *,
    user=None,
    status: str | None = None,
    courier: str | None = None,
    limit: int = LIMIT,
    offset: int = 0,
) -> list[Claim]:
    qs = claims_for(user).select_related("order", "courier").annotate(files=Count("evidence"))
    if status:
        qs = qs.filter(status=status)
    if courier:
        qs = qs.filter(courier__code=courier)
    return list(qs.order_by("-created_at", "-id")[offset : offset + limit])


def claim_counts(*, user=None, courier: str | None = None) -> dict[str, dict]:
    """Per status: how many claims and their amount (claimed; paid for the paid ones)."""
    qs = claims_for(user)
    if courier:
        qs = qs.filter(courier__code=courier)
    rows = qs.values("status").annotate(
        n=Count("id"), amount=Sum("amount"), paid=Sum("paid_amount")
    )
    counts = {value: {"n": 0, "amount": 0} for value in Claim.Status.values}
    for row in rows.order_by():
        counts[row["status"]] = {
            "n": row["n"],
            "amount": (row["paid"] if row["status"] == Claim.Status.PAID else row["amount"]) or 0,
        }
    return counts


def claim_get(reference: str, user=None) -> Claim | None:
    return (
        claims_for(user)
        .select_related("order", "courier", "created_by")
        .prefetch_related("evidence")
        .filter(reference=reference)
        .first()
    )


def claim_events(claim: Claim):
    return list(claim.events.select_related("actor").order_by("created_at", "id"))


def order_claims(order_id: int) -> list[Claim]:
    return list(Claim.objects.filter(order_id=order_id).order_by("-created_at", "-id"))


def paid_by_period(courier: str | None = None) -> list[dict]:
    """Money in from paid claims, per month of their paid date and courier."""
    qs = Claim.objects.filter(status=Claim.Status.PAID)
    if courier:
        qs = qs.filter(courier__code=courier)
    return list(
        qs.annotate(period=TruncMonth("paid_on"))
        .values("period", courier_name=F("courier__name"))
        .annotate(claims=Count("id"), paid=Sum("paid_amount"))
        .order_by("-period", "courier_name")
    )
