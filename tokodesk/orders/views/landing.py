"""Where each role lands after logging in (issue 12, item 11): on the list of its own work.

- warehouse: To ship, by ship-by deadline (the most urgent first);
- finance: the transfers to verify (bank-transfer orders in the statuses whose next step
  is `confirm_payment`: confirmed, partially paid), oldest first, so that the buyer who
  has waited longest is checked first;
- everyone else (owner, admin, agents, viewers): the orders page as it opens.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from tokodesk.orders.states import ORDER_TRANSITIONS, PaymentMethod

# Where finance confirms a transfer (with its proof): the sources of confirm_payment.
TRANSFER_STATUSES = next(t.sources for t in ORDER_TRANSITIONS if t.action == "confirm_payment")

# The role -> the orders page's query string it lands on. Roles (groups) earlier in the
# list win for a user in several groups; owner and admin keep the plain page.
LANDINGS = (
    ("owner", None),
    ("admin", None),
    ("warehouse", [("tab", "to_ship"), ("sort", "deadline")]),
    ("finance", [
        ("payment_method", PaymentMethod.BANK_TRANSFER),
        *[("status", status) for status in TRANSFER_STATUSES],
        ("sort", "created_at"),
    ]),
)


def landing_url(user) -> str:
    url = reverse("orders:list")
    groups = set(user.groups.values_list("name", flat=True))
    for role, params in LANDINGS:
        if role in groups:
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
