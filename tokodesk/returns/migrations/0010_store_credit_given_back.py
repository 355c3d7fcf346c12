"""Store credit can be spent (issue 12 item 3): the ledger's kind `given_back`, the credit an
order paid with store credit gets back when it is cancelled or refused."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0009_refund_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="storecreditentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("return", "Return"),
                    ("goodwill", "Goodwill"),
                    ("adjustment", "Adjustment"),
                    ("spent", "Spent"),
                    ("given_back", "Given back"),
                ],
                max_length=20,
            ),
        ),
    ]
