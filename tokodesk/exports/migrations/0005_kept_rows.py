"""Kept export rows (exports/kept.py): the forms, the rows, the orders' revisions, the
customers changed, the small tables' generations and the triggers that move them (exports/kept_schema.py)."""

from django.db import migrations, models


def install(apps, schema_editor):
    from tokodesk.exports import kept_schema

    kept_schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from tokodesk.exports import kept_schema

    kept_schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0004_full_export_payment_method_postcode"),
        ("orders", "0022_order_completed_created"),
        # after the latest migration of every table with triggers (SQLite drops a table's
        # triggers when a migration rebuilds it; kept_schema.ensure() repairs that later)
        ("auth", "0012_alter_user_first_name_max_length"),
        ("catalog", "0006_inactive_partial_indexes"),
        ("customers", "0004_customer_postcode"),
        ("payments", "0003_payment_methods"),
        ("shipping", "0005_load_regions"),
        ("storefront", "0003_http_url_validators"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeptForm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("used_at", models.DateTimeField()),
            ],
            options={"db_table": "exports_keptform"},
        ),
        migrations.CreateModel(
            name="OrderRev",
            fields=[
                ("order_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("rev", models.BigIntegerField()),
            ],
            options={"db_table": "exports_orderrev"},
        ),
        migrations.CreateModel(
            name="CustomerChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("customer_id", models.BigIntegerField()),
            ],
            options={"db_table": "exports_customerchange"},
        ),
        migrations.CreateModel(
            name="KeptGen",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "exports_keptgen"},
        ),
        # SQLite: a rowid table beside its key's index (Django's composite primary key), not
        # WITHOUT ROWID: a line is ~750 bytes for the full template, and rows that large in a
        # WITHOUT ROWID b-tree cost ~2x to insert and read (8.9 vs 5.0 µs an upsert, 1.0 vs
        # 0.55 µs a row read, measured).
        migrations.CreateModel(
            name="KeptRow",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "form_id",
                        "order_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("form_id", models.BigIntegerField()),
                ("order_id", models.BigIntegerField()),
                ("rev", models.BigIntegerField()),
                ("line", models.BinaryField()),
            ],
            options={"db_table": "exports_keptrow"},
        ),
        migrations.RunPython(install, uninstall),
    ]
