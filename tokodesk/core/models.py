from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tokodesk.core.money import CURRENCY_CHOICES


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Sequence(models.Model):
    """A named gap-free counter for references (ORD-000123). Incremented under the row lock
    of the transaction that uses the number, so two orders never share one."""

    name = models.CharField(max_length=50, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"

    @classmethod
    def next_value(cls, name: str) -> int:
        """One statement where the database can return what it updated (PostgreSQL, SQLite
        3.35+): UPDATE … RETURNING takes the row lock and reads the new value at once."""
        connection = connections[router.db_for_write(cls)]
        if connection.features.can_return_columns_from_insert:  # RETURNING support
            table = connection.ops.quote_name(cls._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value", [name]
                )
                row = cursor.fetchone()
            if row is not None:
                return row[0]
        with transaction.atomic():
            cls.objects.get_or_create(name=name)
            cls.objects.filter(name=name).update(value=F("value") + 1)
            return cls.objects.filter(name=name).values_list("value", flat=True).get()


class ShopSettings(models.Model):
    """The shop's settings: one row. Read through `get()`."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    order_reference_pattern = models.CharField(
        _("order reference pattern"), max_length=40, default="ORD-{seq:06d}"
    )
    return_reference_pattern = models.CharField(
        _("return reference pattern"), max_length=40, default="RMA-{seq:05d}"
    )
    shipping_deadline_hours = models.PositiveIntegerField(
        _("shipping deadline (hours after confirmation)"), default=48
    )
    cancellation_window_hours = models.PositiveIntegerField(
        _("hours before a cancellation request is approved automatically"), default=48
    )
    auto_complete_days = models.PositiveIntegerField(
        _("days after delivery before an order completes automatically"), default=7
    )
    return_window_days = models.PositiveIntegerField(_("return window (days)"), default=14)
    # Returns (SPEC 3.3; InvenTree's RETURNORDER_* settings).
    returns_enabled = models.BooleanField(_("returns enabled"), default=True)
    require_responsible = models.BooleanField(
        _("a return needs a responsible user or group"), default=False
    )
    edit_completed_returns = models.BooleanField(_("completed returns can be edited"), default=False)
    store_credit_automatic = models.BooleanField(
        _("store credit is added to the customer's balance when a return completes"), default=True
    )
    whatsapp_template = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("shop settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def get(cls) -> ShopSettings:
        memo = _settings_memo.get()
        if memo is not None and "row" in memo:
            return memo["row"]
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(
                pk=1, defaults={"currency": settings.TOKODESK_DEFAULT_CURRENCY}
            )
        if memo is not None:
            memo["row"] = obj
        return obj

    @classmethod
    @contextmanager
    def read_once(cls):
        """Inside this block `get()` reads the row once: for one request that runs an
        action on thousands of orders (the bulk form), each of which reads the settings."""
        token = _settings_memo.set({})
        try:
            yield
        finally:
            _settings_memo.reset(token)


_settings_memo: ContextVar[dict | None] = ContextVar("tokodesk_settings_memo", default=None)


def next_reference(pattern: str, sequence: str) -> str:
    from django.utils import timezone

    seq = Sequence.next_value(sequence)
    now = timezone.localtime()
    return pattern.format(seq=seq, year=now.year, month=now.month)


from tokodesk.core.outbox import OutboxEvent  # noqa: E402,F401  (the outbox's model, core.outbox)
