"""Refunds to pay (issue 12, item 11): finance's list of the pending bank refunds, the
oldest first, with how long each has waited and where the money goes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from tokodesk.returns.models import Refund
from tokodesk.returns.states import RefundMethod, RefundStatus

LIMIT = 200


@login_required
@permission_required("returns.manage_refunds", raise_exception=True)
def refunds_to_pay_view(request):
    pending = Refund.objects.filter(status=RefundStatus.PENDING, method=RefundMethod.BANK_TRANSFER)
    refunds = list(
        pending.select_related("return_order", "order").order_by("created_at", "id")[:LIMIT]
    )
    return render(request, "returns/refunds_to_pay.html", {
        "nav": "refunds",
        "refunds": refunds,
        "total": pending.count(),
        "limit": LIMIT,
        "now": timezone.now(),
    })
