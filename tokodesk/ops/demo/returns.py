"""The demo's returns, made by the returns services."""

from __future__ import annotations

import bisect
import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db.models import DateTimeField
from django.utils import timezone

from tokodesk.notifications.models import Notification
from tokodesk.notifications.whatsapp import return_open_whatsapp
from tokodesk.orders.models import Order, OrderEvent, OrderLine
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import (
    CustomState,
    Refund,
    Return,
    ReturnEvent,
    ReturnMessage,
    ReturnPhoto,
    ReturnReason,
)
from tokodesk.returns.refunds import refund_mark_paid
from tokodesk.returns.services import (
    ExchangeItemInput,
    ExtraLineInput,
    ReturnInput,
    ReturnLineInput,
    custom_state_save,
    return_add_photo,
    return_apply_action,
    return_attach_label,
    return_create,
    return_edit,
    return_reason_save,
    return_recreate,
    return_request,
)

if TYPE_CHECKING:
    from tokodesk.ops.demo.builder import _Builder
from tokodesk.ops.demo.paths import Plan
from tokodesk.ops.demo.returns_data import (
    APPROVE_MESSAGES,
    BANKS,
    COMPLETE_MESSAGES,
    CUSTOM_STATES,
    HOLD_REASONS,
    OPEN_RETURNS,
    RECEIVE_MESSAGES,
    REQUIRED_RETURNS,
    RESOLUTION_WEIGHTS,
    RETURN_CANCEL_REASONS,
    RETURN_DELAYS,
    RETURN_FEE,
    RETURN_IDLE,
    RETURN_REASONS,
    RETURN_REJECT_MESSAGES,
    RETURN_SHARE,
    RETURN_STATUS_WEIGHTS,
    RETURN_WHY,
    RETURN_WINDOW_DAYS,
    ReturnPlan,
    _pdf,
    _png,
)
from tokodesk.ops.demo.rows import _update_rows


class _Returns:
    """Returns on the demo's delivered and completed orders, made only by the returns
    services (and `return_open_whatsapp`) with the user whose role would act: the order's
    agent creates, approves or cancels, the warehouse receives, finance completes and pays
    refunds, the customer asks from the order link.

    They are made right after the orders, while every order was delivered moments ago (so
    each is inside the return window, as it was at the time the story tells), then their
    timestamps are moved onto the story like the orders': every step runs in the order of
    its date, so one mapping from "when the step ran" to "when it happened" moves every row
    the step wrote (events, messages, photos, refunds, the store-credit ledger, the
    replacement orders of exchanges, WhatsApp notes)."""

    def __init__(self, builder: _Builder, made: list[tuple[Plan, Order]]):
        self.b = builder
        self.rng = builder.rng
        self.now = builder.now
        self.made = made
        self.plans: list[ReturnPlan] = []

    def run(self) -> list[ReturnPlan]:
        owner = self.b.users["owner"]
        for position, (code, label, needs_text) in enumerate(RETURN_REASONS):
            if not ReturnReason.objects.filter(code=code).exists():
                return_reason_save(
                    actor=owner, code=code, label=label, needs_text=needs_text, position=position
                )
        for label, status, colour in CUSTOM_STATES:
            if not CustomState.objects.filter(label=label).exists():
                custom_state_save(actor=owner, label=label, status=status, color=colour)
        self._allocate()
        first_ids = {
            model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
            for model in self._moved_models()
        }
        steps = sorted(
            (
                (when, i, j, plan, name)
                for i, plan in enumerate(self.plans)
                for j, (name, when) in enumerate(plan.steps)
            ),
            key=lambda s: (s[0], s[1], s[2]),
        )
        reals, sims = [], []
        for when, _i, _j, plan, name in steps:
            self._do(plan, name, when)
            reals.append(timezone.now())
            sims.append(when)
        self._backdate(reals, sims, first_ids)
        return self.plans

    # --- which returns, on which orders -------------------------------------------------

    def _allocate(self) -> None:
        rng = self.rng
        info = {
            o["pk"]: o
            for o in Order.objects.filter(pk__in=[o.pk for _p, o in self.made]).values(
                "pk", "paid_total", "payment_method", "assigned_agent__username"
            )
        }
        eligible = []
        for plan, order in self.made:
            if plan.target in ("delivered", "completed"):
                delivered = plan.times[1 + [s.name for s in plan.steps].index("delivered")]
                eligible.append((delivered, order, info[order.pk]))
        count = max(len(REQUIRED_RETURNS), round(len(eligible) * RETURN_SHARE))
        specs = [(s, r, set(x)) for s, r, x in REQUIRED_RETURNS]
        while len(specs) < count:
            status = rng.choices(
                list(RETURN_STATUS_WEIGHTS), weights=list(RETURN_STATUS_WEIGHTS.values())
            )[0]
            resolution = rng.choices(
                list(RESOLUTION_WEIGHTS), weights=list(RESOLUTION_WEIGHTS.values())
            )[0]
            extras = {
                x
                for x, chance in (
                    ("paid", 0.6),
                    ("fee", 0.2),
                    ("label", 0.3),
                    ("whatsapp", 0.15),
                    ("custom_state", 0.4),
                    ("request", 0.3),
                    ("partial", 0.1),
                    ("photo", 0.1),
                )
                if rng.random() < chance
            }
            if status == "requested":
                extras |= {"request"} | ({"photos"} if rng.random() < 0.5 else set())
            specs.append((status, resolution, extras))
        # Open returns first: they need an order delivered in the last two weeks or so.
        specs.sort(key=lambda s: s[0] not in OPEN_RETURNS)
        window = dt.timedelta(days=RETURN_WINDOW_DAYS)
        for status, resolution, extras in specs:
            plan = ReturnPlan(status=status, resolution=resolution, extras=extras)
            self._steps(plan)
            # How long ago the order must have been delivered for the story to fit.
            need = sum(plan.gaps, dt.timedelta()) + dt.timedelta(
                minutes=RETURN_IDLE[status][0] if status in RETURN_IDLE else 180
            )
            fits = [e for e in eligible if status != "completed" or e[2]["paid_total"] > 0]
            if not fits:
                continue
            ages = [(self.now - e[0], e) for e in fits]
            if status in OPEN_RETURNS:
                good = [e for age, e in ages if need <= age <= window + need]
                pick = rng.choice(good) if good else min(ages, key=lambda a: a[0])[1]
            else:
                good = [e for age, e in ages if age >= need]
                pick = rng.choice(good or fits)
            eligible.remove(pick)
            delivered, order, row = pick
            plan.order, plan.delivered = order, delivered
            plan.agent = row["assigned_agent__username"] or "admin"
            plan.order_paid, plan.order_method = row["paid_total"], row["payment_method"]
            self.plans.append(plan)
        # The order the story is told in (and the references are drawn in).
        self.plans.sort(key=lambda p: (p.delivered, p.order.pk))
        for plan in self.plans:
            lines = list(OrderLine.objects.filter(order=plan.order).order_by("id"))
            if len(lines) > 1 and rng.random() < 0.5:
                lines = [rng.choice(lines)]
            for line in lines:
                qty = line.qty if line.qty == 1 or rng.random() < 0.7 else rng.randint(1, line.qty)
                if "partial" in plan.extras and line.qty > 1:
                    qty = max(qty, 2)
                plan.lines.append((line, qty))
            self._place(plan)

    def _steps(self, plan: ReturnPlan) -> None:
        """The return's steps to its status, and the time between them."""
        rng, status, extras = self.rng, plan.status, plan.extras
        customer = status == "requested" or ("request" in extras and status != "draft")
        names = ["request" if customer else "create"]
        if status == "rejected":
            names += ["reject"] + (["whatsapp"] if "whatsapp" in extras else [])
            names += ["recreate"] if "recreate" in extras else []
        elif status == "cancelled":
            names += (["approve"] if rng.random() < 0.4 else []) + ["cancel"]
        elif status not in ("requested", "draft"):
            names += ["approve"] + (["label"] if "label" in extras else [])
            names += ["whatsapp"] if "whatsapp" in extras else []
            if status == "awaiting_item" and "custom_state" in extras:
                names.append("custom_state")
            if status == "on_hold":
                names += (["receive"] if rng.random() < 0.3 else []) + ["hold"]
            if status in ("item_received", "completed"):
                names.append("receive")
                names += ["photo"] if "photo" in extras else []
            if status == "item_received" and "custom_state" in extras:
                names.append("custom_state")
            if status == "completed":
                names.append("complete")
                if plan.resolution == "refund" and "paid" in extras:
                    names.append("refund_paid")
        plan.names = names
        plan.gaps = [
            dt.timedelta(minutes=rng.randint(*RETURN_DELAYS[n]), seconds=rng.randint(0, 59))
            for n in names[1:]
        ]

    def _place(self, plan: ReturnPlan) -> None:
        """When each step happened: asked for inside the return window after delivery, an
        open return idle since its last step, everything before now."""
        rng, gaps = self.rng, plan.gaps
        total = sum(gaps, dt.timedelta())
        since = self.now - plan.delivered
        lower = plan.delivered + min(dt.timedelta(hours=3), since / 5)
        latest_start = plan.delivered + dt.timedelta(days=RETURN_WINDOW_DAYS)
        end = self.now - min(dt.timedelta(minutes=20), since / 10)
        if plan.status in RETURN_IDLE:
            start = end - dt.timedelta(minutes=rng.randint(*RETURN_IDLE[plan.status])) - total
        else:
            start = lower + (min(latest_start, end - total) - lower) * rng.random()
        start = min(max(start, lower), latest_start)
        if start + total > end:
            start = max(lower, end - total)
            if start + total > end:  # delivered a moment ago: the story is squeezed
                gaps = [gap * ((end - start) / total) for gap in gaps]
        times = [start]
        for gap in gaps:
            times.append(times[-1] + gap)
        plan.steps = list(zip(plan.names, times, strict=True))

    # --- running the steps through the services --------------------------------------------

    def _user(self, name):
        return self.b.users[name]

    def _agent(self, plan: ReturnPlan):
        return self._user(plan.agent)

    def _do(self, plan: ReturnPlan, name: str, when: dt.datetime) -> None:
        rng = self.rng
        ref = plan.reference
        day = timezone.localtime(when).date()
        if name in ("create", "request"):
            self._create(plan, name, day)
        elif name == "approve":
            inputs = {"message": rng.choice(APPROVE_MESSAGES) if rng.random() < 0.7 else ""}
            if rng.random() < 0.85:
                inputs["target_date"] = (day + dt.timedelta(days=rng.randint(5, 10))).isoformat()
            actor = self._agent(plan) if rng.random() < 0.7 else self._user("admin")
            return_apply_action(
                reference=ref, action="approve", actor=actor, inputs=inputs, source="web"
            )
        elif name == "label":
            ret = Return.objects.select_related("order__warehouse", "order__courier").get(
                reference=ref
            )
            warehouse = ret.order.warehouse
            pdf = _pdf(
                [
                    "LABEL RETUR",
                    f"No. retur: {ref}",
                    f"Pesanan: {ret.order.reference}",
                    f"Dari: {ret.order.recipient_name}",
                    f"Kepada: {warehouse.name if warehouse else 'Toko Berkah Jaya'}",
                    (warehouse.address if warehouse else "")[:60],
                    f"Kurir: {ret.order.courier.name if ret.order.courier_id else 'bebas'}",
                ]
            )
            return_attach_label(
                reference=ref,
                actor=self._user("admin"),
                file=ContentFile(pdf, name=f"label-{ref}.pdf"),
                source="web",
            )
        elif name == "whatsapp":
            return_open_whatsapp(reference=ref, actor=self._agent(plan), source="web")
        elif name == "custom_state":
            ret = Return.objects.get(reference=ref)
            label = next(label for label, status, _c in CUSTOM_STATES if status == ret.status)
            return_edit(
                reference=ref,
                actor=self._user("admin"),
                changes={"custom_state": label},
                source="web",
            )
        elif name == "hold":
            return_apply_action(
                reference=ref,
                action="hold",
                actor=self._user("admin"),
                inputs={"reason": rng.choice(HOLD_REASONS)},
                source="web",
            )
        elif name == "receive":
            self._receive(plan)
        elif name == "photo":
            line = plan.lines[0][0]
            return_add_photo(
                reference=ref,
                actor=self._user("admin"),
                sku=line.sku,
                source="web",
                file=ContentFile(_png((180, 120, 90)), name=f"cek-gudang-{ref}.png"),
            )
        elif name == "complete":
            self._complete(plan)
        elif name == "refund_paid":
            refund = Refund.objects.filter(return_order__reference=ref, status="pending").first()
            if refund is None:  # nothing was left to refund
                return
            proof = None
            if refund.method == "bank_transfer":
                proof = ContentFile(
                    _pdf(
                        [
                            "BUKTI TRANSFER",
                            f"{refund.bank_name} {refund.account_number}",
                            f"a.n. {refund.account_holder}",
                            f"Rp {refund.amount:,}".replace(",", "."),
                            f"Retur {ref}",
                        ]
                    ),
                    name=f"bukti-transfer-{ref}.pdf",
                )
            refund_mark_paid(
                refund_id=refund.pk,
                actor=self._user("keuangan"),
                paid_on=day,
                proof=proof,
                reference=f"TRF{rng.randint(10**9, 10**10 - 1)}",
                source="web",
            )
        elif name == "reject":
            actor = self._user("admin") if rng.random() < 0.5 else self._agent(plan)
            return_apply_action(
                reference=ref,
                action="reject",
                actor=actor,
                inputs={"message": rng.choice(RETURN_REJECT_MESSAGES)},
                source="web",
            )
        elif name == "cancel":
            return_apply_action(
                reference=ref,
                action="cancel",
                actor=self._agent(plan),
                inputs={"reason": rng.choice(RETURN_CANCEL_REASONS)},
                source="web",
            )
        elif name == "recreate":
            new = return_recreate(reference=ref, actor=self._agent(plan), source="web")
            plan.recreated = new.reference
        else:  # pragma: no cover - a typo in the schedule
            raise ValueError(name)

    def _create(self, plan: ReturnPlan, name: str, day: dt.date) -> None:
        rng = self.rng
        first = plan.lines[0][0]
        code, words = rng.choice(RETURN_WHY.get(first.sku.split("-")[0], [("changed_mind", "")]))
        customer = name == "request"
        data = ReturnInput(
            order=plan.order.reference,
            reason=code,
            reason_text=words,
            resolution=plan.resolution,
            lines=[ReturnLineInput(line=line.pk, qty=qty) for line, qty in plan.lines],
        )
        value = sum(line.unit_price * qty for line, qty in plan.lines)
        if (
            "fee" in plan.extras
            and plan.resolution in ("refund", "store_credit")
            and value > 3 * RETURN_FEE[1]
        ):
            data.extra_lines = [ExtraLineInput(*RETURN_FEE)]
        if plan.resolution == "exchange_other":
            data.exchange_items = [ExchangeItemInput(sku=self._other_sku(plan), qty=1)]
        if not customer:
            r = rng.random()
            if r < 0.35:
                data.responsible_user = plan.agent
            elif r < 0.55:
                data.responsible_group = "warehouse"
            elif r < 0.65:
                data.responsible_user = "gudang"
            if "target" in plan.extras:
                data.target_date = day + dt.timedelta(days=rng.randint(3, 7))
            ret = return_create(data=data, actor=self._agent(plan), source="web")
        else:
            photos = []
            if "photos" in plan.extras:
                colours = [(200, 60, 60), (60, 120, 200), (90, 160, 90)]
                photos = [
                    (first.sku, ContentFile(_png(rng.choice(colours)), name=f"foto-{i + 1}.png"))
                    for i in range(rng.randint(1, 2))
                ]
            ret = return_request(
                order_id=plan.order.pk, data=data, photos=photos, source="customer"
            )
        plan.reference = ret.reference

    def _other_sku(self, plan: ReturnPlan) -> str:
        """exchange_other: another size or colour of the product, else another product of the
        order's warehouse."""
        first = plan.lines[0][0].sku
        warehouse = plan.order.warehouse.code if plan.order.warehouse_id else "jkt"
        stocked = self.b.stocked[warehouse]
        for skus in self.b.product_skus.values():
            if first in skus:
                siblings = [s for s in skus if s != first and s in stocked]
                if siblings:
                    return self.rng.choice(siblings)
        return self.rng.choice(sorted(s for s in stocked if s != first))

    def _receive(self, plan: ReturnPlan) -> None:
        rng = self.rng
        ret = Return.objects.select_related("reason").get(reference=plan.reference)
        lines = []
        for line in ret.lines.all():
            if ret.reason.code == "damaged":
                condition = rng.choice(["damaged", "defective"])
            else:
                condition = "resellable" if rng.random() < 0.8 else "opened"
            lines.append({"line": line.pk, "qty": line.qty, "condition": condition})
        inputs = {"lines": lines, "message": rng.choice(RECEIVE_MESSAGES)}
        return_apply_action(
            reference=plan.reference,
            action="receive",
            actor=self._user("gudang"),
            inputs=inputs,
            source="web",
        )

    def _complete(self, plan: ReturnPlan) -> None:
        rng = self.rng
        ret = Return.objects.get(reference=plan.reference)
        lines, accepted = [], 0
        for line in ret.lines.all():
            qty = line.qty_received or 0
            if "partial" in plan.extras and qty > 1 and not lines:
                lines.append({"line": line.pk, "decision": "accept", "qty": qty - 1})
                qty -= 1
            else:
                lines.append({"line": line.pk, "decision": "accept"})
            accepted += qty * line.unit_price
        inputs = {
            "lines": lines,
            "message": COMPLETE_MESSAGES[plan.resolution] if rng.random() < 0.8 else "",
        }
        if plan.resolution in ("refund", "store_credit"):
            credit = max(accepted - sum(e.amount for e in ret.extra_lines.all()), 0)
            if credit > plan.order_paid:
                inputs["refund_amount"] = plan.order_paid
        if plan.resolution == "refund":
            method = (
                "bank_transfer"
                if "bank" in plan.extras or plan.order_method != "payment_gateway"
                else "original"
            )
            inputs["refund_method"] = method
            if method == "bank_transfer":
                inputs.update(
                    bank_name=rng.choice(BANKS),
                    account_number=str(rng.randint(10**9, 10**10 - 1)),
                    account_holder=plan.order.recipient_name,
                )
        return_apply_action(
            reference=plan.reference,
            action="complete",
            actor=self._user("keuangan"),
            inputs=inputs,
            source="web",
        )

    # --- spreading the dates ---------------------------------------------------------------

    @staticmethod
    def _moved_models() -> list:
        return [
            Return,
            ReturnEvent,
            ReturnMessage,
            ReturnPhoto,
            Refund,
            StoreCreditEntry,
            Notification,
            Order,
            OrderEvent,
        ]

    def _backdate(self, reals: list, sims: list, first_ids: dict) -> None:
        """Each row written by the steps gets the date of the step that wrote it (minus the
        milliseconds it was written before the step's end, so rows keep their order)."""
        if not reals:
            return

        def move(value):
            if value is None:
                return None
            i = min(bisect.bisect_left(reals, value), len(reals) - 1)
            return sims[i] - (reals[i] - value)

        for model in self._moved_models():
            names = [f.name for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
            extra = ["method", "paid_on"] if model is Refund else []
            rows = list(model.objects.filter(pk__gt=first_ids[model]).only(*names, *extra))
            for row in rows:
                for name in names:
                    setattr(row, name, move(getattr(row, name)))
            if model is Refund:
                for row in rows:  # store credit is paid on the day it is written
                    if row.method == "store_credit" and row.paid_recorded_at is not None:
                        row.paid_on = timezone.localtime(row.paid_recorded_at).date()
                names.append("paid_on")
            _update_rows(rows, names)
