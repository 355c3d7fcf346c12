"""`tokodesk demo`: load the demo shop (once; a second run changes nothing). Skipped with
`--no-demo` or TOKODESK_DEMO=0 (`make run` then serves an empty database: `tokodesk setup`),
and never loaded into a shop made by `tokodesk setup`."""

import os

from django.core.management.base import BaseCommand, CommandError

from tokodesk.core.models import ShopSettings
from tokodesk.ops.demo import DEFAULT_DAYS, DEFAULT_ORDERS, DEFAULT_SEED, load_demo, summary_lines


class Command(BaseCommand):
    help = ("Load a demo Indonesian shop: users (password demo12345), warehouses, products, couriers, "
            "landing pages and ~500 orders in every status. Does nothing when already loaded.")

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS,
                            help=f"How many orders (default {DEFAULT_ORDERS}; at least 21 for every status).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same shop).")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"Spread the orders over this many past days (default {DEFAULT_DAYS}).")
        parser.add_argument("--no-demo", action="store_true",
                            help="Load nothing (as TOKODESK_DEMO=0 does): for a shop of one's own.")

    def handle(self, *args, orders, seed, days, no_demo=False, **options):
        if no_demo or os.environ.get("TOKODESK_DEMO", "").strip().lower() in ("0", "false", "no", "off"):
            self.stdout.write("Demo skipped (--no-demo / TOKODESK_DEMO=0). Create your shop: tokodesk setup")
            return
        if ShopSettings.objects.filter(set_up_at__isnull=False).exists():
            self.stdout.write("This shop was created by `tokodesk setup`: demo data not loaded.")
            return
        if orders < 1:
            raise CommandError("--orders must be at least 1.")
        if days < 30:
            raise CommandError("--days must be at least 30.")
        result = load_demo(orders=orders, seed=seed, days=days)
        for line in summary_lines(result):
            self.stdout.write(line)
