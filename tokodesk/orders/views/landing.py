"""Where each role lands after logging in (issue 12, item 11): on the list of its own work.

- warehouse: To ship, by ship-by deadline (the most urgent first);
- finance: Transfers to verify (`transfers_view`): the bank-transfer orders whose buyer
  sent a proof of transfer first, the oldest proof first, then the ones awaiting payment
  (the statuses whose next step is `confirm_payment`: confirmed, partially paid), the
  oldest order first, so that the buyer who has waited longest is checked first;
- everyone else (owner, admin, agents, viewers): the orders page as it opens;
- a user who may see returns but no orders (the `return_order` group alone): the returns list.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import F, Q
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import ORDER_TRANSITIONS, PRE_SHIPMENT, PaymentMethod

# Where finance confirms a transfer (with its proof): the sources of confirm_payment.
TRANSFER_STATUSES = next(t.sources for t in ORDER_TRANSITIONS if t.action == "confirm_payment")

# The role -> the orders page's query string it lands on. Roles (groups) earlier in the
# list win for a user in several groups; owner and admin keep the plain page.
LANDINGS = (
    ("owner", None),
    ("admin", None),
    ("warehouse", [("tab", "to_ship"), ("sort", "deadline")]),
    ("finance", "orders:transfers"),
)
LIMIT = 200


def landing_url(user) -> str:
    if not user.has_perm("orders.view_order") and user.has_perm("returns.view_return"):
        return reverse("returns:list")
    url = reverse("orders:list")
    groups = set(user.groups.values_list("name", flat=True))
    for role, params in LANDINGS:
        if role in groups:
            if isinstance(params, str):  # a page of its own
                return reverse(params)
            if params:
                query = QueryDict(mutable=True)
                for key, value in params:
                    query.appendlist(key, str(value))
                url += "?" + query.urlencode()
            return url
    return url


@login_required
def home_view(request):
    """`/` and the login's default destination."""
    return redirect(landing_url(request.user))


def transfers_to_verify(user):
    """The bank-transfer orders with money still due that finance checks: those whose buyer
    sent a proof (any status before shipment), the oldest proof first; then those awaiting
    the transfer (confirm_payment's statuses), the oldest order first."""
    due = order_queryset_for(user).filter(
        payment_method=PaymentMethod.BANK_TRANSFER, total__gt=F("paid_total")
    )
    return due.filter(
        Q(customer_proof_at__isnull=False, status__in=PRE_SHIPMENT)
        | Q(status__in=TRANSFER_STATUSES)
    ).order_by(F("customer_proof_at").asc(nulls_last=True), "created_at", "id")


@login_required
@permission_required("orders.manage_payments", raise_exception=True)
def transfers_view(request):
    """Transfers to verify (issue 12, item 11): finance's landing."""
    orders = transfers_to_verify(request.user)
    rows = list(orders.select_related("assigned_agent")[:LIMIT])
    return render(
        request,
        "orders/transfers.html",
        {
            "nav": "transfers",
            "orders": rows,
            "total": orders.count() if len(rows) == LIMIT else len(rows),
            "with_proof": sum(1 for o in rows if o.customer_proof_at),
            "limit": LIMIT,
            "now": timezone.now(),
        },
    )
