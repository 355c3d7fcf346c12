"""Kept export rows (exports/kept.py): the forms, the rows, the small tables' generations,
the orders' `export_rev` column and the triggers that move it (exports/kept_schema.py)."""

from django.db import migrations, models

_SQLITE_ROWS = (
    "CREATE TABLE exports_keptrow (form_id integer NOT NULL, order_id integer NOT NULL, "
    "rev integer NOT NULL, line blob NOT NULL, PRIMARY KEY (form_id, order_id)) WITHOUT ROWID"
)
_PG_ROWS = (
    "CREATE TABLE exports_keptrow (form_id bigint NOT NULL, order_id bigint NOT NULL, "
    "rev bigint NOT NULL, line bytea NOT NULL, PRIMARY KEY (form_id, order_id))"
)


def create_rows(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(_PG_ROWS if pg else _SQLITE_ROWS)


def drop_rows(apps, schema_editor):
    schema_editor.execute("DROP TABLE exports_keptrow")


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
    ]

    operations = [
        migrations.CreateModel(
            name="KeptForm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("used_at", models.DateTimeField()),
            ],
            options={"db_table": "exports_keptform"},
        ),
        migrations.CreateModel(
            name="KeptGen",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "exports_keptgen"},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KeptRow",
                    fields=[
                        ("pk", models.CompositePrimaryKey("form_id", "order_id", blank=True, editable=False,
                                                          primary_key=True, serialize=False)),
                        ("form_id", models.BigIntegerField()),
                        ("order_id", models.BigIntegerField()),
                        ("rev", models.BigIntegerField()),
                        ("line", models.BinaryField()),
                    ],
                    options={"db_table": "exports_keptrow"},
                ),
            ],
            database_operations=[migrations.RunPython(create_rows, drop_rows)],
        ),
        migrations.RunPython(install, uninstall),
    ]
