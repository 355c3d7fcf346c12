"""Return settings move from core.ShopSettings to returns (issue 11: each app its own settings);
the shop's values are copied (core 0004 then drops its columns)."""

from django.db import migrations, models

FIELDS = ('return_reference_pattern', 'return_window_days', 'returns_enabled', 'require_responsible', 'edit_completed_returns', 'store_credit_automatic')


def copy_from_core(apps, schema_editor):
    """The values the shop had in core.ShopSettings become this app's settings."""
    db = schema_editor.connection.alias
    old = apps.get_model("core", "ShopSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if old is not None:
        apps.get_model("returns", "ReturnSettings").objects.using(db).update_or_create(pk=1, defaults=old)


def copy_to_core(apps, schema_editor):
    """Backwards: core.ShopSettings gets the values again (its fields are back by then)."""
    db = schema_editor.connection.alias
    row = apps.get_model("returns", "ReturnSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if row is not None:
        apps.get_model("core", "ShopSettings").objects.using(db).filter(pk=1).update(**row)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_outbox'),
        ('returns', '0006_store_credit_ledger'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReturnSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('return_reference_pattern', models.CharField(default='RMA-{seq:05d}', max_length=40, verbose_name='return reference pattern')),
                ('return_window_days', models.PositiveIntegerField(default=14, verbose_name='return window (days)')),
                ('returns_enabled', models.BooleanField(default=True, verbose_name='returns enabled')),
                ('require_responsible', models.BooleanField(default=False, verbose_name='a return needs a responsible user or group')),
                ('edit_completed_returns', models.BooleanField(default=False, verbose_name='completed returns can be edited')),
                ('store_credit_automatic', models.BooleanField(default=True, verbose_name="store credit is added to the customer's balance when a return completes")),
            ],
            options={
                'verbose_name': 'return settings',
                'verbose_name_plural': 'return settings',
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
