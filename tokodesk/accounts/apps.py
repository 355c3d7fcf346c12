from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", **kwargs):
    """Keep the role groups and their permissions as roles.py says after every migrate
    (also after a test database flush)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from tokodesk.accounts.roles import sync_roles

    # The apps after this one may not have their permissions yet: create them first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(Group.objects.db_manager(using), Permission.objects.db_manager(using))


class AccountsConfig(AppConfig):
    name = "tokodesk.accounts"
    label = "accounts"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self)
