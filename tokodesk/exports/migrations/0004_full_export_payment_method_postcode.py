"""The built-in full export gets the columns added with issue 17: the destination's and the
customer's postal code, the shop's payment method (code and label). "Full" means every
column (tests compare it with the registry); built-in templates are never edited in the app
(they are copied), so the new columns go after their neighbours in the frozen list.

The column list is frozen here as in 0002 (a migration must not follow later code)."""

import importlib

from django.db import migrations

builtin = importlib.import_module("tokodesk.exports.migrations.0002_builtin_templates")

# new column → the column it follows
ADDED = {
    "destination_postcode": "destination_city",
    "customer_postcode": "customer_address",
    "payment_method_code": "payment_method",
    "payment_method_label": "payment_method_code",
}


def _with_added(fields: list[str]) -> list[str]:
    out = list(fields)
    for new, after in ADDED.items():
        if new not in out:
            out.insert(out.index(after) + 1 if after in out else len(out), new)
    return out


FULL = _with_added(builtin.FULL)


def forwards(apps, schema_editor):
    ExportTemplate = apps.get_model("exports", "ExportTemplate")
    for tmpl in ExportTemplate.objects.filter(built_in=True, name="Full export"):
        fields = [c["field"] for c in tmpl.columns]
        headers = {c["field"]: c.get("header", "") for c in tmpl.columns}
        tmpl.columns = [{"field": f, "header": headers.get(f, "")} for f in _with_added(fields)]
        tmpl.save(update_fields=["columns"])


def backwards(apps, schema_editor):
    ExportTemplate = apps.get_model("exports", "ExportTemplate")
    for tmpl in ExportTemplate.objects.filter(built_in=True, name="Full export"):
        tmpl.columns = [c for c in tmpl.columns if c["field"] not in ADDED]
        tmpl.save(update_fields=["columns"])


class Migration(migrations.Migration):
    dependencies = [("exports", "0003_export_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
