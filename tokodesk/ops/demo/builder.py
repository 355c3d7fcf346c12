"""The demo's builder: one object holding the random source, the users and the catalogue
while the shop is made."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

from django.utils import timezone

from tokodesk.catalog.models import Variant
from tokodesk.core.models import BankAccount, ShopSettings
from tokodesk.ops.demo.courier import _Courier
from tokodesk.ops.demo.planning import _Planning
from tokodesk.ops.demo.returns import _Returns
from tokodesk.ops.demo.returns_data import ReturnPlan
from tokodesk.ops.demo.running import _Running
from tokodesk.ops.demo.shop import SHOP_BANK_ACCOUNTS, SHOP_PROFILE, TAGS
from tokodesk.orders.models import Tag
from tokodesk.storefront.models import LandingPage


class _Builder(_Planning, _Running, _Courier):
    """The demo shop, built through the services: reference data and plans (planning.py),
    each plan run and backdated (running.py), then the returns (returns.py)."""

    def __init__(self, rng: random.Random, *, orders: int, days: int):
        self.rng = rng
        self.n = orders
        self.days = days
        self.now = timezone.now()
        self.users: dict = {}
        self.pages: dict[str, LandingPage] = {}
        self.variants: dict[str, Variant] = {}
        self.stocked: dict[str, set[str]] = defaultdict(set)  # warehouse -> skus
        self.product_skus: dict[str, list[str]] = {}
        self.round_robin: Counter = Counter()
        self.actions_used: set[str] = set()
        self.invoice_seq = 0
        self.returns: list[ReturnPlan] = []

    # --- reference data ------------------------------------------------------------

    def run(self) -> None:
        self._shop_profile()
        self._users()
        self._catalog()
        self._couriers()
        self._pages()
        for name, color in TAGS:
            Tag.objects.get_or_create(name=name, defaults={"color": color})
        plans = self._plans()
        made = [(plan, self._execute(plan)) for plan in plans]
        # Returns come next, while every order was delivered moments ago; then the dates.
        self.returns = _Returns(self, made).run()
        self._backdate(made)
        self._courier_after()  # events needing a person, remittances, claims (courier.py)
        for page in self.pages.values():
            page.save(update_fields=["last_agent_index"])

    def _shop_profile(self) -> None:
        """A realistic Indonesian shop: name, address with district and city, contacts, and
        its bank accounts (two offered, an old one kept)."""
        ShopSettings.get()
        ShopSettings.objects.filter(pk=1).update(**SHOP_PROFILE)
        if not BankAccount.objects.exists():
            BankAccount.objects.bulk_create(
                BankAccount(bank_name=bank, account_number=number, account_holder=holder,
                            active=active, position=i)
                for i, (bank, number, holder, active) in enumerate(SHOP_BANK_ACCOUNTS, start=1))
