"""tokodesk export_bench --template courier [--engine sql] — one export of all orders as
the worker writes it, measured (rows/s, peak RSS); see tokodesk/exports/bench.py. Run it
once per process: the peak RSS is the process's."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Export every order with a built-in template and print rows/s and peak RSS (JSON)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--template", default="courier", help="courier, accounting, full or a template name"
        )
        parser.add_argument("--engine", choices=["auto", "sql", "python"], default=None)
        parser.add_argument("--delimiter", choices=[",", ";"], default=None)
        parser.add_argument("--language", default="en")
        parser.add_argument("--keep", action="store_true", help="keep the file and the Export row")

    def handle(self, *args, **options):
        from tokodesk.exports.bench import measure_export

        result = measure_export(
            options["template"],
            engine=options["engine"],
            delimiter=options["delimiter"],
            language=options["language"],
            keep=options["keep"],
        )
        self.stdout.write(json.dumps(result))
