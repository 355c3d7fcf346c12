from django.apps import AppConfig


def _shop_settings_changed(sender, **kwargs):
    from tokodesk.core.shop_locale import SHOP_SETTINGS_CACHE

    SHOP_SETTINGS_CACHE.bump_now_and_on_commit(kwargs.get("using") or "default")


class ApiConfig(AppConfig):
    name = "tokodesk.api"
    label = "api"

    def ready(self):
        # What every request reads and rarely changes is kept per process (core.stamps):
        # the shop's settings row and an API token's user and permissions; these signals
        # tell every process when to read them again.
        from django.db.models.signals import post_delete, post_migrate, post_save

        from tokodesk.accounts.api_auth import connect_signals
        from tokodesk.core.models import ShopSettings
        from tokodesk.core.stamps import ProcessCache

        for signal in (post_save, post_delete):
            signal.connect(_shop_settings_changed, sender=ShopSettings,
                           dispatch_uid=f"shop_settings_cache_{signal is post_save}")
        connect_signals()
        # A migrate or a test database's flush: rows may have changed without signals.
        post_migrate.connect(ProcessCache.clear_all, dispatch_uid="process_caches_clear")
