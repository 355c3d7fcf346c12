"""`tokodesk setup`: create an empty shop of one's own instead of the demo (issue 17).

    tokodesk setup --shop-name "Boutique Lumière" --country FR --currency EUR \\
        --staff-language fr --customer-language fr --time-zone Europe/Paris --phone-region FR \\
        --sender-email boutique@example.fr --reply-to sav@example.fr \\
        --warehouse "Entrepôt Lyon" --warehouse-city Lyon \\
        --owner marie --owner-email marie@example.fr --owner-password '…'

Asks for what is missing when stdin is a terminal (`--no-input` never asks); the owner's
password may come from TOKODESK_OWNER_PASSWORD. Refuses (exit 1, nothing changed) when the
database already holds a shop. The owner's first login opens the first-login page."""

from __future__ import annotations

import getpass
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tokodesk.core.errors import DomainError
from tokodesk.ops.setup import ShopInput, create_shop, shop_exists

# (option, ShopInput field, question, default)
QUESTIONS = [
    ("shop_name", "shop_name", "Shop name", ""),
    ("country", "country", "Country (two letters, e.g. FR)", ""),
    ("currency", "currency", "Currency (e.g. EUR)", settings.TOKODESK_DEFAULT_CURRENCY),
    ("staff_language", "staff_language", "Staff language (id, en, fr)", settings.LANGUAGE_CODE),
    ("customer_language", "customer_language", "Customers' language (id, en, fr)", ""),
    ("time_zone", "time_zone", "Time zone (e.g. Europe/Paris)", settings.TIME_ZONE),
    ("phone_region", "phone_region", "Phone region (two letters)", ""),
    ("sender_email", "sender_email", "Sender e-mail address", ""),
    ("reply_to", "reply_to", "Reply-to e-mail address", ""),
    ("warehouse", "warehouse_name", "First warehouse's name", ""),
    ("warehouse_city", "warehouse_city", "Its city", ""),
    ("owner", "owner_username", "Owner's username", "owner"),
    ("owner_email", "owner_email", "Owner's e-mail", ""),
]


class Command(BaseCommand):
    help = (
        "Create an empty shop (no demo data): name, country, currency, languages, time zone, "
        "phone region, sender/reply-to, first warehouse and first owner. Refuses when a shop exists."
    )

    def add_arguments(self, parser):
        for option, _field, question, _default in QUESTIONS:
            parser.add_argument(
                f"--{option.replace('_', '-')}", dest=option, default=None, help=question + "."
            )
        parser.add_argument(
            "--owner-password",
            dest="owner_password",
            default=None,
            help="The owner's password (or TOKODESK_OWNER_PASSWORD; asked on a terminal).",
        )
        parser.add_argument("--no-input", action="store_true", help="Never ask; use the defaults.")

    def handle(self, *args, no_input=False, **options):
        if shop_exists():
            raise CommandError(
                "A shop already exists in this database (users or orders): nothing changed."
            )
        ask = not no_input and sys.stdin.isatty()
        values = {}
        for option, field, question, default in QUESTIONS:
            value = options.get(option)
            if value is None and ask:
                value = self._ask(question, default)
            if value is None:
                value = default
            values[field] = (value or "").strip()
        if not values["customer_language"]:
            values["customer_language"] = values["staff_language"]
        if not values["phone_region"]:
            values["phone_region"] = values["country"]
        password = options.get("owner_password") or os.environ.get("TOKODESK_OWNER_PASSWORD")
        if not password and ask:
            password = getpass.getpass("Owner's password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("The two passwords differ: nothing changed.")
        if not password:
            raise CommandError(
                "The owner needs a password: --owner-password or TOKODESK_OWNER_PASSWORD."
            )
        try:
            owner = create_shop(ShopInput(owner_password=password, **values))
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
            raise CommandError(f"{exc.message}{' (' + detail + ')' if detail else ''}") from exc
        self.stdout.write(
            f"Shop created. Log in as {owner.username}: the first-login page asks for the rest."
        )

    def _ask(self, question: str, default: str) -> str:
        suffix = f" [{default}]" if default else ""
        answer = input(f"{question}{suffix}: ").strip()
        return answer or default
