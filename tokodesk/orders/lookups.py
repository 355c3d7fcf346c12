"""What order_prepare looks up by code on every order and that rarely changes (issue 16):
the warehouse, the courier, the payment method, the agent and the order settings, kept per
process in ORDER_LOOKUPS (core.stamps) and read again in every process once one of those
rows is saved or deleted (the signals connected here, from OrdersConfig.ready).

Outside a transaction only (core.stamps): the API's create prepares before its write block,
so its lookups are cached; a prepare inside a transaction (pages, the landing page's, an
edit) reads the rows as before. Not kept: variants (their price and active flag change with
the catalog's work, some by queryset updates) and stock rows (every movement saves one)."""

from __future__ import annotations

from tokodesk.core.stamps import ProcessCache

ORDER_LOOKUPS = ProcessCache("order_lookups")


def cached(key, load):
    """`load()` kept under `key` while none of the watched rows changes. The rows are
    shared by the requests of the process: read them, never change them (an order that
    points to one only reads it)."""
    return ORDER_LOOKUPS.get(key, load)


def _changed(sender, **kwargs):
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login"}:
        return  # a user's login: nothing kept here
    ORDER_LOOKUPS.bump_now_and_on_commit(kwargs.get("using") or "default")


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from tokodesk.catalog.models import Warehouse
    from tokodesk.orders.models import Order
    from tokodesk.orders.order_settings import OrderSettings

    payment_method = Order.payment_option.field.related_model
    for model in (
        Warehouse,
        Order.courier.field.related_model,
        payment_method,
        OrderSettings,
        get_user_model(),
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                _changed,
                sender=model,
                dispatch_uid=f"order_lookups_{signal is post_save}_{model._meta.label}",
            )
