"""The newest-first indexes carry the recipient's name, so that on SQLite a name fragment
(LIKE '%…%', which no b-tree can seek) is tested on the index entries and only matching
orders are read from the table: an agent's search for a name nobody has went from reading
all of the agent's orders to reading none (100 000 orders: 95 → 1.7 ms).

The single-column index on created_at goes (order_created starts with it): with it the
planner took that narrower index for the owner's list and read every row for a name. It is
dropped by name rather than by AlterField(db_index=False), which SQLite would do by copying
the orders table.
"""

from django.db import migrations, models


def _single_column_indexes(schema_editor, model, column):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    ]


def drop_created_at_index(apps, schema_editor):
    model = apps.get_model("orders", "Order")
    for name in _single_column_indexes(schema_editor, model, "created_at"):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_created_at_index(apps, schema_editor):
    model = apps.get_model("orders", "Order")
    if not _single_column_indexes(schema_editor, model, "created_at"):
        field = model._meta.get_field("created_at")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_order_name_trigram")]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_created"),
        migrations.RemoveIndex(model_name="order", name="order_agent_created"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["-created_at", "-id", "recipient_name"], name="order_created"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["assigned_agent", "-created_at", "-id", "recipient_name"],
                name="order_agent_created",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_created_at_index, create_created_at_index)
            ],
        ),
    ]
