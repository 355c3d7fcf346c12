"""The store-credit ledger moves from customers to returns (issue 11: store credit's links
live with returns). State only: the table keeps its name (customers_storecreditentry) and
its rows; customers' 0003 drops the model from its own state. The content type (and so the
permissions) follows the model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(source: str, target: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        if ContentType.objects.using(db).filter(app_label=target, model="storecreditentry").exists():
            return
        ContentType.objects.using(db).filter(app_label=source, model="storecreditentry").update(
            app_label=target
        )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0002_store_credit"),
        ("orders", "0001_initial"),
        ("returns", "0005_quarantine_uploads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StoreCreditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("amount", models.BigIntegerField(verbose_name="amount")),
                        ("kind", models.CharField(choices=[("return", "Return"), ("goodwill", "Goodwill"), ("adjustment", "Adjustment"), ("spent", "Spent")], max_length=20)),
                        ("note", models.TextField(blank=True, default="")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="store_credit_entries", to="customers.customer")),
                        ("order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orders.order")),
                        ("refund", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="store_credit_entry", to="returns.refund")),
                        ("return_order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="store_credit_entries", to="returns.return")),
                    ],
                    options={
                        "db_table": "customers_storecreditentry",
                        "ordering": ["created_at", "id"],
                        "indexes": [models.Index(fields=["customer", "created_at"], name="storecredit_customer")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("amount", 0), _negated=True), name="storecredit_amount_not_0")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _move_content_type("customers", "returns"), _move_content_type("returns", "customers")
        ),
    ]
