"""Store credit can pay (part of) an order (issue 12 item 3): the payment kind `store_credit`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0017_payment_remitted_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="kind",
            field=models.CharField(
                choices=[
                    ("transfer", "Bank transfer"),
                    ("gateway", "Payment gateway"),
                    ("invoice", "Invoice payment"),
                    ("cod", "Cash on delivery"),
                    ("store_credit", "Store credit"),
                ],
                max_length=20,
            ),
        ),
    ]
