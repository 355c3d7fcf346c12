"""Writes to orders. Each function is one atomic change that ends with a timeline event.
The API and the pages call these; nothing else writes orders."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.compiled_sql import CompiledInsert
from tokodesk.core.documents import actor_or_none, locked, require
from tokodesk.core.errors import (
    Conflict,
    DomainError,
    ValidationFailed,
)
from tokodesk.core.models import next_reference, settings_read_once
from tokodesk.core.transitions import apply_transition, apply_transition_many
from tokodesk.customers.phones import normalize_phone
from tokodesk.customers.postcodes import checked_postcode
from tokodesk.customers.services import customer_upsert
from tokodesk.orders import languages
from tokodesk.orders.models import Order, OrderEvent, OrderLine, OrderNote, Tag
from tokodesk.orders.payment_options import payment_change, payment_diff
from tokodesk.orders.prepare import (  # noqa: F401 - the inputs are imported from here by the API, pages and tests
    MAX_ORDER_AMOUNT,
    CustomerInput,
    LineInput,
    OrderInput,
    PreparedOrder,
    _agent,
    _resolve_courier,
    _resolve_lines,
    _resolve_warehouse,
    order_prepare,
)
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import (
    FINAL,
    ORDER_TIMELINE,
    ORDER_TRANSITIONS,
    PRE_SHIPMENT,
    StockState,
)


def _not_found(reference) -> str:
    return _("Order %(reference)s not found.") % {"reference": str(reference)[:60]}


def _locked(reference: str, user, expected_version: int | None) -> Order:
    """The visible order, locked for the change (core.documents.locked)."""
    return locked(
        order_queryset_for(user), lookup={"reference": reference}, expected_version=expected_version,
        not_found=_not_found(reference),
        stale=_("This order was changed by someone else (version %(current)s, you had %(yours)s). "
                "Reload and try again."),
    )


def _recompute_totals(order: Order, lines=None) -> None:
    """Subtotal and total from the order's lines (or the given OrderLine objects)."""
    lines = order.lines.all() if lines is None else lines
    order.subtotal = sum(line.qty * line.unit_price for line in lines)
    from tokodesk.orders.transfer_codes import settle_transfer_code

    settle_transfer_code(order)  # a new bank-transfer order's unique code is part of its total
    order.total = (order.subtotal + order.shipping_cost + order.insurance_cost - order.discount
                   + order.transfer_code)
    if order.subtotal > MAX_ORDER_AMOUNT or order.total > MAX_ORDER_AMOUNT:
        raise ValidationFailed("invalid_input", _("The order total is too large."),
                               fields={"lines": _("The order total is too large.")})
    if order.total < 0:
        raise ValidationFailed("invalid_input", _("The discount is larger than the order."),
                               fields={"discount": _("Larger than the order.")})


def order_create(*, data: OrderInput, actor, source: str = "api", prepared: PreparedOrder | None = None,
                 savepoint: bool = True) -> Order:
    """A new order (status New). Validates everything before writing anything
    (order_prepare; a caller may have prepared it already: `prepared`).

    The order comes back with `written_lines` and `written_tags`: the OrderLine and Tag
    objects as written (lines with their ids), so that an answer can show them unread.
    `savepoint=False`: inside the caller's transaction without a savepoint of its own (two
    statements less), for a caller whose whole transaction fails with any error here."""
    with settings_read_once():  # order_prepare's settings rows serve the writes too (transfer codes)
        p = prepared if prepared is not None else order_prepare(data=data, actor=actor)
        with transaction.atomic(savepoint=savepoint):
            return _order_write(p, actor, source)


# The order's and its lines' INSERTs compiled once per process (core.compiled_sql: ~0.5 ms
# of CPU less per order inside the write transaction, issue 16).
_ORDER_INSERT = CompiledInsert(Order)
_LINES_INSERT = CompiledInsert(OrderLine)


def _order_write(p: PreparedOrder, actor, source: str) -> Order:
    data, district = p.data, p.district
    customer = customer_upsert(name=data.customer.name.strip(), phone=p.phone, email=data.customer.email,
                               address=data.customer.address.strip(), postcode=data.customer.postcode,
                               normalized=True)  # order_prepare's E.164
    order = Order(
        reference=next_reference(p.reference_pattern, "order"),
        channel=data.channel, landing_page=p.landing_page, external_reference=data.external_reference,
        customer=customer, recipient_name=data.customer.name.strip(), recipient_phone=p.phone,
        recipient_email=data.customer.email, destination_address=data.customer.address.strip(),
        destination_city=data.customer.city or (district.label[:100] if district else ""),
        destination_postcode=data.customer.postcode,
        destination_district=district, warehouse=p.warehouse, courier=p.courier,
        courier_service=p.courier_service, payment_method=data.payment_method,
        payment_option=p.payment_option, currency=p.currency, shipping_cost=p.shipping_cost,
        insurance_cost=data.insurance_cost, discount=data.discount, assigned_agent=p.agent,
        created_by=actor_or_none(actor), customer_note=data.note,
    )
    if p.agent is None and p.agent_id is not None:
        order.assigned_agent_id = p.agent_id
    # Kept when known (the language the landing page was read in, the API's); ""
    # follows the shop's language for customers (orders.languages.order_language).
    order.language = languages.valid(data.language)
    order_lines = [
        OrderLine(order=order, variant=v, sku=v.sku, name=v.display_name, qty=qty, unit_price=price,
                  weight_grams=v.weight_grams)
        for v, qty, price in p.lines
    ]
    _recompute_totals(order, order_lines)  # before any write: a too large total writes nothing
    _ORDER_INSERT.insert([order])  # as order.save(force_insert=True)
    for line in order_lines:
        line.order = order  # the order has its id now
    _LINES_INSERT.insert(order_lines)  # as OrderLine.objects.bulk_create
    tags = []
    if data.tags:
        names = dict.fromkeys(name.strip()[:50] for name in data.tags if name.strip())
        tags = [Tag.objects.get_or_create(name=name)[0] for name in names]
        order.tags.set(tags)
    # What was just written, for the API's answer (no need to read it back).
    order.written_lines = order_lines
    order.written_tags = tags
    ORDER_TIMELINE.record(order, OrderEvent.Kind.CREATED, actor, source=source, to_status=order.status,
                          data={"channel": order.channel, "total": order.total})
    if data.store_credit:
        from tokodesk.orders.store_credit import pay_new_order

        pay_new_order(order, data.store_credit, actor=actor, source=source)
    return order


def order_apply_action(*, reference: str, action: str, actor, inputs: dict | None = None,
                       expected_version: int | None = None, source: str = "api",
                       files: dict | None = None) -> Order:
    """Run one action of the order table (confirm, ship, cancel …) on a visible order.
    `files` carries uploads such as the proof of a bank transfer."""
    from tokodesk.orders.store_credit import settle_confirmed

    with transaction.atomic():
        order = apply_transition(
            ORDER_TRANSITIONS, queryset=order_queryset_for(actor), lookup={"reference": reference},
            action=action, actor=actor, inputs=inputs, expected_version=expected_version, source=source,
            files=files, not_found=_not_found(reference),
        )
        # Store credit paid before or at confirmation makes the order paid or partly paid.
        return settle_confirmed(order, actor=actor, source=source) if action == "confirm" else order



BATCH = 500  # orders per transaction of order_apply_action_many


def order_apply_action_many(*, references: list[str], action: str, actor, inputs: dict | None = None,
                            source: str = "web") -> tuple[list[str], list[tuple[str, DomainError]]]:
    """One action on many orders (the orders page's bulk form), BATCH orders per transaction
    with the transition's batch effect: the same checks, effects and timeline events as
    order_apply_action on each, in a constant number of queries per batch. Actions
    without a batch effect run order by order. Returns (changed references, refusals)."""
    references = list(dict.fromkeys(references))
    transition = ORDER_TRANSITIONS.get(action)
    changed: list[str] = []
    refused: list[tuple[str, DomainError]] = []
    if transition.batch_effect is None:
        for reference in references:
            try:
                order_apply_action(reference=reference, action=action, actor=actor, inputs=inputs, source=source)
                changed.append(reference)
            except DomainError as exc:
                refused.append((reference, exc))
        return changed, refused

    for start in range(0, len(references), BATCH):
        done, no = apply_transition_many(
            ORDER_TRANSITIONS, queryset=order_queryset_for(actor), key="reference",
            keys=references[start:start + BATCH], action=action, actor=actor, inputs=inputs, source=source,
            not_found=_not_found,
        )
        changed += [o.reference for o in done]
        refused += no
        if action == "confirm":
            from tokodesk.orders.store_credit import settle_confirmed

            for o in done:
                settle_confirmed(o, actor=actor, source=source)
    order = {ref: i for i, ref in enumerate(references)}
    refused.sort(key=lambda item: order[item[0]])
    return changed, refused


EDITABLE = ("recipient_name", "recipient_phone", "recipient_email", "destination_address", "destination_city",
            "destination_postcode",
            "courier", "courier_service", "shipping_cost", "insurance_cost", "discount", "payment_method",
            "payment_method_code", "warehouse", "customer_note", "lines", "destination")


@transaction.atomic
def order_edit(*, reference: str, actor, changes: dict, expected_version: int | None = None,
               source: str = "api", reason: str = "") -> Order:
    """Ubah Pesanan: change the recipient, shipping, payment method or products while the
    order has not shipped. Once a payment is recorded the total is frozen. `destination` is
    a district id (or None); changing the shipping cost of an order with a district (priced
    from the rate tables) overrides the rates and needs a `reason`, kept on the timeline."""
    require(actor, "orders.change_order")
    order = _locked(reference, actor, expected_version)
    if order.status not in PRE_SHIPMENT:
        raise Conflict("not_editable", _("An order can only be edited before it ships."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("invalid_input", _("These fields cannot be edited."),
                               fields={k: _("Not editable.") for k in sorted(unknown)})
    before = {"total": order.total}
    diff = {}
    errors = {}
    for name in ("shipping_cost", "insurance_cost", "discount"):
        if name in changes and (changes[name] is None or changes[name] < 0):
            errors[name] = _("Cannot be negative.")
    option = payment_change(order, changes, errors)  # another method sets changes["payment_method"]
    for name in ("recipient_name", "destination_address"):
        if name in changes and not (changes[name] or "").strip():
            errors[name] = _("Required.")
    if "recipient_phone" in changes:
        try:
            changes["recipient_phone"] = normalize_phone(changes["recipient_phone"] or "", field="recipient_phone")
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if "destination_postcode" in changes:
        changes["destination_postcode"] = checked_postcode(changes["destination_postcode"], errors=errors,
                                                           field="destination_postcode", current=order.destination_postcode)
    if errors:
        raise ValidationFailed("invalid_input", _("The changes are not valid."), fields=errors)

    if option != order.payment_option or changes.get("payment_method", order.payment_method) != order.payment_method:
        if order.paid_total or order.status not in ("new", "confirmed"):
            raise Conflict("not_editable", _("The payment method can only change on a new or confirmed order without payments."))

    old_lines = list(order.lines.values_list("variant_id", "qty"))
    old_warehouse_id = order.warehouse_id
    for name in ("recipient_name", "recipient_phone", "recipient_email", "destination_address",
                 "destination_city", "destination_postcode", "courier_service", "shipping_cost",
                 "insurance_cost", "discount", "payment_method", "customer_note"):
        if name in changes and getattr(order, name) != changes[name]:
            diff[name] = [getattr(order, name), changes[name]]
            setattr(order, name, changes[name])
    if option != order.payment_option:
        payment_diff(order, option, diff)
    if "destination" in changes and changes["destination"] != order.destination_district_id:
        from tokodesk.shipping.models import District

        district = None
        if changes["destination"] is not None:
            district = District.objects.select_related("city", "province").filter(pk=changes["destination"]).first()
            if district is None:
                raise ValidationFailed("invalid_input", _("Unknown district."), fields={"destination": _("Unknown district.")})
        old = order.destination_district
        diff["destination"] = [old.label if old else None, district.label if district else None]
        order.destination_district = district
    if "shipping_cost" in diff and order.destination_district_id and not reason.strip():
        raise ValidationFailed("invalid_input", _("Say why the shipping cost differs from the rate tables."),
                               fields={"shipping_cost_reason": _("Required when you change the shipping cost.")})
    if "courier" in changes:
        courier = _resolve_courier(changes["courier"])
        if courier != order.courier:
            diff["courier"] = [order.courier.code if order.courier else None, courier.code if courier else None]
            order.courier = courier
    new_lines = None
    if "lines" in changes:
        new_lines = _resolve_lines([LineInput(**line) for line in changes["lines"]], actor)
    if "warehouse" in changes or new_lines is not None:
        variants = [v for v, _q, _p in new_lines] if new_lines is not None else [
            line.variant for line in order.lines.select_related("variant")]
        warehouse = _resolve_warehouse(changes.get("warehouse") or (order.warehouse.code if order.warehouse else None), variants)
        if warehouse.pk != order.warehouse_id:
            diff["warehouse"] = [order.warehouse.code if order.warehouse else None, warehouse.code]
            order.warehouse = warehouse
    if new_lines is not None:
        diff["lines"] = [
            [{"sku": line.sku, "qty": line.qty, "unit_price": line.unit_price} for line in order.lines.all()],
            [{"sku": v.sku, "qty": q, "unit_price": p} for v, q, p in new_lines],
        ]
        order.lines.all().delete()
        OrderLine.objects.bulk_create([
            OrderLine(order=order, variant=v, sku=v.sku, name=v.display_name, qty=q, unit_price=p,
                      weight_grams=v.weight_grams) for v, q, p in new_lines])
    _recompute_totals(order)
    if order.paid_total and order.total != before["total"]:
        raise Conflict("total_frozen", _("A payment is recorded: the total cannot change. Cancel the payment confirmation first."))
    if order.stock_state == StockState.RESERVED and (new_lines is not None or order.warehouse_id != old_warehouse_id):
        from tokodesk.catalog.services.stock import stock_release, stock_reserve

        stock_release(warehouse_id=old_warehouse_id, lines=old_lines, doc=order, actor=actor, reason="order edited")
        stock_reserve(warehouse_id=order.warehouse_id, lines=list(order.lines.values_list("variant_id", "qty")),
                      doc=order, actor=actor)
    if not diff:
        return order
    if order.total != before["total"]:
        diff["total"] = [before["total"], order.total]
    order.version += 1
    order.save()
    data = {"changes": diff} | ({"reason": reason.strip()[:500]} if reason.strip() else {})
    ORDER_TIMELINE.record(order, OrderEvent.Kind.EDITED, actor, source=source, data=data)
    return order


@transaction.atomic
def order_assign_agent(*, reference: str, actor, agent: str | None, expected_version: int | None = None,
                       source: str = "api") -> Order:
    """Ganti Agen: hand the order to another agent (any non-final status)."""
    require(actor, "orders.assign_order")
    order = _locked(reference, actor, expected_version)
    if order.status in FINAL:
        raise Conflict("order_closed", _("This order is closed."))
    new_agent = _agent(agent)
    if new_agent == order.assigned_agent:
        return order
    old = order.assigned_agent.username if order.assigned_agent else None
    order.assigned_agent = new_agent
    order.version += 1
    order.save(update_fields=["assigned_agent", "version", "updated_at"])
    ORDER_TIMELINE.record(order, OrderEvent.Kind.AGENT_CHANGED, actor, source=source,
                          data={"from": old, "to": new_agent.username if new_agent else None})
    return order


@transaction.atomic
def order_tag(*, reference: str, actor, add: list[str] = (), remove: list[str] = (),
              source: str = "api") -> Order:
    """Add or remove tags (any non-final status); one timeline event per tag changed."""
    require(actor, "orders.change_order")
    order = _locked(reference, actor, None)
    if order.status in FINAL:
        raise Conflict("order_closed", _("This order is closed."))
    current = {t.name: t for t in order.tags.all()}
    changed = False
    for name in dict.fromkeys(n.strip()[:50] for n in add if n.strip()):
        if name not in current:
            tag, _c = Tag.objects.get_or_create(name=name)
            order.tags.add(tag)
            ORDER_TIMELINE.record(order, OrderEvent.Kind.TAG_ADDED, actor, source=source, data={"tag": name})
            changed = True
    for name in dict.fromkeys(n.strip() for n in remove):
        if name in current:
            order.tags.remove(current[name])
            ORDER_TIMELINE.record(order, OrderEvent.Kind.TAG_REMOVED, actor, source=source, data={"tag": name})
            changed = True
    if changed:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
    return order


@transaction.atomic
def order_add_note(*, reference: str, actor, body: str, source: str = "api") -> OrderNote:
    """An internal note, seen only by the shop's users."""
    require(actor, "orders.add_ordernote")
    order = _locked(reference, actor, None)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("invalid_input", _("The note is empty."), fields={"body": _("Required.")})
    note = OrderNote.objects.create(order=order, author=actor_or_none(actor), body=body)
    ORDER_TIMELINE.record(order, OrderEvent.Kind.NOTE_ADDED, actor, source=source,
                          data={"note_id": note.pk, "body": body[:200]})
    return note
