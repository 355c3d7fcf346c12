"""`tokodesk check_stock`: verify that on hand and reserved of every stock row equal the
sums of its ledger movements. Exit status 1 and one line per difference if any."""

import sys

from django.core.management.base import BaseCommand

from tokodesk.catalog.models import Warehouse
from tokodesk.catalog.services.ledger import stock_differences


class Command(BaseCommand):
    help = "Verify the stock ledger: on hand and reserved equal the sums of the movements."

    def add_arguments(self, parser):
        parser.add_argument("--warehouse", help="Only this warehouse (code).")

    def handle(self, *args, warehouse=None, **options):
        warehouse_id = None
        if warehouse:
            found = Warehouse.objects.filter(code=warehouse).first()
            if found is None:
                self.stderr.write(f"Unknown warehouse {warehouse!r}.")
                sys.exit(2)
            warehouse_id = found.pk
        differences = stock_differences(warehouse_id=warehouse_id)
        if not differences:
            self.stdout.write("Stock ledger OK: every stock row equals the sum of its movements.")
            return
        self.stdout.write(f"{len(differences)} stock row(s) differ from the ledger:")
        for d in differences:
            self.stdout.write(
                f"  {d.warehouse} {d.sku}: on hand {d.on_hand} (ledger {d.ledger_on_hand}), "
                f"reserved {d.reserved} (ledger {d.ledger_reserved})"
            )
        sys.exit(1)
