"""The customer's page of store credit ("Saldo Toko", issue 12 item 3): the balance, the
ledger with the balance after each entry, and the customer's latest orders. It lives with
the ledger (returns); customers knows neither orders nor returns. Agents see only the
customers of their own orders, as in the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render

from tokodesk.core.models import ShopSettings
from tokodesk.customers.models import Customer
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.returns import selectors

LATEST_ORDERS = 20


def visible_customer(user, customer_id: int) -> Customer | None:
    qs = Customer.objects.all()
    if not user.has_perm("orders.view_all_orders"):
        qs = qs.filter(pk__in=order_queryset_for(user).values("customer_id"))
    return qs.filter(pk=customer_id).first()


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_credit_view(request, customer_id: int):
    customer = visible_customer(request.user, customer_id)
    if customer is None:
        raise Http404
    entries = selectors.store_credit_ledger(customer.pk)
    entries.reverse()  # newest first on the page
    orders = list(
        order_queryset_for(request.user)
        .filter(customer=customer)
        .order_by("-created_at", "-id")[:LATEST_ORDERS]
    )
    return render(
        request,
        "returns/customer_credit.html",
        {
            "nav": "orders",
            "customer": customer,
            "entries": entries,
            "orders": orders,
            "balance": entries[0].running_balance if entries else 0,
            "currency": ShopSettings.get().currency,
        },
    )
