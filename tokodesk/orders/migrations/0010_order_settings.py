"""Order settings move from core.ShopSettings to orders (issue 11: each app its own settings);
the shop's values are copied (core 0004 then drops its columns)."""

from django.db import migrations, models

FIELDS = ('order_reference_pattern', 'shipping_deadline_hours', 'cancellation_window_hours', 'auto_complete_days', 'whatsapp_template')


def copy_from_core(apps, schema_editor):
    """The values the shop had in core.ShopSettings become this app's settings."""
    db = schema_editor.connection.alias
    old = apps.get_model("core", "ShopSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if old is not None:
        apps.get_model("orders", "OrderSettings").objects.using(db).update_or_create(pk=1, defaults=old)


def copy_to_core(apps, schema_editor):
    """Backwards: core.ShopSettings gets the values again (its fields are back by then)."""
    db = schema_editor.connection.alias
    row = apps.get_model("orders", "OrderSettings").objects.using(db).filter(pk=1).values(*FIELDS).first()
    if row is not None:
        apps.get_model("core", "ShopSettings").objects.using(db).filter(pk=1).update(**row)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_outbox'),
        ('orders', '0009_order_transfer_code_customer_proof'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrderSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_reference_pattern', models.CharField(default='ORD-{seq:06d}', max_length=40, verbose_name='order reference pattern')),
                ('shipping_deadline_hours', models.PositiveIntegerField(default=48, verbose_name='shipping deadline (hours after confirmation)')),
                ('cancellation_window_hours', models.PositiveIntegerField(default=48, verbose_name='hours before a cancellation request is approved automatically')),
                ('auto_complete_days', models.PositiveIntegerField(default=7, verbose_name='days after delivery before an order completes automatically')),
                ('whatsapp_template', models.TextField(blank=True, default='')),
            ],
            options={
                'verbose_name': 'order settings',
                'verbose_name_plural': 'order settings',
            },
        ),
        migrations.RunPython(copy_from_core, copy_to_core),
    ]
