"""The order setting that turns the unique transfer code on (issue 12, item 14; off by
default: orders.transfer_codes). Written by hand: only this field."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_order_settings")]

    operations = [
        migrations.AddField(
            model_name="ordersettings",
            name="unique_transfer_code",
            field=models.BooleanField(
                default=False, verbose_name="unique code added to bank transfer totals"
            ),
        ),
    ]
