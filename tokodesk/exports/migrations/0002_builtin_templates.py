"""The built-in export templates: courier pickup list, accounting, full export.

Column lists are frozen here (a migration must not follow later code); names are the
English msgids of tokodesk.exports.builtins, shown translated. Empty headers: the
column's own name in the language of whoever exports."""

from django.db import migrations

COURIER = [
    "reference", "recipient_name", "recipient_phone", "destination_address",
    "destination_city", "items", "total_qty", "weight_kg", "cod_amount", "courier",
    "courier_service", "awb", "warehouse", "customer_note",
]
ACCOUNTING = [
    "reference", "invoice_number", "order_date", "completed_at", "status", "payment_method",
    "currency", "subtotal", "shipping_cost", "insurance_cost", "discount", "total",
    "paid_total", "outstanding", "last_payment_date",
]
FULL = [
    "reference", "status", "channel", "external_reference", "invoice_number",
    "invoice_due_date", "landing_page", "agent", "agent_username", "created_by", "tags",
    "customer_note", "cancellation_reason", "problem_reason", "recipient_name",
    "recipient_phone", "recipient_email", "destination_address", "destination_city",
    "customer_name", "customer_phone", "customer_email", "customer_address", "items", "skus",
    "total_qty", "line_count", "weight_grams", "weight_kg", "warehouse", "warehouse_code",
    "courier", "courier_code", "courier_service", "awb", "ship_by", "payment_method",
    "currency", "subtotal", "shipping_cost", "insurance_cost", "discount", "total",
    "paid_total", "outstanding", "cod_amount", "payments", "last_payment_date", "payment_link",
    "created_at", "order_date", "updated_at", "confirmed_at", "shipped_at", "delivered_at",
    "completed_at", "cancelled_at", "cancellation_deadline",
]
TEMPLATES = [
    ("Courier pickup list", COURIER),
    ("Accounting", ACCOUNTING),
    ("Full export", FULL),
]


def create(apps, schema_editor):
    ExportTemplate = apps.get_model("exports", "ExportTemplate")
    for name, fields in TEMPLATES:
        ExportTemplate.objects.update_or_create(
            name=name, defaults={"built_in": True, "delimiter": ",",
                                 "columns": [{"field": f, "header": ""} for f in fields]})


def remove(apps, schema_editor):
    ExportTemplate = apps.get_model("exports", "ExportTemplate")
    ExportTemplate.objects.filter(built_in=True, name__in=[name for name, _ in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
