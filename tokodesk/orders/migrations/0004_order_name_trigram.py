"""PostgreSQL only: a trigram index for name fragments. Django's icontains there is
UPPER(recipient_name::text) LIKE UPPER('%…%'), which this GIN index on the same expression
serves (pg_trgm handles LIKE with leading wildcards). SQLite has no such index: the
migration does nothing there."""

from django.db import migrations

INDEX = "order_name_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON orders_order "
        "USING gin ((UPPER(recipient_name::text)) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_ordercount_triggers")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
