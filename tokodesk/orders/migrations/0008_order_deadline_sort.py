"""The deadline sort (issue 12, item 12): Order.deadline_sort, a column the database computes
from the status and the two deadlines (a stored generated column on SQLite and PostgreSQL),
and its indexes, one status at a time, for everyone and for one agent.

SQLite cannot add a stored generated column to a table: Django rebuilds orders_order,
which drops the counter triggers: they are put back here, after the rebuild (and after
the rebuild that unapplying makes). PostgreSQL rewrites the table once."""

import datetime

import django.db.models.functions.comparison
from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from tokodesk.orders import counters

        counters.install_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_quarantine_payment_proofs")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers, elidable=False),
        migrations.AddField(
            model_name="order",
            name="deadline_sort",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce(
                    models.Case(
                        models.When(
                            status="cancellation_requested", then=models.F("cancellation_deadline")
                        ),
                        models.When(
                            status__in=(
                                "confirmed",
                                "paid",
                                "payment_completed",
                                "invoice_paid",
                                "ready_to_ship",
                            ),
                            then=models.F("ship_by"),
                        ),
                    ),
                    models.Value(
                        datetime.datetime(9000, 1, 1, 0, 0, tzinfo=datetime.UTC),
                        output_field=models.DateTimeField(),
                    ),
                    output_field=models.DateTimeField(),
                ),
                output_field=models.DateTimeField(),
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["status", "deadline_sort", "-id"], name="order_status_deadline"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["assigned_agent", "status", "deadline_sort", "-id"],
                name="order_agent_deadline",
            ),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop, elidable=False),
    ]
