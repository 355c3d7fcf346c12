"""`tokodesk render_states` (`make states`): write the state-machine docs from the tables.

`--check` writes nothing and exits non-zero when a committed document differs from what
the tables render, so CI (and tests) catch a table changed without its docs.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tokodesk.core.statedocs import render_table_markdown


def documents() -> dict[str, str]:
    """The generated documents: path relative to the project root -> Markdown text.

    A new table (returns) adds its document here.
    """
    from tokodesk.orders.states import ORDER_TRANSITIONS, Status
    from tokodesk.orders.tabs import render_tabs_markdown
    from tokodesk.returns.states import RETURN_TRANSITIONS

    return {
        "docs/order-states.md": render_table_markdown(
            ORDER_TRANSITIONS,
            "Order states",
            "The order state machine of SPEC 2.1 and 2.2, rendered from `ORDER_TRANSITIONS` in "
            "`tokodesk/orders/states.py`. Every status change of an order is one of these "
            "actions, applied by `tokodesk.core.transitions.apply_transition`.",
            initial=Status.NEW.value,
        )
        + "\n"
        + render_tabs_markdown(),
        "docs/return-states.md": render_table_markdown(
            RETURN_TRANSITIONS,
            "Return states",
            "The return (RMA) state machine of SPEC 3.1, rendered from `RETURN_TRANSITIONS` in "
            "`tokodesk/returns/states.py`. Every status change of a return is one of these "
            "actions, applied by `tokodesk.core.transitions.apply_transition`. `request` (the "
            "customer, from the order link) and `create` (a user) make a return in their target "
            "status; `recreate` (Buat Retur Ulang) is not a transition: it makes a new draft from "
            "a rejected or cancelled return. API clients also get InvenTree's codes: Pending = "
            "requested/draft, In Progress = awaiting_item/item_received, On Hold = on_hold, "
            "Complete = completed, Cancelled = cancelled/rejected.",
        ),
    }


def project_root() -> Path:
    return Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Write the state-machine docs (docs/*-states.md) from the transition tables."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero when a document differs from the rendering.",
        )

    def handle(self, *args, check=False, **options):
        root = project_root()
        stale = []
        for rel, text in documents().items():
            path = root / rel
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                self.stdout.write(f"{rel} is up to date.")
                continue
            if check:
                stale.append(rel)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            self.stdout.write(f"Wrote {rel}.")
        if stale:
            raise CommandError(
                f"Out of date with the transition tables: {', '.join(stale)}. Run `make states`."
            )
