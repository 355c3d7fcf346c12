"""Indexes for a million orders (bench/README.md, findings 2 and 3) and the tab-count table.

* order_agent_created (assigned_agent, -created_at, -id): an agent's orders newest first.
* order_status_ship_by / order_agent_ship_by: orders past their shipping deadline, for
  everyone and for one agent (status IN (…) AND ship_by < now), partial on ship_by.
* order_ship_by goes: it could only range over ship_by < now, i.e. nearly every shipped order.
* The foreign key's own index on assigned_agent_id goes: order_agent_created and
  order_agent_status start with that column. It is dropped by name rather than by
  AlterField(db_index=False), which SQLite would do by copying the whole orders table.
* OrderCount: the counters; migration 0003 adds the triggers that keep them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _fk_indexes(schema_editor, model):
    """Names of the plain (non-unique) indexes on exactly (assigned_agent_id)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == ["assigned_agent_id"]
    ]


def drop_fk_index(apps, schema_editor):
    model = apps.get_model("orders", "Order")
    for name in _fk_indexes(schema_editor, model):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_fk_index(apps, schema_editor):
    model = apps.get_model("orders", "Order")
    if not _fk_indexes(schema_editor, model):
        field = model._meta.get_field("assigned_agent")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "agent_id",
                    models.BigIntegerField(
                        help_text="The assigned agent's user id; 0 when unassigned."
                    ),
                ),
                ("status", models.CharField(max_length=30)),
                ("payment_method", models.CharField(max_length=20)),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agent_id", "status", "payment_method"), name="ordercount_key"
                    )
                ],
            },
        ),
        migrations.RemoveIndex(model_name="order", name="order_ship_by"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="assigned_agent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_orders",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_fk_index, create_fk_index)],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["assigned_agent", "-created_at", "-id"], name="order_agent_created"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("ship_by__isnull", False)),
                fields=["status", "ship_by"],
                name="order_status_ship_by",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("ship_by__isnull", False)),
                fields=["assigned_agent", "status", "ship_by"],
                name="order_agent_ship_by",
            ),
        ),
    ]
