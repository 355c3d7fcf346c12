"""The store-credit ledger now belongs to returns (returns' 0006 takes it over in its state):
the model leaves customers' state only, its table and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_store_credit"),
        ("returns", "0006_store_credit_ledger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StoreCreditEntry")],
            database_operations=[],
        ),
    ]
