"""`tokodesk recount_orders`: rebuild the order counters (the tab counts) from the orders.

The counters are kept by database triggers (tokodesk.orders.counters), so this is for
repairs: after restoring a table by hand, or when `--check` reports a difference.
`--check` only compares, and exits 1 when a counter is wrong.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = (
        "Rebuild the order counters behind the tab counts from the orders table (or --check them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare the counters with the orders; exit 1 if any differs.",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *, check, database, verbosity, **_):
        from tokodesk.orders import counters

        connection = connections[database]
        if check:
            wrong = counters.check(connection)
            missing = counters.expected_triggers(connection) - counters.installed_triggers(
                connection
            )
            for (agent, status, method), stored, actual in wrong:
                self.stdout.write(
                    f"agent {agent} {status} {method}: counter {stored}, orders {actual}"
                )
            if missing:
                self.stdout.write(f"missing triggers: {', '.join(sorted(missing))}")
            if wrong or missing:
                raise CommandError(
                    f"{len(wrong)} counter(s) wrong, {len(missing)} trigger(s) missing; "
                    "run `tokodesk recount_orders` to repair.",
                    returncode=1,
                )
            if verbosity >= 1:
                self.stdout.write("order counters are exact")
            return
        counters.install_triggers(connection)
        total = counters.recount(connection)
        if verbosity >= 1:
            self.stdout.write(f"order counters rebuilt: {total} order(s)")
