"""The buyer's side of a bank transfer (issue 12, item 14): the unique transfer code
included in the order's total (orders.transfer_codes), the proof of transfer the buyer
sends from their order page (orders.proofs) and the timeline kind that records it.
Written by hand: only these fields (other changes of the app have their own migrations)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_order_deadline_sort")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="transfer_code",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="unique transfer code"),
        ),
        migrations.AddField(
            model_name="order",
            name="customer_proof",
            field=models.FileField(blank=True, upload_to="payment-proofs/%Y/%m/"),
        ),
        migrations.AddField(
            model_name="order",
            name="customer_proof_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"), ("action", "Status changed"), ("edited", "Edited"),
                    ("agent_changed", "Agent changed"), ("tag_added", "Tag added"),
                    ("tag_removed", "Tag removed"), ("note_added", "Note added"),
                    ("chat", "Customer chat opened"), ("proof_sent", "Proof of transfer sent"),
                ],
                max_length=20,
            ),
        ),
    ]
