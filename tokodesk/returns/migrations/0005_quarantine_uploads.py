"""Return labels, return photos and refund proofs stored before the upload check
(tokodesk.core.uploads) whose content is not an allowed type (an HTML page behind a PNG
signature, `%PDF` then HTML …) are moved under quarantine/ and never served; the return
page says so. Going back changes nothing."""

from django.db import migrations

from tokodesk.core.uploads import quarantine_migration


class Migration(migrations.Migration):
    dependencies = [("returns", "0004_returnevent_actor_blank")]

    operations = [
        migrations.RunPython(
            quarantine_migration(("returns", "Return", "label"), ("returns", "ReturnPhoto", "file"),
                                 ("returns", "Refund", "proof")),
            migrations.RunPython.noop, elidable=True),
    ]
