"""An empty shop of one's own (issue 17): `tokodesk setup` and the owner's first-login page.

`create_shop` makes the shop once — its name, country, currency, languages, time zone, phone
region, sender/reply-to, first warehouse and first owner — and refuses a database that
already holds a shop (users or orders, the demo or a shop set up before). The shop is marked
`set_up_at` (the demo never loads into it) and `setup_pending`: its owner's first login opens
the first-login page (`first_run` below), where whatever setup left out is set.

Everything goes through the owning apps' services (core.shop_locale, notifications'
email_settings, catalog's warehouse_create, accounts' user_create)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Warehouse
from tokodesk.catalog.services.products import warehouse_create
from tokodesk.core import shop_locale
from tokodesk.core.errors import Conflict, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.notifications.email_settings import customer_email_update
from tokodesk.orders.models import Order
from tokodesk.payments.methods import payment_method_preset
from tokodesk.shipping.carriers import courier_preset


@dataclass
class ShopInput:
    owner_username: str
    owner_password: str
    shop_name: str = ""
    country: str = ""
    currency: str = ""
    staff_language: str = ""
    customer_language: str = ""
    time_zone: str = ""
    phone_region: str = ""
    sender_email: str = ""
    reply_to: str = ""
    warehouse_name: str = ""
    warehouse_city: str = ""
    owner_email: str = ""


def shop_exists() -> bool:
    """A shop is there: someone can log in, or there are orders (the demo, a shop set up)."""
    return (
        get_user_model().objects.exists()
        or Order.objects.exists()
        or ShopSettings.objects.filter(set_up_at__isnull=False).exists()
    )


def check_password(username: str, password: str, email: str = "") -> None:
    """Django's validators (AUTH_PASSWORD_VALIDATORS), as `createuser` applies them."""
    probe = get_user_model()(username=username, email=email)
    try:
        validate_password(password, user=probe)
    except ValidationError as exc:
        raise ValidationFailed(
            "invalid_input",
            " ".join(exc.messages),
            fields={"owner_password": " ".join(exc.messages)},
        ) from exc


@transaction.atomic
def create_shop(data: ShopInput):
    """The empty shop and its owner; returns the owner. Refuses when a shop exists."""
    if shop_exists():
        raise Conflict("shop_exists", _("A shop already exists in this database: nothing changed."))
    username = (data.owner_username or "").strip()
    if not username:
        raise ValidationFailed(
            "invalid_input",
            _("The owner needs a username."),
            fields={"owner_username": _("Required.")},
        )
    check_password(username, data.owner_password, data.owner_email)
    owner = user_create(
        username=username,
        role="owner",
        password=data.owner_password,
        email=(data.owner_email or "").strip(),
    )
    locale = {
        name: getattr(data, name) for name in shop_locale.LOCALE_FIELDS if getattr(data, name)
    }
    shop_locale.shop_locale_update(actor=owner, changes=locale)
    mail = {
        name: getattr(data, name)
        for name in ("customer_language", "sender_email", "reply_to")
        if getattr(data, name)
    }
    if mail:
        customer_email_update(actor=owner, changes=mail)
    # The Indonesian carriers are a preset for a shop in Indonesia (issue 17).
    courier_preset(actor=owner, country=data.country)
    # Payment methods too: COD, transfer, gateway in Indonesia; card, PayPal, transfer elsewhere.
    payment_method_preset(actor=owner, country=data.country)
    if data.warehouse_name.strip():
        warehouse_create(
            actor=owner,
            code=_warehouse_code(data.warehouse_name),
            name=data.warehouse_name,
            city=data.warehouse_city,
        )
    row = ShopSettings.objects.select_for_update().get(pk=ShopSettings.get().pk)
    row.shop_name = " ".join(data.shop_name.split())[:120]
    row.set_up_at = timezone.now()
    row.setup_pending = True
    row.save()
    return owner


def _warehouse_code(name: str) -> str:
    base = (slugify(name)[:24] or "main").strip("-") or "main"
    code, n = base, 1
    while Warehouse.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def finish_first_run(
    *,
    actor,
    shop_name: str,
    locale: dict,
    mail: dict,
    warehouse_name: str = "",
    warehouse_city: str = "",
) -> ShopSettings:
    """The first-login page saved: the shop's name, region and languages, e-mail settings,
    a first warehouse when there is none; the page is not shown again."""
    shop_locale.shop_locale_update(actor=actor, changes=locale)
    customer_email_update(actor=actor, changes=mail)
    if warehouse_name.strip() and not Warehouse.objects.exists():
        warehouse_create(
            actor=actor,
            code=_warehouse_code(warehouse_name),
            name=warehouse_name,
            city=warehouse_city,
        )
    row = ShopSettings.objects.select_for_update().get(pk=ShopSettings.get().pk)
    name = " ".join((shop_name or "").split())
    if not name:
        raise ValidationFailed(
            "invalid_input", _("Enter the shop's name."), fields={"shop_name": _("Required.")}
        )
    row.shop_name = name[:120]
    row.setup_pending = False
    row.save()
    return row
