"""COD counted as paid at delivery (orders.cod, issue 12 item 1), and remittances.

- Payment.remitted_at: when the courier's remittance of a COD payment was matched
  (payments app); empty = collected by the courier, remittance pending.
- Existing data, so that the shop's books read the same as new orders':
  * a COD order already delivered (not completed) had no payment, since cash used to be
    recorded at completion: it gets its COD payment of what is still due now (dated the
    delivery day, recorded by nobody), remittance pending, and its paid_total;
  * COD payments recorded at completion under the old rule were the shop's cash by then:
    they count as remitted (remitted_at = when they were recorded), so they do not show as
    outstanding COD on the reconciliation page.
  No timeline or outbox rows are written for these: they restate the past, nothing happened.
"""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Payment = apps.get_model("orders", "Payment")
    Payment.objects.filter(kind="cod", voided_at__isnull=True, remitted_at__isnull=True).update(
        remitted_at=F("recorded_at")
    )
    delivered = Order.objects.filter(
        status="delivered", payment_method="cod", paid_total__lt=F("total")
    )
    for order in delivered.only("pk", "total", "paid_total", "awb", "delivered_at").iterator(
        chunk_size=500
    ):
        day = timezone.localdate(order.delivered_at) if order.delivered_at else timezone.localdate()
        Payment.objects.create(
            order_id=order.pk,
            kind="cod",
            amount=order.total - order.paid_total,
            paid_on=day,
            reference=order.awb,
        )
        Order.objects.filter(pk=order.pk).update(paid_total=order.total)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0016_order_language_whatsapp_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="remitted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
