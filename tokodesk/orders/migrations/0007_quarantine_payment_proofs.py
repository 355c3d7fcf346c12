"""Payment proofs stored before the upload check (tokodesk.core.uploads) whose content is
not an allowed type (an HTML page, an SVG …) are moved under quarantine/ and never served;
the order page says so. Going back changes nothing."""

from django.db import migrations

from tokodesk.core.uploads import quarantine_migration


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_order_agent_status_id")]

    operations = [
        migrations.RunPython(quarantine_migration(("orders", "Payment", "proof")), migrations.RunPython.noop,
                             elidable=True),
    ]
