"""A goodwill refund or store credit without any return, on a delivered or completed order
(finance): `refunds.goodwill_refund`, the same call as the API. The page also lists the
order's refunds, so a pending one can be marked paid."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.core.money import format_money
from tokodesk.returns import refunds, selectors
from tokodesk.returns.forms import GoodwillForm, MarkPaidForm, OrderLookupForm
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES, RefundStatus
from tokodesk.returns.views.create import find_order


@login_required
@permission_required("returns.manage_refunds", raise_exception=True)
def goodwill_view(request):
    ref = (request.POST.get("order") if request.method == "POST" else request.GET.get("order")) or ""
    context = {"nav": "returns", "lookup": OrderLookupForm(initial={"order": ref}), "ref": ref.strip()}
    order, error = find_order(request.user, ref)
    if order is None:
        context["lookup_error"] = error
        return render(request, "returns/goodwill.html", context)
    form = GoodwillForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            refund = refunds.goodwill_refund(order_reference=order.reference, actor=request.user, **form.inputs())
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(method)s of %(amount)s recorded on %(order)s.") % {
                "method": refund.get_method_display(), "amount": format_money(refund.amount, order.currency),
                "order": order.reference})
            return redirect(f"{reverse('returns:goodwill')}?order={order.reference}")
    rows = [{"refund": r, "pending": r.status == RefundStatus.PENDING,
             "proof_name": os.path.basename(r.proof.name) if r.proof else "",
             "form": MarkPaidForm(prefix=f"r{r.pk}") if r.status == RefundStatus.PENDING else None}
            for r in refunds.refund_queryset_for(request.user).filter(order=order).select_related("return_order")
            .order_by("created_at", "id")]
    context.update(
        order=order, form=form, refunds=rows, refunded=refunds.refunded_total(order.pk),
        left=refunds.refundable_left(order), store_credit=selectors.store_credit_balance(order.customer_id),
        returnable=order.status in RETURNABLE_ORDER_STATUSES,
        here=f"{reverse('returns:goodwill')}?order={order.reference}",
    )
    return render(request, "returns/goodwill.html", context, status=422 if request.method == "POST" else 200)
