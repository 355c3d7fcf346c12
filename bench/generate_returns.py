"""Add returns (RMAs, SPEC 3) to a database filled by bench/generate.py: bench data only.

    .venv/bin/python bench/generate.py --orders 100000 --returns 8000
    .venv/bin/python bench/generate_returns.py --returns 8000 [--database-url URL] [--seed S]

As generate.py does for orders, the rows are computed in Python and bulk inserted
(generate.BulkWriter: executemany on SQLite, COPY on PostgreSQL) in one transaction, not
made by the services (`return_create`, `return_apply_action`). What they hold follows the
return flow closely enough for the list, tabs, search and detail pages:

* returns of distinct delivered or completed orders, created after the order's last
  change, references RMA-{seq} (the shop's return pattern) in creation order and the
  `return` Sequence moved to the last one;
* every status of returns.states.Status (mostly completed), the four resolutions, a reason
  of the shop's list ("other" with the customer's words, some others with details),
  origin customer for requests (and some others), a responsible user or group (never
  both) on some, a target date once approved, two custom states on some on-hold, awaiting
  and received returns;
* 1-3 lines per return from the order's own lines (qty at most the line's); received,
  restocked and accepted quantities as the status implies (received <= qty, accepted <=
  received); accepted_total / resolution_amount at completion; a return shipping fee on
  some;
* a refund for completed refund returns (bank transfer, paid or pending; never more than
  the order was paid: completed refunds only on orders whose paid_total covers them,
  others stay open);
* a timeline per return: "created" plus one "action" row per transition of its path, and
  "refund_paid" for paid refunds.

Store-credit ledger entries, replacement orders of exchanges, photos, messages and stock
movements of restocked goods are not written (the list does not show them)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import BulkWriter, setup_django  # noqa: E402

DAY = 86400.0
# Share of each final status, in percent.
STATUS_SHARES = {
    "completed": 52,
    "awaiting_item": 12,
    "item_received": 8,
    "requested": 6,
    "draft": 5,
    "on_hold": 4,
    "rejected": 5,
    "cancelled": 8,
}
RESOLUTIONS, RESOLUTION_WEIGHTS = (
    ["refund", "store_credit", "exchange_same", "exchange_other"],
    [60, 15, 18, 7],
)
# The path of actions (from the entry status) to each status: (action, from, to).
PATHS = {
    "requested": [],
    "draft": [],
    "awaiting_item": [("approve", None, "awaiting_item")],
    "item_received": [
        ("approve", None, "awaiting_item"),
        ("receive", "awaiting_item", "item_received"),
    ],
    "completed": [
        ("approve", None, "awaiting_item"),
        ("receive", "awaiting_item", "item_received"),
        ("complete", "item_received", "completed"),
    ],
    "rejected": [("reject", None, "rejected")],
    "cancelled": [("cancel", None, "cancelled")],
}
CUSTOM_STATES = [
    ("Menunggu inspeksi", "item_received", "amber"),
    ("Menunggu kurir", "awaiting_item", "#3366cc"),
    ("Cek gudang", "on_hold", "red"),
]
WORDS = [
    "Jahitan lepas di bagian lengan",
    "Warnanya beda dengan foto",
    "Kemasan penyok waktu datang",
    "Tidak cocok dipakai",
    "Salah kirim ukuran",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--returns", type=int, required=True, help="how many returns to add")
    p.add_argument(
        "--database-url", help="default: DATABASE_URL, else SQLite under TOKODESK_DATA_DIR"
    )
    p.add_argument("--seed", type=int, default=20261204)
    p.add_argument("--batch", type=int, default=5000)
    return p.parse_args(argv)


def _sql_dt(value):
    """A datetime column as read by plain SQL: aware (PostgreSQL) or text (SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class ReturnsGenerator:
    def __init__(self, *, n: int, seed: int, batch: int):
        from django.utils import timezone

        self.n, self.batch = n, batch
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.rows = Counter()
        self.by_status = Counter()

    def _pick_orders(self, cursor) -> list[tuple]:
        """n distinct delivered or completed orders: (id, customer_id, currency, paid_total,
        updated_at, reference), in a random order."""
        cursor.execute(
            "SELECT o.id, o.customer_id, o.currency, o.paid_total, o.updated_at, o.reference FROM orders_order o "
            "WHERE o.status IN ('delivered', 'completed') AND NOT EXISTS "
            "(SELECT 1 FROM returns_return r WHERE r.order_id = o.id) ORDER BY o.id"
        )
        orders = cursor.fetchall()
        if len(orders) < self.n:
            raise SystemExit(
                f"only {len(orders)} delivered or completed orders without a return: "
                f"ask for at most that many returns"
            )
        return self.rng.sample(orders, self.n)

    def _lines_of(self, cursor, ids) -> dict[int, list[tuple]]:
        lines: dict[int, list[tuple]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            cursor.execute(
                "SELECT order_id, id, variant_id, sku, name, unit_price, qty FROM orders_orderline "
                f"WHERE order_id IN ({', '.join(['%s'] * len(part))}) ORDER BY id",
                part,
            )
            for order_id, *line in cursor.fetchall():
                lines.setdefault(order_id, []).append(tuple(line))
        return lines

    def _reference_data(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from tokodesk.returns.models import CustomState, ReturnReason
        from tokodesk.returns.return_settings import ReturnSettings

        self.reasons = list(
            ReturnReason.objects.filter(active=True).values_list("id", "needs_text")
        )
        self.states = {}
        for position, (label, status, color) in enumerate(CUSTOM_STATES):
            state, _ = CustomState.objects.get_or_create(
                label=label, defaults={"status": status, "color": color, "position": position}
            )
            self.states.setdefault(state.status, []).append(state.pk)
        users = get_user_model().objects.filter(is_active=True)
        self.owner = users.filter(username="owner").values_list("pk", flat=True).first()
        self.users = list(users.order_by("pk").values_list("pk", flat=True))
        self.groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
        self.pattern = ReturnSettings.get().return_reference_pattern

    def run(self) -> dict:
        from django.db import connection, transaction
        from django.db.models import Max

        from tokodesk.core.models import Sequence
        from tokodesk.returns.models import Refund, Return, ReturnEvent, ReturnExtraLine, ReturnLine

        timings = {}
        started = time.monotonic()
        with transaction.atomic():
            self._reference_data()
            with connection.cursor() as cursor:
                picked = self._pick_orders(cursor)
                lines = self._lines_of(cursor, [o[0] for o in picked])
            timings["read orders"] = time.monotonic() - started
            t0 = time.monotonic()
            rng = self.rng
            plans = []
            for order_id, customer_id, currency, paid, updated, order_ref in picked:
                created = _sql_dt(updated) + dt.timedelta(seconds=rng.uniform(3600, 6 * DAY))
                created = min(created, self.now - dt.timedelta(seconds=rng.uniform(60, 3 * DAY)))
                plans.append((created, order_id, customer_id, currency, paid, order_ref))
            plans.sort()
            seq = Sequence.objects.select_for_update().filter(name="return").first()
            first_seq = (seq.value if seq else 0) + 1
            first_id = (Return.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            self.w = {
                "return": BulkWriter(connection, Return, with_pk=True, batch=self.batch),
                "returnline": BulkWriter(connection, ReturnLine, with_pk=False, batch=self.batch),
                "returnextraline": BulkWriter(
                    connection, ReturnExtraLine, with_pk=False, batch=self.batch
                ),
                "returnevent": BulkWriter(connection, ReturnEvent, with_pk=False, batch=self.batch),
                "refund": BulkWriter(connection, Refund, with_pk=False, batch=self.batch),
            }
            for i, plan in enumerate(plans):
                self._one(first_id + i, first_seq + i, plan, lines[plan[1]])
            for name, writer in self.w.items():
                writer.flush()
                self.rows[name] += writer.count
            timings["returns"] = time.monotonic() - t0
            Sequence.objects.update_or_create(
                name="return", defaults={"value": first_seq + self.n - 1}
            )
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Return]):
                    cursor.execute(sql)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timings["total"] = time.monotonic() - started
        return timings

    def _one(self, pk, seq, plan, order_lines) -> None:
        rng = self.rng
        created, order_id, customer_id, currency, paid, order_ref = plan
        status = rng.choices(list(STATUS_SHARES), weights=list(STATUS_SHARES.values()))[0]
        resolution = rng.choices(RESOLUTIONS, weights=RESOLUTION_WEIGHTS)[0]
        origin = "customer" if rng.random() < 0.35 else "seller"
        if status == "requested":
            origin = "customer"
        elif status == "draft":
            origin = "seller"
        picked = rng.sample(order_lines, rng.randint(1, min(3, len(order_lines))))
        lines = [(line, rng.randint(1, line[5])) for line in sorted(picked)]
        value = sum(line[4] * qty for line, qty in lines)
        fee = 15000 if rng.random() < 0.2 else 0
        if status == "completed" and resolution == "refund" and paid < max(value - fee, 1):
            status = rng.choice(
                ["item_received", "awaiting_item"]
            )  # never more than the order was paid
        hold = status == "on_hold"
        before_hold = rng.choice(["awaiting_item", "item_received"]) if hold else ""
        path = list(PATHS[before_hold or status])
        entry = "requested" if origin == "customer" else "draft"
        if hold:
            path.append(("hold", before_hold, "on_hold"))
        received = status in ("item_received", "completed") or before_hold == "item_received"

        clock = created
        events = [("created", "request" if origin == "customer" else "create", "", entry, created)]
        stamps = {}
        status_now = entry
        for action, source, target in path:
            clock += dt.timedelta(seconds=rng.uniform(600, 2 * DAY))
            clock = min(clock, self.now)
            events.append(("action", action, source or status_now, target, clock))
            stamps[action] = clock
            status_now = target
        self.by_status[status] += 1

        reason_id, needs_text = rng.choice(self.reasons)
        reason_text = rng.choice(WORDS) if needs_text or rng.random() < 0.2 else ""
        responsible_user = responsible_group = None
        roll = rng.random()
        if roll < 0.3 and self.users:
            responsible_user = rng.choice(self.users)
        elif roll < 0.4 and self.groups:
            responsible_group = rng.choice(self.groups)
        states = self.states.get(status, [])
        custom_state = rng.choice(states) if states and rng.random() < 0.3 else None
        approved = stamps.get("approve")
        target_date = (
            (approved + dt.timedelta(days=rng.randint(3, 14))).date()
            if approved and rng.random() < 0.6
            else None
        )
        accepted_total = 0
        w_line = self.w["returnline"].add
        for (line_id, variant_id, sku, name, price, _order_qty), qty in lines:
            row = {
                "return_order_id": pk,
                "order_line_id": line_id,
                "variant_id": variant_id,
                "sku": sku,
                "name": name,
                "unit_price": price,
                "qty": qty,
            }
            if received:
                got = qty if rng.random() < 0.9 else rng.randint(0, qty)
                condition = rng.choices(
                    ["resellable", "opened", "damaged", "defective"], [70, 15, 10, 5]
                )[0]
                row.update(
                    qty_received=got,
                    condition=condition,
                    qty_restocked=got if condition == "resellable" else 0,
                )
                if status == "completed":
                    accept = got if rng.random() < 0.9 else rng.randint(0, got)
                    row.update(decision="accept" if accept else "refuse", qty_accepted=accept)
                    accepted_total += accept * price
            w_line(row)
        if fee:
            self.w["returnextraline"].add(
                {
                    "return_order_id": pk,
                    "kind": "shipping_charged",
                    "description": "Ongkir retur",
                    "amount": fee,
                }
            )
        completed = stamps.get("complete")
        resolution_amount = max(accepted_total - fee, 0) if completed else 0
        if completed and resolution == "refund" and resolution_amount > 0:
            paid_on = completed + dt.timedelta(days=rng.randint(0, 3))
            is_paid = paid_on < self.now and rng.random() < 0.85
            self.w["refund"].add(
                {
                    "return_order_id": pk,
                    "order_id": order_id,
                    "amount": resolution_amount,
                    "method": "bank_transfer",
                    "status": "paid" if is_paid else "pending",
                    "bank_name": "BCA",
                    "account_number": f"{rng.randrange(10**9, 10**10)}",
                    "account_holder": "Pemilik Rekening",
                    "reference": f"TRF{rng.randrange(10**8, 10**9)}" if is_paid else "",
                    "paid_on": paid_on.date() if is_paid else None,
                    "created_by_id": self.owner,
                    "created_at": completed,
                    "paid_recorded_by_id": self.owner if is_paid else None,
                    "paid_recorded_at": paid_on if is_paid else None,
                }
            )
            if is_paid:
                events.append(("refund_paid", "", "", "", paid_on))
        final_at = {"rejected": "reject", "cancelled": "cancel"}
        exchange_items = []
        if resolution == "exchange_other":
            exchange_items = [{"sku": lines[0][0][2], "qty": 1}]
        self.w["return"].add(
            {
                "id": pk,
                "reference": self.pattern.format(seq=seq, year=created.year, month=created.month),
                "order_id": order_id,
                "customer_id": customer_id,
                "reason_id": reason_id,
                "reason_text": reason_text,
                "resolution": resolution,
                "status": status,
                "version": len(path) + 1,
                "custom_state_id": custom_state,
                "status_before_hold": before_hold,
                "origin": origin,
                "responsible_user_id": responsible_user,
                "responsible_group_id": responsible_group,
                "target_date": target_date,
                "currency": currency,
                "exchange_items": exchange_items,
                "accepted_total": accepted_total if completed else 0,
                "fees_total": fee if completed else 0,
                "resolution_amount": resolution_amount,
                "exchange_difference": -resolution_amount
                if completed and resolution == "exchange_other"
                else None,
                "created_by_id": self.owner if origin == "seller" else None,
                "approved_at": approved,
                "received_at": stamps.get("receive"),
                "completed_at": completed,
                "rejected_at": stamps.get(final_at["rejected"]),
                "cancelled_at": stamps.get(final_at["cancelled"]),
                "created_at": created,
                "updated_at": max(e[4] for e in events),
            }
        )
        w_event = self.w["returnevent"].add
        actor = self.owner if origin == "seller" else None
        created_data = {
            "order": order_ref,
            "resolution": resolution,
            "lines": [{"sku": line[2], "qty": qty} for line, qty in lines],
        }
        for kind, action, source, target, at in events:
            data = created_data if kind == "created" else {}
            w_event(
                {
                    "return_order_id": pk,
                    "kind": kind,
                    "action": action,
                    "from_status": source,
                    "to_status": target,
                    "actor_id": actor,
                    "source": "customer" if kind == "created" and origin == "customer" else "web",
                    "data": data,
                    "created_at": at,
                }
            )


def add_returns(n: int, *, seed: int, batch: int = 5000) -> ReturnsGenerator:
    """Add n returns (the Django set-up done); the generator, with its rows and statuses."""
    gen = ReturnsGenerator(n=n, seed=seed, batch=batch)
    timings = gen.run()
    print(", ".join(f"{k}: {v:.1f} s" for k, v in timings.items()))
    print("return rows: " + ", ".join(f"{k} {v:,}" for k, v in gen.rows.items()))
    print("return statuses: " + ", ".join(f"{s} {c}" for s, c in gen.by_status.most_common()))
    return gen


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    add_returns(args.returns, seed=args.seed, batch=args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
