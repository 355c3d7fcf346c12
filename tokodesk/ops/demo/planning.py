"""The demo's reference data (users, catalogue, couriers, pages) and the plans of its
orders."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.ops.demo.paths import METHOD_FOR_STATUS, STATUS_WEIGHTS, Plan
from tokodesk.ops.demo.people import (
    ADDRESS_HINTS,
    BANK_ACCOUNTS,
    CITIES,
    CITY_WEIGHTS,
    CUSTOMER_NOTES,
    DISTRICTS,
    FIRST_NAMES,
    HOUSING,
    LAST_NAMES,
    PHONE_PREFIXES,
    STREETS,
    VILLAGES,
)
from tokodesk.ops.demo.shop import (
    COURIERS,
    DEMO_PASSWORD,
    FAST_SERVICES,
    LANDING_PAGES,
    PRODUCTS,
    USERS,
    WAREHOUSES,
)
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage


class _Planning:
    """Part of _Builder (builder.py)."""

    def _users(self) -> None:
        User = get_user_model()
        hashed = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        created = []
        for username, role, first, last in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    role=role,
                    first_name=first,
                    email=f"{username}@tokoberkah.example",
                )
                created.append(user.pk)
                user.last_name = last
                user.password = hashed
                user.save(update_fields=["last_name", "password"])
            self.users[username] = user
        User.objects.filter(pk__in=created).update(
            date_joined=self.now - dt.timedelta(days=self.days + 30)
        )

    def _catalog(self) -> None:
        for code, name, city, address in WAREHOUSES:
            Warehouse.objects.get_or_create(
                code=code, defaults={"name": name, "city": city, "address": address}
            )
        warehouses = {w.code: w for w in Warehouse.objects.all()}
        arriving: dict[str, list[dict]] = defaultdict(list)  # warehouse -> receipt lines
        for slug, name, description, stocked_in, variants in PRODUCTS:
            product, _c = Product.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
            self.product_skus[slug] = [sku for sku, *_rest in variants]
            for sku, vname, price, weight in variants:
                variant, _c = Variant.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "product": product,
                        "name": vname,
                        "price": price,
                        "weight_grams": weight,
                    },
                )
                self.variants[sku] = variant
                for code in stocked_in:
                    on_hand = (
                        self.rng.randrange(500, 900, 10)
                        if code == "jkt"
                        else self.rng.randrange(300, 600, 10)
                    )
                    if not Stock.objects.filter(variant=variant, warehouse=warehouses[code]).exists():
                        arriving[code].append({"sku": sku, "qty": on_hand, "unit_cost": price * 6 // 10})
                    self.stocked[code].add(sku)
        self._receive(arriving)
        Product.objects.filter(slug__in=[p[0] for p in PRODUCTS]).update(
            created_at=self.now - dt.timedelta(days=self.days + 20)
        )

    def _receive(self, arriving: dict[str, list[dict]]) -> None:
        """The opening stock arrives by receipts from a supplier, booked by the warehouse
        clerk before the first order, so the ledger's history reads true (issue 13)."""
        from tokodesk.catalog.models import StockMovement, StockReceipt
        from tokodesk.catalog.services.stock_ops import receive_stock

        when = self.now - dt.timedelta(days=self.days + 20)
        for code, lines in sorted(arriving.items()):
            receipt = receive_stock(
                actor=self.users.get("gudang"), warehouse=code, lines=lines,
                supplier="CV Sumber Makmur", note="Stok awal",
            )
            StockReceipt.objects.filter(pk=receipt.pk).update(created_at=when)
            StockMovement.objects.filter(doc_type="receipt", doc_id=receipt.pk).update(created_at=when)

    def _couriers(self) -> None:
        for code, name, services, url in COURIERS:
            Courier.objects.get_or_create(
                code=code, defaults={"name": name, "services": services, "tracking_url": url}
            )
        # Rate tables for JNE, J&T, SiCepat … so the landing pages and new orders quote (issue 14).
        from tokodesk.shipping.rates_demo import load_demo_rates
        from tokodesk.shipping.regions import ensure_regions

        ensure_regions()
        load_demo_rates(Courier.objects.all())

    def _pages(self) -> None:
        for name, slug, product_slug, warehouse, agents in LANDING_PAGES:
            page, created = LandingPage.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "product": Product.objects.get(slug=product_slug),
                    "warehouse": Warehouse.objects.get(code=warehouse),
                    "payment_methods": ["cod", "bank_transfer"],
                    "payment_instructions": "Transfer ke salah satu rekening berikut, lalu kirim bukti transfer "
                    "lewat WhatsApp:\n" + "\n".join(BANK_ACCOUNTS),
                },
            )
            if created:
                page.agents.set([self.users[a] for a in agents])
            self.pages[slug] = page
        LandingPage.objects.filter(slug__in=self.pages).update(
            created_at=self.now - dt.timedelta(days=self.days + 10)
        )

    # --- plans -----------------------------------------------------------------------

    def _targets(self) -> list[str]:
        statuses = list(STATUS_WEIGHTS)
        counts = dict.fromkeys(statuses, 1 if self.n >= len(statuses) else 0)
        rest = self.n - sum(counts.values())
        total_weight = sum(STATUS_WEIGHTS.values())
        shares = {s: rest * STATUS_WEIGHTS[s] / total_weight for s in statuses}
        for s in statuses:
            counts[s] += int(shares[s])
        left = self.n - sum(counts.values())
        for s in sorted(statuses, key=lambda s: shares[s] - int(shares[s]), reverse=True)[:left]:
            counts[s] += 1
        targets = [s for s in statuses for _i in range(counts[s])]
        self.rng.shuffle(targets)
        return targets

    def _customers(self, count: int) -> list[dict]:
        rng, seen, people = self.rng, set(), []
        while len(people) < count:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if first in ("Putu", "Made", "Kadek", "Nyoman"):
                last = rng.choice(["Ayu Wulandari", "Suarta", "Wirawan", "Sudiarta", "Ayu Lestari"])
            name = f"{first} {last}".strip()
            phone = rng.choice(PHONE_PREFIXES) + "".join(
                str(rng.randrange(10)) for _ in range(rng.choice((7, 8)))
            )
            if phone in seen or not phonenumbers.is_valid_number(phonenumbers.parse(phone, "ID")):
                continue
            seen.add(phone)
            city, province, postal, region = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            if rng.random() < 0.2:
                street = f"{rng.choice(HOUSING)} Blok {rng.choice('ABCDEFGH')}{rng.randint(1, 20)} No. {rng.randint(1, 40)}"
            else:
                street = f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}"
            address = (
                f"{street}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}, "
                f"Kel. {rng.choice(VILLAGES)}, Kec. {rng.choice(DISTRICTS)}, {city}, {province} "
                f"{postal}{rng.randint(100, 999)}"
            )
            if rng.random() < 0.15:
                address += f" ({rng.choice(ADDRESS_HINTS)})"
            shown = phone
            if rng.random() < 0.1:
                shown = f"+62 {phone[1:4]}-{phone[4:8]}-{phone[8:]}"
            email = ""
            if rng.random() < 0.3:
                email = f"{first.lower()}.{(last.split() or ['x'])[-1].lower() or 'x'}{rng.randint(1, 99)}@gmail.com"
            people.append(
                {
                    "name": name,
                    "phone": shown,
                    "address": address,
                    "city": city,
                    "email": email,
                    "region": region,
                }
            )
        return people

    def _plans(self) -> list[Plan]:
        rng = self.rng
        targets = self._targets()
        people = self._customers(self.n)
        plans, used = [], []
        for target in targets:
            # Most buyers order once; some come back.
            if used and rng.random() < 0.22:
                customer = rng.choice(used)
            else:
                customer = people[len(used)]
                used.append(customer)
            method = (
                METHOD_FOR_STATUS.get(target)
                or rng.choices(
                    ["cod", "bank_transfer", "payment_gateway", "invoice"], weights=[58, 30, 8, 4]
                )[0]
            )
            plans.append(self._plan(target, method, customer))
        # Buyers who came back three times or more are VIPs from their third order on.
        per_phone = defaultdict(list)
        for plan in plans:
            per_phone[plan.customer["phone"]].append(plan)
        for plan in plans:
            plan.times = self._times(plan)
        for same in per_phone.values():
            same.sort(key=lambda p: p.times[0])
            for plan in same[2:]:
                if "VIP" not in plan.tags:
                    plan.tags.append("VIP")
        plans.sort(key=lambda p: p.times[0])
        return plans

    def _plan(self, target: str, method: str, customer: dict) -> Plan:
        rng = self.rng
        reseller = method == "invoice" or (method == "bank_transfer" and rng.random() < 0.05)
        use_page = method in ("cod", "bank_transfer") and not reseller and rng.random() < 0.92
        if use_page:
            slug = rng.choice(list(self.pages))
            page = self.pages[slug]
            warehouse = page.warehouse.code
            skus = self.product_skus[page.product.slug]
            first = rng.choice(skus)
            lines = [(first, rng.choices([1, 2, 3], weights=[55, 35, 10])[0], None)]
            if len(skus) > 1 and rng.random() < 0.2:
                lines.append((rng.choice([s for s in skus if s != first]), 1, None))
            plan_kw = {
                "channel": "landing_page",
                "landing_page": slug,
                "creator": None,
                "source": "customer",
            }
            if rng.random() < 0.25:
                plan_kw["note"] = rng.choice(CUSTOMER_NOTES)
        else:
            near_sby = customer["region"] in ("jatim", "bali", "sulawesi", "kalimantan", "timur")
            warehouse = "sby" if near_sby and rng.random() < 0.7 else "jkt"
            skus = sorted(self.stocked[warehouse])
            count = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            lines = []
            for sku in rng.sample(skus, count):
                if reseller:
                    price = self.variants[sku].price * 85 // 100 // 500 * 500
                    lines.append((sku, rng.randint(5, 12), price))
                else:
                    lines.append((sku, rng.choices([1, 2], weights=[75, 25])[0], None))
            if method == "payment_gateway" and rng.random() < 0.7:
                plan_kw = {"channel": "api", "creator": "owner", "source": "api"}
            elif rng.random() < 0.5:
                plan_kw = {"channel": "manual", "creator": "@agent", "source": "web"}
            else:
                plan_kw = {"channel": "manual", "creator": "admin", "source": "web"}
        courier = rng.choices([c[0] for c in COURIERS], weights=[30, 25, 20, 15, 10])[0]
        services = next(c[2] for c in COURIERS if c[0] == courier)
        service = services[0] if rng.random() < 0.8 else rng.choice(services)
        weight = sum(self.variants[sku].weight_grams * qty for sku, qty, _p in lines)
        subtotal = sum((price or self.variants[sku].price) * qty for sku, qty, price in lines)
        plan = Plan(
            target=target,
            method=method,
            customer=customer,
            lines=lines,
            warehouse=warehouse,
            courier=courier,
            service=service,
            shipping_cost=self._shipping_cost(warehouse, customer["region"], weight, service),
            **plan_kw,
        )
        if subtotal > 300000 and rng.random() < 0.3:
            plan.insurance = max(1000, subtotal * 25 // 10000 // 100 * 100)
        if reseller:
            plan.tags.append("Reseller")
            plan.discount = rng.choice([0, 10000, 25000])
        elif plan.channel == "manual" and rng.random() < 0.15:
            plan.discount = rng.choice([5000, 10000, 15000])
        plan.steps = self._steps(plan)
        return plan

    @staticmethod
    def _shipping_cost(warehouse: str, region: str, weight: int, service: str) -> int:
        per_kg = {
            "jkt": {
                "jawa": 10000,
                "jatim": 13000,
                "sumatera": 18000,
                "bali": 22000,
                "kalimantan": 27000,
                "sulawesi": 31000,
                "timur": 56000,
            },
            "sby": {
                "jawa": 12000,
                "jatim": 8000,
                "sumatera": 25000,
                "bali": 15000,
                "kalimantan": 22000,
                "sulawesi": 26000,
                "timur": 50000,
            },
        }[warehouse][region]
        cost = per_kg * max(1, math.ceil(weight / 1000))
        if service in FAST_SERVICES:
            cost = cost * 16 // 10
        return cost // 500 * 500
