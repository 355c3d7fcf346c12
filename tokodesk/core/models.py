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


class SingletonSettings(models.Model):
    """One row of settings (pk 1), read through `get()`. Each app keeps its own (core's
    ShopSettings, orders' OrderSettings, returns' ReturnSettings). Inside `read_once()`
    each of them is read at most once: one request that runs an action on thousands of
    orders (the bulk form) reads each settings row once, not once per order."""

    class Meta:
        abstract = True

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def creation_defaults(cls) -> dict:
        """The values of the row made on the first `get()`."""
        return {}

    @classmethod
    def get(cls):
        memo = _settings_memo.get()
        key = cls._meta.label
        if memo is not None and key in memo:
            return memo[key]
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1, defaults=cls.creation_defaults())
        if memo is not None:
            memo[key] = obj
        return obj

    @classmethod
    def read_once(cls):
        """Inside this block every settings row is read once (not only this class's)."""
        return settings_read_once()


@contextmanager
def settings_read_once():
    """Inside this block each settings row's `get()` reads the database once."""
    if _settings_memo.get() is not None:  # nested: the outer block already memoises
        yield
        return
    token = _settings_memo.set({})
    try:
        yield
    finally:
        _settings_memo.reset(token)


_settings_memo: ContextVar[dict | None] = ContextVar("tokodesk_settings_memo", default=None)


def settings_seen(row) -> None:
    """Inside settings_read_once: `row` (a settings row the caller has, from a cache) is
    what its class's `get()` answers for the rest of the block."""
    memo = _settings_memo.get()
    if memo is not None:
        memo[row._meta.label] = row


class ShopSettings(SingletonSettings):
    """The shop itself, shop-wide: its currency and its profile (name, logo, address,
    contacts), which e-mails, slips, labels, landing pages and the order link print.
    Order and return settings live in their apps (orders.OrderSettings, returns.ReturnSettings)."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    shop_name = models.CharField(_("shop name"), max_length=120, blank=True, default="")
    # Stored through core.uploads.clean_upload (an image, re-encoded), served by serve_upload.
    logo = models.FileField(_("logo"), upload_to="shop/", blank=True, default="")
    address = models.TextField(_("street address"), blank=True, default="")
    district = models.CharField(_("district (kecamatan)"), max_length=100, blank=True, default="")
    city = models.CharField(_("city / regency"), max_length=100, blank=True, default="")
    province = models.CharField(_("province"), max_length=100, blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    # Region and languages (core.shop_locale); empty: the environment's default
    # (TIME_ZONE, TOKODESK_PHONE_REGION, LANGUAGE_CODE), so the demo shop keeps them.
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    phone_region = models.CharField(_("phone region"), max_length=2, blank=True, default="")
    staff_language = models.CharField(_("staff language"), max_length=10, blank=True, default="")
    # Set by `tokodesk setup`: the demo never loads into this shop; `setup_pending` sends the
    # owner to the first-login page until it is saved.
    set_up_at = models.DateTimeField(_("set up at"), null=True, blank=True)
    setup_pending = models.BooleanField(_("first-login page pending"), default=False)

    class Meta:
        verbose_name = _("shop settings")

    @classmethod
    def creation_defaults(cls) -> dict:
        return {"currency": settings.TOKODESK_DEFAULT_CURRENCY}

    @property
    def display_name(self) -> str:
        """The shop's name, or a neutral word until the owner sets one (never the software's)."""
        return " ".join(self.shop_name.split()) or str(_("Our shop"))

    @property
    def address_lines(self) -> list[str]:
        """The address as printed: street, district, city with postal code, province."""
        city = " ".join(part for part in (self.city, self.postal_code) if part)
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        return lines + [part for part in (self.district, city, self.province) if part]


class BankAccount(models.Model):
    """One of the shop's bank accounts: buyers pay into it, the shop's side of a refund
    names it. Ordered by `position`; an inactive one stays for the records but is not offered."""

    bank_name = models.CharField(_("bank"), max_length=60)
    account_number = models.CharField(_("account number"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("bank account")

    def __str__(self):
        return f"{self.bank_name} {self.account_number} ({self.account_holder})"


def next_reference(pattern: str, sequence: str) -> str:
    from django.utils import timezone

    seq = Sequence.next_value(sequence)
    now = timezone.localtime()
    return pattern.format(seq=seq, year=now.year, month=now.month)


from tokodesk.core.outbox import OutboxEvent  # noqa: E402,F401  (the outbox's model, core.outbox)
