"""What the outbox says about an order (core.outbox): its new state after a transition, and
the payments recorded or voided (money movements write their own events). Read from the
row in memory only: no query, so the outbox adds no round trip to a transition."""

from __future__ import annotations

from tokodesk.core import outbox


def order_payload(order) -> dict:
    return {
        "id": order.pk,
        "reference": order.reference,
        "status": order.status,
        "version": order.version,
        "channel": order.channel,
        "external_reference": order.external_reference,
        "customer_id": order.customer_id,
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "recipient_email": order.recipient_email,
        "destination_city": order.destination_city,
        "payment_method": order.payment_method,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_cost": order.shipping_cost,
        "insurance_cost": order.insurance_cost,
        "discount": order.discount,
        "total": order.total,
        "paid_total": order.paid_total,
        "courier_id": order.courier_id,
        "courier_service": order.courier_service,
        "awb": order.awb,
        "warehouse_id": order.warehouse_id,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def payment_recorded(order, payment) -> None:
    """payment.recorded, in the transaction that records the payment."""
    outbox.emit("payment.recorded", kind="order", id=order.pk, reference=order.reference, data={
        "object": "payment",
        "id": payment.pk,
        "order": order.reference,
        "order_id": order.pk,
        "kind": payment.kind,
        "amount": payment.amount,
        "currency": order.currency,
        "paid_on": payment.paid_on,
        "reference": payment.reference,
        "order_paid_total": order.paid_total,
        "order_total": order.total,
    })


def payments_voided(order, payment_ids: list[int], amount: int) -> None:
    """payment.voided, in the transaction that voids the order's payments."""
    if not payment_ids:
        return
    outbox.emit("payment.voided", kind="order", id=order.pk, reference=order.reference, data={
        "object": "payment",
        "ids": payment_ids,
        "order": order.reference,
        "order_id": order.pk,
        "amount": amount,
        "currency": order.currency,
    })
