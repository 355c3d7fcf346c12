"""Each demo order's path through the order services, then its dates spread back."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from django.utils import timezone

from tokodesk.customers.models import Customer
from tokodesk.ops.demo.courier import COURIER_CODE
from tokodesk.ops.demo.paths import (
    COURIER_EVENTS,
    DELAYS,
    FINANCE_ACTIONS,
    GATEWAY_ACTIONS,
    IDLE,
    PROCESS_ACTIONS,
    Plan,
    Step,
)
from tokodesk.ops.demo.people import (
    AGENT_NOTES,
    BANK_ACCOUNTS,
    CANCEL_REASONS,
    CUSTOMER_CANCEL_REASONS,
    FINANCE_NOTES,
    LOST_REASONS,
    PROBLEM_REASONS,
    REJECT_REASONS,
    WAREHOUSE_NOTES,
)
from tokodesk.ops.demo.rows import _update_rows
from tokodesk.ops.demo.shop import AGENTS, COURIERS, LANDING_PAGES
from tokodesk.orders.models import Order, OrderEvent, OrderNote, Payment
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.services import (
    CustomerInput,
    LineInput,
    OrderInput,
    order_add_note,
    order_apply_action,
    order_assign_agent,
    order_create,
    order_tag,
)


class _Running:
    """Part of _Builder (builder.py)."""

    # --- the path of each order ---------------------------------------------------------

    def _steps(self, plan: Plan) -> list[Step]:
        rng, target, method = self.rng, plan.target, plan.method
        steps: list[Step] = []

        def act(action, actor=None, source=None, variant=""):
            if actor is None:
                actor, source = self._actor_for(action)
            steps.append(Step("action", action, actor, source or "web", variant))

        def maybe_note(who, bodies, chance):
            if rng.random() < chance:
                steps.append(Step("note", rng.choice(bodies), who))

        def confirm():
            if rng.random() < 0.03:
                act("confirm")
                act("unconfirm")  # the agent pressed too early
            act("confirm")
            maybe_note("@agent", AGENT_NOTES, 0.08)

        def pay(until=None):
            """From confirmed to a status mark_ready accepts (or to `until` on the way)."""
            if method == "bank_transfer":
                r = rng.random()
                if r < 0.1:
                    act("confirm_payment", variant="partial")
                    act("confirm_payment")
                elif r < 0.15:
                    act("confirm_payment")
                    act("unconfirm_payment")  # wrong transfer matched, done again
                    act("confirm_payment")
                else:
                    act("confirm_payment")
                maybe_note("keuangan", FINANCE_NOTES, 0.1)
            elif method == "payment_gateway":
                act("request_payment")
                if until == "awaiting_payment":
                    if rng.random() < 0.3:
                        act("payment_pending")
                        act("payment_failed")
                    return
                if rng.random() < 0.6 or until == "payment_processing":
                    act("payment_pending")
                    if rng.random() < 0.15:
                        act("payment_failed")
                        act("payment_pending")
                if until == "payment_processing":
                    return
                act("payment_succeeded")
            elif method == "invoice":
                act("create_invoice")
                if until == "invoice_pending":
                    return
                act("issue_invoice")
                if until == "invoice_issued":
                    return
                act("record_invoice_payment")

        def cancellation_detour():
            r = rng.random()
            if r < 0.05:
                act("request_cancellation")
                act("reject_cancellation")
            elif r < 0.07:
                act("request_cancellation")
                act("reopen")  # the buyer changed their mind again

        def ship():
            act("mark_ready")
            maybe_note("gudang", WAREHOUSE_NOTES, 0.05)
            act("ship")
            if rng.random() < 0.04:
                act("cancel_shipment")  # wrong label printed
                act("ship")

        if rng.random() < 0.03 and target not in ("new",):
            steps.append(Step("assign", rng.choice(AGENTS), "admin"))

        if target == "new":
            r = rng.random()
            if r < 0.04:
                act("confirm")
                act("unconfirm")
            elif r < 0.07:
                act("cancel")
                act("reopen")
            if rng.random() < 0.2:
                steps.append(Step("tag", "Follow up", "@agent"))
            return steps
        if target == "cancellation_requested":
            if rng.random() < 0.6:
                confirm()
                if method == "bank_transfer" and rng.random() < 0.3:
                    pay()
            act("request_cancellation")
            return steps
        if target == "cancelled":
            r = rng.random()
            if r < 0.45:
                act("cancel")
            elif r < 0.7:
                confirm()
                if rng.random() < 0.2:
                    steps.append(Step("tag", "Follow up", "@agent"))
                act("cancel")
            elif r < 0.92:
                if rng.random() < 0.5:
                    confirm()
                act("request_cancellation")
                act("approve_cancellation")
            else:
                act("cancel")
                act("reopen")
                act("cancel")
            return steps

        confirm()
        if target == "confirmed":
            if rng.random() < 0.25:
                steps.append(Step("tag", "Follow up", "@agent"))
            return steps
        if target in ("paid", "partially_paid"):
            if target == "partially_paid":
                act("confirm_payment", variant="partial")
            else:
                pay()
            return steps
        if target in (
            "awaiting_payment",
            "payment_processing",
            "payment_completed",
            "invoice_pending",
            "invoice_issued",
            "invoice_paid",
        ):
            pay(until=target)
            return steps

        cancellation_detour()
        pay()
        if target == "ready_to_ship":
            act("mark_ready")
            return steps
        ship()
        if target == "awaiting_pickup":
            return steps
        act("picked_up")
        if target == "in_transit":
            return steps
        if target == "delivery_problem":
            act("report_problem")
            if rng.random() < 0.5:
                steps.append(Step("tag", "Komplain", "@agent"))
            return steps
        if target == "lost_or_damaged":
            if rng.random() < 0.5:
                act("report_problem")
            steps.append(Step("tag", "Komplain", "@agent"))
            act("mark_lost")
            return steps
        if target in ("returning", "returned"):
            if rng.random() < 0.7:
                act("report_problem")
            act("return_to_sender")
            if target == "returned":
                act("returned_to_sender")
            return steps
        if rng.random() < 0.06:
            act("report_problem")
            act("resume_delivery")
        act("delivered")
        if target == "completed":
            act("complete")
        return steps

    def _actor_for(self, action: str) -> tuple[str | None, str]:
        rng = self.rng
        if action == "request_cancellation":
            return (None, "customer") if rng.random() < 0.8 else ("@agent", "web")
        if action == "approve_cancellation" and rng.random() < 0.25:
            return None, "system"  # the cancellation window ran out
        if action in PROCESS_ACTIONS:
            return ("admin", "web") if rng.random() < 0.1 else ("@agent", "web")
        if action in FINANCE_ACTIONS:
            return ("owner", "web") if rng.random() < 0.1 else ("keuangan", "web")
        if action in GATEWAY_ACTIONS:
            return None, "system"
        if action in COURIER_EVENTS:
            return (None, "system") if rng.random() < 0.6 else ("gudang", "web")
        return "gudang", "web"

    def _times(self, plan: Plan) -> list[dt.datetime]:
        rng = self.rng
        gaps = []
        window = OrderSettings.get().cancellation_window_hours * 60
        for step in plan.steps:
            key = step.name if step.kind == "action" else step.kind
            if step.name == "approve_cancellation" and step.actor is None:
                gaps.append(window + rng.randint(1, 10))
            else:
                gaps.append(rng.randint(*DELAYS[key]))
        busy = sum(gaps)
        horizon = self.days * 1440
        if plan.target in IDLE:
            idle = rng.randint(*IDLE[plan.target])
        else:
            idle = rng.randint(60, max(61, horizon - busy))
        start = self.now - dt.timedelta(minutes=busy + idle, seconds=rng.randint(0, 59))
        times = [start]
        for gap in gaps:
            times.append(times[-1] + dt.timedelta(minutes=gap, seconds=rng.randint(0, 59)))
        return times

    # --- running the plans through the services --------------------------------------------

    def _agent_for(self, plan: Plan) -> str:
        if plan.landing_page:
            page = self.pages[plan.landing_page]
            agents = LANDING_PAGES[[p[1] for p in LANDING_PAGES].index(plan.landing_page)][4]
            page.last_agent_index = (page.last_agent_index + 1) % len(agents)
            return agents[page.last_agent_index]
        self.round_robin["manual"] += 1
        return AGENTS[self.round_robin["manual"] % len(AGENTS)]

    def _execute(self, plan: Plan) -> Order:
        agent = self._agent_for(plan)
        user = self.users.get
        creator = agent if plan.creator == "@agent" else plan.creator
        c = plan.customer
        order = order_create(
            data=OrderInput(
                customer=CustomerInput(
                    name=c["name"],
                    phone=c["phone"],
                    address=c["address"],
                    email=c["email"],
                    city=c["city"],
                ),
                lines=[
                    LineInput(sku=sku, qty=qty, unit_price=price) for sku, qty, price in plan.lines
                ],
                payment_method=plan.method,
                warehouse=plan.warehouse,
                courier=plan.courier,
                courier_service=plan.service,
                shipping_cost=plan.shipping_cost,
                insurance_cost=plan.insurance,
                discount=plan.discount,
                channel=plan.channel,
                landing_page=plan.landing_page,
                agent=agent,
                tags=plan.tags,
                note=plan.note,
            ),
            actor=user(creator) if creator else None,
            source=plan.source,
        )
        reference = order.reference
        for step, when in zip(plan.steps, plan.times[1:], strict=True):
            actor = user(agent if step.actor == "@agent" else step.actor) if step.actor else None
            if step.kind == "action" and step.name in COURIER_CODE:
                # The courier tells it: stored and applied as the worker does (courier.py).
                note = self._inputs(step, order, plan, when).get("reason", "")
                order = self._courier_event(order, step.name, when, note)
            elif step.kind == "action":
                order = order_apply_action(
                    reference=reference,
                    action=step.name,
                    actor=actor,
                    inputs=self._inputs(step, order, plan, when),
                    source=step.source,
                )
                self.actions_used.add(step.name)
            elif step.kind == "tag":
                order_tag(reference=reference, actor=actor, add=[step.name], source="web")
            elif step.kind == "note":
                order_add_note(reference=reference, actor=actor, body=step.name, source="web")
            elif step.kind == "assign":
                new_agent = (
                    step.name
                    if step.name != agent
                    else AGENTS[(AGENTS.index(agent) + 1) % len(AGENTS)]
                )
                order_assign_agent(reference=reference, actor=actor, agent=new_agent, source="web")
                agent = new_agent
        assert order.status == plan.target, (reference, plan.target, order.status)
        return order

    def _inputs(self, step: Step, order: Order, plan: Plan, when: dt.datetime) -> dict:
        rng, action = self.rng, step.name
        day = timezone.localtime(when).date()
        if action == "confirm_payment":
            amount = order.total - order.paid_total
            if step.variant == "partial":
                amount = max(1000, order.total // 2 // 1000 * 1000)
            return {
                "amount": amount,
                "paid_on": day.isoformat(),
                "account": rng.choice(BANK_ACCOUNTS),
                "reference": f"TRF{rng.randint(10**9, 10**10 - 1)}",
            }
        if action == "request_payment":
            return {"payment_link": f"https://pay.tokoberkah.example/i/{rng.getrandbits(48):012x}"}
        if action in ("payment_pending", "payment_succeeded"):
            return {"reference": f"PG-{rng.getrandbits(40):010X}"}
        if action == "payment_failed":
            return {"reason": rng.choice(["Kartu ditolak", "Virtual account kedaluwarsa"])}
        if action == "issue_invoice":
            self.invoice_seq += 1
            due = day + dt.timedelta(days=rng.choice([14, 30]))
            return {"number": f"INV/{day:%Y%m}/{self.invoice_seq:04d}", "due_date": due.isoformat()}
        if action == "record_invoice_payment":
            return {"paid_on": day.isoformat(), "reference": f"TRF{rng.randint(10**9, 10**10 - 1)}"}
        if action == "ship":
            courier = plan.courier if rng.random() < 0.9 else rng.choice([c[0] for c in COURIERS])
            return {"courier": courier, "awb": self._awb(courier, plan.warehouse)}
        if action in ("cancel",):
            return {"reason": rng.choice(CANCEL_REASONS)}
        if action == "request_cancellation":
            return {"reason": rng.choice(CUSTOMER_CANCEL_REASONS)}
        if action == "reject_cancellation":
            return {"reason": rng.choice(REJECT_REASONS)}
        if action == "report_problem":
            return {"reason": rng.choice(PROBLEM_REASONS)}
        if action == "mark_lost":
            return {"reason": rng.choice(LOST_REASONS)}
        return {}

    def _awb(self, courier: str, warehouse: str) -> str:
        r = self.rng.randint
        return {
            "jne": f"{'CGK' if warehouse == 'jkt' else 'SUB'}{r(10**12, 10**13 - 1)}",
            "jnt": f"JP{r(10**9, 10**10 - 1)}",
            "sicepat": f"00{r(10**9, 10**10 - 1)}",
            "anteraja": f"1000{r(10**10, 10**11 - 1)}",
            "pos": f"P{r(10**11, 10**12 - 1)}",
        }[courier]

    # --- spreading the dates ---------------------------------------------------------------

    def _backdate(self, made: list[tuple[Plan, Order]]) -> None:
        """Move every timestamp of the demo orders from "the few seconds of the load" to the
        plan's times. A timestamp set by an action's effect (confirmed_at, ...) moves with
        the timeline event written right after it, so the story stays consistent."""
        settings_row = OrderSettings.get()
        ship_window = dt.timedelta(hours=settings_row.shipping_deadline_hours)
        cancel_window = dt.timedelta(hours=settings_row.cancellation_window_hours)
        plan_of = {order.pk: plan for plan, order in made}
        ids = list(plan_of)
        real: dict[int, list] = defaultdict(list)
        event_ids: dict[int, list] = defaultdict(list)
        for pk, order_id, created in (
            OrderEvent.objects.filter(order_id__in=ids)
            .order_by("order_id", "id")
            .values_list("pk", "order_id", "created_at")
        ):
            real[order_id].append(created)
            event_ids[order_id].append(pk)

        def mapper(order_id):
            reals, sims = real[order_id], plan_of[order_id].times
            assert len(reals) == len(sims), (order_id, len(reals), len(sims))

            def move(value):
                if value is None:
                    return None
                i = min(bisect.bisect_left(reals, value), len(reals) - 1)
                return sims[i] - (reals[i] - value)

            return move

        moves = {pk: mapper(pk) for pk in ids}
        events = [
            OrderEvent(pk=pk, created_at=plan_of[oid].times[i])
            for oid in ids
            for i, pk in enumerate(event_ids[oid])
        ]
        _update_rows(events, ["created_at"])

        fields = [
            "created_at",
            "updated_at",
            "confirmed_at",
            "shipped_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
        ]
        orders = list(
            Order.objects.filter(pk__in=ids).only(*fields, "ship_by", "cancellation_deadline")
        )
        for order in orders:
            move = moves[order.pk]
            for name in fields:
                setattr(order, name, move(getattr(order, name)))
            if order.ship_by:  # the clock started at confirmation (COD) or at full payment
                order.ship_by = move(order.ship_by - ship_window) + ship_window
            if order.cancellation_deadline:
                order.cancellation_deadline = (
                    move(order.cancellation_deadline - cancel_window) + cancel_window
                )
        _update_rows(orders, [*fields, "ship_by", "cancellation_deadline"])

        payments = list(Payment.objects.filter(order_id__in=ids))
        for p in payments:
            move = moves[p.order_id]
            p.recorded_at = move(p.recorded_at)
            p.voided_at = move(p.voided_at)
            if p.kind in (Payment.Kind.COD, Payment.Kind.GATEWAY):
                p.paid_on = timezone.localtime(p.recorded_at).date()
        _update_rows(payments, ["recorded_at", "voided_at", "paid_on"])

        notes = list(OrderNote.objects.filter(order_id__in=ids))
        for note in notes:
            note.created_at = moves[note.order_id](note.created_at)
        _update_rows(notes, ["created_at"])

        by_customer = defaultdict(list)
        for customer_id, created in Order.objects.filter(pk__in=ids).values_list(
            "customer_id", "created_at"
        ):
            by_customer[customer_id].append(created)
        customers = list(Customer.objects.filter(pk__in=by_customer))
        for customer in customers:
            customer.created_at = min(by_customer[customer.pk])
            customer.updated_at = max(by_customer[customer.pk])
        _update_rows(customers, ["created_at", "updated_at"])
