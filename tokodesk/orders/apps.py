from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _after_migrate(sender, using="default", **kwargs):
    """After every migrate (and flush): the order counters' triggers are in place (SQLite
    loses them when a migration rebuilds the orders table)."""
    from tokodesk.orders import counters

    counters.ensure(connections[using])


def _open_orders_in(warehouse) -> int:
    from tokodesk.orders.models import Order
    from tokodesk.orders.states import FINAL

    return Order.objects.filter(warehouse=warehouse).exclude(status__in=FINAL).count()


def _has_orders() -> bool:
    from tokodesk.orders.models import Order

    return Order.objects.exists()


class OrdersConfig(AppConfig):
    name = "tokodesk.orders"
    label = "orders"

    def ready(self):
        from tokodesk.core import jobs
        from tokodesk.orders import order_settings
        from tokodesk.orders.deadlines import deadlines_job, deadlines_summary

        post_migrate.connect(
            _after_migrate, sender=self, dispatch_uid="tokodesk.orders.after_migrate"
        )
        # `tokodesk worker` runs it every pass: auto-approve, auto-complete, overdue count.
        jobs.register("order_deadlines", deadlines_job, summary=deadlines_summary)
        # The "Orders" section of the settings page.
        order_settings.register_section()
        # An open order keeps its warehouse from being deactivated (catalog services).
        from tokodesk.catalog.services.products import register_warehouse_use

        register_warehouse_use("orders", _open_orders_in)
        # The shop's currency changes only while it has no orders (core.shop_locale).
        from tokodesk.core import shop_locale

        shop_locale.register_currency_lock("orders", _has_orders)
        # order_prepare's lookups kept per process, read again when one of them changes.
        from tokodesk.orders.lookups import connect_signals

        connect_signals()
        # Its "WhatsApp templates" section (a link to their own pages).
        from tokodesk.orders import wa_templates

        wa_templates.register_section()
