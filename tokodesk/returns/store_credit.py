"""The store-credit ledger's side of spending (issue 12 item 3): what orders.store_credit
asks for, provided in ReturnsConfig.ready() (orders is built below returns and must not
import it).

Spending locks the customer's row (SELECT … FOR UPDATE) before it reads the balance, so two
spends of one customer's credit run one after the other and the second sees the first's
debit: the balance never goes below zero. Credits (returns, goodwill, given back) only add
and need no lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum

from tokodesk.core.documents import actor_or_none
from tokodesk.core.errors import ValidationFailed
from tokodesk.customers.models import Customer
from tokodesk.orders import store_credit as order_store_credit
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.outbox import store_credit_changed


def store_credit_balances(customer_ids: Iterable[int]) -> dict[int, int]:
    """{customer id: balance} in one query (customers without entries are left out)."""
    rows = (
        StoreCreditEntry.objects.filter(customer_id__in=list(customer_ids))
        .values("customer_id")
        .annotate(b=Sum("amount"))
        .values_list("customer_id", "b")
    )
    return {pk: b or 0 for pk, b in rows}


def store_credit_debit(
    *, customer_id: int, amount: int, order, actor, field: str = "store_credit"
) -> int:
    """Spend `amount` of the customer's credit on `order`: refused (422 on `field`) when the
    balance, read under the customer's row lock, is smaller. Returns the entry's id."""
    Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first()
    available = StoreCreditEntry.objects.balance_of(customer_id)
    if amount > available:
        message = order_store_credit.too_much(amount, available, order.currency)
        raise ValidationFailed("invalid_input", message, fields={field: message})
    entry = StoreCreditEntry.objects.create(
        customer_id=customer_id,
        amount=-amount,
        kind=StoreCreditEntry.Kind.SPENT,
        order=order,
        note=order.reference,
        created_by=actor_or_none(actor),
    )
    store_credit_changed(entry, balance=available - amount)
    return entry.pk


def store_credit_give_back(*, customer_id: int, amount: int, order, actor) -> int:
    """The credit an undone order had spent, back on the customer's ledger."""
    entry = StoreCreditEntry.objects.create(
        customer_id=customer_id,
        amount=amount,
        kind=StoreCreditEntry.Kind.GIVEN_BACK,
        order=order,
        note=order.reference,
        created_by=actor_or_none(actor),
    )
    store_credit_changed(entry, balance=StoreCreditEntry.objects.balance_of(customer_id))
    return entry.pk


def order_store_credit_section(*, order, user, **_) -> dict | None:
    """The order page's store-credit section: the customer's balance and what this order
    paid with it (from the prefetched payments, no query); one query for the balance, none
    when neither is there to show."""
    if not order.customer_id:
        return None
    paid = sum(
        p.amount for p in order.payments.all() if p.kind == "store_credit" and p.voided_at is None
    )
    balance = StoreCreditEntry.objects.balance_of(order.customer_id)
    if not balance and not paid:
        return None
    return {
        "balance": balance,
        "paid": paid,
        "can_view": user.has_perm("customers.view_customer"),
        "head": False,
    }


def provide() -> None:
    from tokodesk.core import sections

    order_store_credit.provide_ledger(
        order_store_credit.Ledger(
            balances=store_credit_balances,
            debit=store_credit_debit,
            give_back=store_credit_give_back,
        )
    )
    # The order page shows the customer's balance (and what the order paid with it).
    sections.register(
        "orders.detail",
        "store_credit",
        template="returns/_order_store_credit.html",
        context=order_store_credit_section,
    )
