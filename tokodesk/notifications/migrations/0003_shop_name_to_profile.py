"""The shop's name moves into the shop profile (core.ShopSettings.shop_name, issue 12): a name
set here is kept there unless the profile has one already."""

from django.db import migrations


def to_profile(apps, schema_editor):
    db = schema_editor.connection.alias
    name = (apps.get_model("notifications", "NotificationSettings").objects.using(db)
            .filter(pk=1).values_list("shop_name", flat=True).first() or "").strip()
    if not name:
        return
    Shop = apps.get_model("core", "ShopSettings")
    row = Shop.objects.using(db).filter(pk=1).first()
    if row is None:
        Shop.objects.using(db).create(pk=1, shop_name=name[:120])
    elif not row.shop_name:
        Shop.objects.using(db).filter(pk=1).update(shop_name=name[:120])


def from_profile(apps, schema_editor):
    db = schema_editor.connection.alias
    name = (apps.get_model("core", "ShopSettings").objects.using(db)
            .filter(pk=1).values_list("shop_name", flat=True).first() or "")
    if name:
        apps.get_model("notifications", "NotificationSettings").objects.using(db).update_or_create(
            pk=1, defaults={"shop_name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_shop_profile"),
        ("notifications", "0002_http_url_validators"),
    ]

    operations = [
        migrations.RunPython(to_profile, from_profile),
        migrations.RemoveField(model_name="notificationsettings", name="shop_name"),
    ]
