"""`tokodesk tracking_poll --adapter sandbox [--process]`: ask the courier adapter for the
tracking of every order on its way and store the new events (tracking/poll.py); with
--process, apply them now instead of waiting for the worker."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Poll the courier adapter's tracking for the orders on their way and store the new events."
    )

    def add_arguments(self, parser):
        parser.add_argument("--adapter", default="sandbox")
        parser.add_argument("--process", action="store_true", help="Apply the stored events now.")

    def handle(self, *args, adapter, process, **options):
        from tokodesk.shipping.couriers import ADAPTERS
        from tokodesk.tracking import poll, processing

        if adapter not in ADAPTERS:
            raise CommandError(f"unknown adapter {adapter!r}: one of {', '.join(ADAPTERS)}")
        from tokodesk.dispatch.booking import adapter_credentials

        result = poll.poll(adapter=adapter, credentials=adapter_credentials(adapter))
        self.stdout.write(
            "asked {orders} order(s): {events} event(s), {new} new, {errors} error(s)".format(
                **result
            )
        )
        if process:
            self.stdout.write(processing.process_summary(processing.process_due()))
