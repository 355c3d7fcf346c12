"""The shop profile (issue 12: name, logo, address with district and city, phone/WhatsApp,
e-mail, bank accounts as a list) and the order and return settings leaving core: orders' 0010
and returns' 0007 copied them first."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_outbox'),
        ('orders', '0010_order_settings'),
        ('returns', '0007_return_settings'),
    ]

    operations = [
        migrations.CreateModel(
            name='BankAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bank_name', models.CharField(max_length=60, verbose_name='bank')),
                ('account_number', models.CharField(max_length=40, verbose_name='account number')),
                ('account_holder', models.CharField(max_length=120, verbose_name='account holder')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'bank account',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='auto_complete_days',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='cancellation_window_hours',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='edit_completed_returns',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='order_reference_pattern',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='require_responsible',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='return_reference_pattern',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='return_window_days',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='returns_enabled',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='shipping_deadline_hours',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='store_credit_automatic',
        ),
        migrations.RemoveField(
            model_name='shopsettings',
            name='whatsapp_template',
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='address',
            field=models.TextField(blank=True, default='', verbose_name='street address'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='city',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='city / regency'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='district',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='district (kecamatan)'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='email',
            field=models.EmailField(blank=True, default='', max_length=254, verbose_name='e-mail'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='logo',
            field=models.FileField(blank=True, default='', upload_to='shop/', verbose_name='logo'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='phone',
            field=models.CharField(blank=True, default='', max_length=20, verbose_name='phone'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='postal_code',
            field=models.CharField(blank=True, default='', max_length=10, verbose_name='postal code'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='province',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='province'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='shop_name',
            field=models.CharField(blank=True, default='', max_length=120, verbose_name='shop name'),
        ),
        migrations.AddField(
            model_name='shopsettings',
            name='whatsapp',
            field=models.CharField(blank=True, default='', max_length=20, verbose_name='WhatsApp'),
        ),
    ]
