"""The triggers that keep OrderCount exact (see tokodesk.orders.counters), and the counters
of the orders that already exist. The triggers come first: on PostgreSQL creating them
locks the orders against writes until this migration commits, so no order is written
between the count and the triggers."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tokodesk.orders import counters

    counters.install_triggers(schema_editor.connection)
    counters.recount(schema_editor.connection)


def backwards(apps, schema_editor):
    from tokodesk.orders import counters

    counters.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_order_indexes_ordercount")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
