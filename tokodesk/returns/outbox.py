"""What the outbox says about returns, refunds and store credit (core.outbox): a return's
new state after a transition (`return.completed` for a completion, else
`return.status_changed`), a refund paid, a store-credit entry. Read from the rows in
memory only: no query."""

from __future__ import annotations

from tokodesk.core import outbox

RETURN_OUTBOX_TYPES = {"completed": "return.completed"}


def return_payload(ret) -> dict:
    return {
        "id": ret.pk,
        "reference": ret.reference,
        "status": ret.status,
        "version": ret.version,
        "order_id": ret.order_id,
        "customer_id": ret.customer_id,
        "reason_id": ret.reason_id,
        "resolution": ret.resolution,
        "currency": ret.currency,
        "accepted_total": ret.accepted_total,
        "fees_total": ret.fees_total,
        "resolution_amount": ret.resolution_amount,
        "exchange_difference": ret.exchange_difference,
        "replacement_order_id": ret.replacement_order_id,
        "target_date": ret.target_date,
        "created_at": ret.created_at,
        "updated_at": ret.updated_at,
    }


def refund_payload(refund) -> dict:
    """refund.paid's document (written by the refund table, returns.refunds.REFUND_TRANSITIONS)."""
    return {
        "object": "refund",
        "id": refund.pk,
        "order_id": refund.order_id,
        "return_id": refund.return_order_id,
        "amount": refund.amount,
        "method": refund.method,
        "status": refund.status,
        "reference": refund.reference,
        "paid_on": refund.paid_on,
        "created_at": refund.created_at,
    }


def store_credit_changed(entry, *, balance: int | None = None) -> None:
    """store_credit.changed, in the transaction that writes the ledger entry."""
    outbox.emit("store_credit.changed", kind="customer", id=entry.customer_id, data={
        "object": "store_credit_entry",
        "id": entry.pk,
        "customer_id": entry.customer_id,
        "amount": entry.amount,
        "kind": entry.kind,
        "order_id": entry.order_id,
        "return_id": entry.return_order_id,
        "refund_id": entry.refund_id,
        "balance": balance,
        "created_at": entry.created_at,
    })
