"""The demo's courier side (issue 15): what the courier tells the shop about the parcels,
the money it remits and the claims made to it, all through the real paths.

- Every courier event of a plan (picked up, delivered, a delivery problem, sent back,
  returned, lost) reaches its order the way a sandbox provider's does: stored as a tracking
  event (`tracking.services.store_events`, source "poll") and applied by the worker's
  processing (`tracking.processing.process_due`), which moves the order through the order
  table. So every shipped order carries its courier history, at the plan's times.
- After the dates are spread: two events a person must look at (the courier says delivered
  for a parcel the warehouse marked lost; an AWB no order has), recorded and not applied,
  shown on Action needed.
- A COD remittance per courier for most of the COD orders delivered a few days ago, imported
  through `payments.services.remittance_import` (one short amount flagged), and two claims
  for lost parcels (`claim_create`; one approved and paid)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict

from django.db.models import F
from django.utils import timezone

from tokodesk.orders.models import Order
from tokodesk.tracking import codes, processing
from tokodesk.tracking.models import TrackingEvent
from tokodesk.tracking.services import EventIn, store_events

ADAPTER = "sandbox"
PREFIX = "demo-"
# order action → the provider's code the courier sends
COURIER_CODE = {action: code for code, action in codes.ACTIONS.items()}
REMIT_HEADER = ["No Resi", "Nilai COD", "Ongkir", "Biaya COD", "Biaya Retur", "Tanggal Bayar"]


class _Courier:
    """Part of _Builder (builder.py)."""

    tracking_seq = 0

    def _courier_event(self, order: Order, action: str, when: dt.datetime, note: str) -> Order:
        """The courier's event for `action` at `when`, stored and applied as the worker does."""
        self.tracking_seq += 1
        code = COURIER_CODE[action]
        event_id = f"{PREFIX}{order.awb}-{self.tracking_seq}"
        body = {"event_id": event_id, "awb": order.awb, "event": code, "at": when.isoformat(),
                "note": note}
        store_events(
            adapter=ADAPTER,
            events=[EventIn(event_id=event_id, awb=order.awb, event=code, at=when, note=note,
                            raw=json.dumps(body))],
            source=TrackingEvent.Source.POLL,
        )
        pk = TrackingEvent.objects.filter(adapter=ADAPTER, event_id=event_id).values_list(
            "pk", flat=True
        )[0]
        result = processing.process_due(ids=[pk])
        assert result["applied"] == 1, (order.reference, action, result)
        self.actions_used.add(action)
        return Order.objects.get(pk=order.pk)

    def _courier_after(self) -> None:
        """Once the dates are spread: the demo events' arrival times, the events needing a
        person, the remittances and the claims."""
        TrackingEvent.objects.filter(adapter=ADAPTER, event_id__startswith=PREFIX).update(
            received_at=F("at") + dt.timedelta(minutes=3),
            processed_at=F("at") + dt.timedelta(minutes=3, seconds=2),
        )
        self._events_needing_a_person()
        self._remittances()
        self._claims()

    def _events_needing_a_person(self) -> None:
        lost = list(
            Order.objects.filter(status="lost_or_damaged").exclude(awb="").order_by("id")[:1]
        )
        now = timezone.now()
        events = [
            EventIn(event_id=f"{PREFIX}{o.awb}-found", awb=o.awb, event="delivered",
                    at=now - dt.timedelta(hours=5), note="Diterima oleh yang bersangkutan")
            for o in lost
        ]
        # A provider's typo: one digit off an AWB of ours.
        shipped = Order.objects.filter(status="in_transit").exclude(awb="").order_by("id").first()
        if shipped is not None:
            awb = shipped.awb[:-1] + str((int(shipped.awb[-1]) + 1) % 10)
            events.append(EventIn(event_id=f"{PREFIX}{awb}-typo", awb=awb, event="problem",
                                  at=now - dt.timedelta(hours=3), note="Alamat tidak ditemukan"))
        store_events(adapter=ADAPTER, events=events, source=TrackingEvent.Source.POLL)
        ids = list(
            TrackingEvent.objects.filter(
                adapter=ADAPTER, event_id__in=[e.event_id for e in events]
            ).values_list("pk", flat=True)
        )
        processing.process_due(ids=ids)

    def _remittances(self) -> None:
        """Per courier, most of the COD orders delivered 3+ days ago are remitted (the rest
        stay outstanding); one amount comes short."""
        from tokodesk.payments.services import remittance_import

        cutoff = timezone.now() - dt.timedelta(days=3)
        by_courier = defaultdict(list)
        for o in (
            Order.objects.filter(
                payment_method="cod",
                status__in=("delivered", "completed"),
                delivered_at__lte=cutoff,
            )
            .exclude(awb="")
            .select_related("courier")
            .order_by("delivered_at", "id")
        ):
            by_courier[o.courier.code].append(o)
        actor = self.users["keuangan"]
        short = True  # the first report with two rows or more comes 5,000 short on one
        for code in sorted(by_courier):
            orders = [o for o in by_courier[code] if self.rng.random() < 0.75]
            if not orders:
                continue
            out = io.StringIO()
            writer = csv.writer(out, delimiter=";")
            writer.writerow(REMIT_HEADER)
            paid = timezone.localtime(timezone.now()).date() - dt.timedelta(days=1)
            for i, o in enumerate(orders):
                cod = o.total
                if short and i == 1:
                    cod, short = cod - 5000, False
                cod_fee = round(o.total * 0.03 / 100) * 100
                writer.writerow([o.awb, cod, o.shipping_cost, cod_fee, 0, f"{paid:%d/%m/%Y}"])
            remittance_import(
                courier=code,
                file_name=f"remitansi-{code}-{paid:%Y%m%d}.csv",
                content=out.getvalue().encode("utf-8-sig"),
                actor=actor,
            )

    def _claims(self) -> None:
        """Claims for two lost parcels: one approved and paid, one waiting for the courier."""
        from tokodesk.payments.claims import claim_apply_action, claim_create

        owner = self.users["owner"]
        lost = Order.objects.filter(status="lost_or_damaged").order_by("-id")[:2]
        for i, order in enumerate(lost):
            claim = claim_create(
                data={"order": order.reference, "reason": "lost", "amount": order.subtotal,
                      "note": "Paket hilang di hub transit"},
                actor=owner,
                source="web",
            )
            if i == 0:
                claim = claim_apply_action(reference=claim.reference, action="approve",
                                           actor=owner, inputs={}, source="web")
                claim_apply_action(reference=claim.reference, action="pay", actor=owner,
                                   inputs={"reference": f"TRF-{order.courier_id}-{order.pk}"},
                                   source="web")
