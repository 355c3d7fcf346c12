"""The rules of SPEC 3 at the service level: which orders take a return (status, window,
override, settings), the quantity invariant across returns, reasons, responsible owner,
custom states, what may be edited when — and that a refused write leaves nothing."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from tokodesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.models import ReturnReason
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.services import (
    ReturnInput,
    ReturnLineInput,
    custom_state_save,
    return_apply_action,
    return_create,
    return_edit,
    return_recreate,
    return_request,
)
from tokodesk.returns.tests.factories import act, paid_order, return_data, return_in


def _settings(**values):
    ReturnSettings.get()
    ReturnSettings.objects.filter(pk=1).update(**values)


def _refused(snapshot, exc_type, code, call):
    before = snapshot()
    with pytest.raises(exc_type) as exc:
        call()
    assert exc.value.code == code, exc.value.as_dict()
    assert snapshot() == before
    return exc.value


# --- which orders take a return ------------------------------------------------------------


@pytest.mark.parametrize("status", ["new", "confirmed", "paid", "in_transit", "cancelled", "returned",
                                    "delivery_problem"])
def test_only_delivered_or_completed_orders(shop, owner, snapshot, status):
    order = order_in(status, owner)
    _refused(snapshot, Conflict, "order_not_returnable",
             lambda: return_create(data=return_data(order), actor=owner))


@pytest.mark.parametrize("status", ["delivered", "completed"])
def test_delivered_and_completed_orders_take_returns(shop, owner, status):
    ret = return_create(data=return_data(paid_order(owner, status=status)), actor=owner)
    assert (ret.status, ret.origin, ret.version) == ("draft", "seller", 1)
    assert ret.reference == "RMA-00001"
    event = ret.events.get()
    assert (event.kind, event.action, event.to_status, event.actor) == ("created", "create", "draft", owner)


def test_reference_follows_the_pattern_setting(shop, owner):
    _settings(return_reference_pattern="RET-{year}-{seq:03d}")
    ret = return_create(data=return_data(paid_order(owner)), actor=owner)
    assert ret.reference == f"RET-{timezone.localtime().year}-001"


def test_the_order_is_found_by_invoice_number(shop, owner):
    order = paid_order(owner)
    Order.objects.filter(pk=order.pk).update(invoice_number="INV/2026/0042")
    data = return_data(order)
    data.order = "INV/2026/0042"
    assert return_create(data=data, actor=owner).order_id == order.pk


def test_window_closes_for_agents_but_the_override_permission_passes(shop, users, snapshot):
    agent, owner = users["agent"], users["owner"]
    order = paid_order(owner, status="delivered", agent="agent")
    days = ReturnSettings.get().return_window_days
    with time_machine.travel(timezone.now() + dt.timedelta(days=days - 1), tick=False):
        inside = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=agent)
        assert "window_overridden" not in inside.events.get().data
    with time_machine.travel(timezone.now() + dt.timedelta(days=days, hours=1), tick=False):
        err = _refused(snapshot, Conflict, "return_window_closed",
                       lambda: return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=agent))
        assert str(days) in str(err.message)
        # The customer's link never overrides.
        _refused(snapshot, Conflict, "return_window_closed",
                 lambda: return_request(order_id=order.pk, data=return_data(order, lines=[("KAOS-M", 1)])))
        assert owner.has_perm("returns.override_return_window")
        late = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
        assert late.events.get().data["window_overridden"] is True


def test_window_setting(shop, users):
    order = paid_order(users["owner"], status="delivered", agent="agent")
    _settings(return_window_days=30)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20), tick=False):
        assert return_create(data=return_data(order), actor=users["agent"]).status == "draft"


def test_returns_can_be_turned_off(shop, owner, snapshot):
    order = paid_order(owner)
    _settings(returns_enabled=False)
    _refused(snapshot, Conflict, "returns_disabled", lambda: return_create(data=return_data(order), actor=owner))
    _refused(snapshot, Conflict, "returns_disabled", lambda: return_request(order_id=order.pk,
                                                                            data=return_data(order)))


def test_customer_request(shop, owner):
    order = paid_order(owner)
    ret = return_request(order_id=order.pk, data=return_data(order, lines=[("MADU-500", 1)]))
    assert (ret.status, ret.origin, ret.created_by) == ("requested", "customer", None)
    event = ret.events.get()
    assert (event.action, event.source, event.actor) == ("request", "customer", None)


def test_who_may_create(shop, users, snapshot):
    order = paid_order(users["owner"])
    for role in ("warehouse", "finance", "viewer"):
        _refused(snapshot, PermissionDenied, "permission_denied",
                 lambda role=role: return_create(data=return_data(order), actor=users[role]))


# --- the quantity invariant ----------------------------------------------------------------------


def test_partial_returns_never_exceed_the_quantity_delivered(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    first = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    return_create(data=return_data(order, lines=[("KAOS-M", 1), ("MADU-500", 1)]), actor=owner)
    err = _refused(snapshot, Conflict, "qty_exceeds_returnable",
                   lambda: return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner))
    assert "lines.0.qty" in err.fields
    # A cancelled or rejected return gives its quantity back.
    act(first, "cancel", owner)
    third = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    act(third, "reject", owner)
    assert return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner).status == "draft"


def test_one_line_over_refuses_the_whole_return(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    err = _refused(snapshot, Conflict, "qty_exceeds_returnable",
                   lambda: return_create(data=return_data(order, lines=[("KAOS-M", 1), ("MADU-500", 2)]),
                                         actor=owner))
    assert set(err.fields) == {"lines.1.qty"}


def test_completed_returns_keep_counting(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2),))
    return_in("completed", owner, order=order, lines=[("KAOS-M", 2)])
    _refused(snapshot, Conflict, "qty_exceeds_returnable",
             lambda: return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner))


def test_recreate_copies_and_rechecks(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2),))
    old = return_create(data=return_data(order, lines=[("KAOS-M", 2)], resolution="store_credit",
                                         reason="Barang rusak atau cacat", reason_text="jahitan lepas"), actor=owner)
    _refused(snapshot, Conflict, "not_allowed_in_status", lambda: return_recreate(reference=old.reference, actor=owner))
    act(old, "reject", owner)
    new = return_recreate(reference=old.reference, actor=owner)
    assert (new.status, new.resolution, new.reason.code, new.reason_text) == (
        "draft", "store_credit", "damaged", "jahitan lepas")
    assert [(li.sku, li.qty) for li in new.lines.all()] == [("KAOS-M", 2)]
    assert new.recreated_from == old
    assert old.events.order_by("-id").first().data == {"new_return": new.reference}
    # The new draft holds the items: recreating again would exceed what was delivered.
    _refused(snapshot, Conflict, "qty_exceeds_returnable", lambda: return_recreate(reference=old.reference,
                                                                                   actor=owner))


def test_editing_lines_keeps_the_invariant(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    ret = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    _refused(snapshot, Conflict, "qty_exceeds_returnable",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"lines": [{"sku": "KAOS-M", "qty": 2}]}))
    ret = return_edit(reference=ret.reference, actor=owner,
                      changes={"lines": [{"sku": "MADU-500", "qty": 1, "serial_numbers": ["SN-1"]}]})
    assert [(li.sku, li.qty, li.serial_numbers) for li in ret.lines.all()] == [("MADU-500", 1, ["SN-1"])]
    assert ret.version == 2 and ret.events.order_by("-id").first().kind == "edited"


def test_lines_change_until_receipt(shop, owner, snapshot):
    """Issue 17 (InvenTree): an approved or held return is edited without going back to
    draft; once the goods are received its lines and reason are locked."""
    ret = return_in("awaiting_item", owner, lines=[("KAOS-M", 1)])
    assert return_edit(reference=ret.reference, actor=owner,
                       changes={"lines": [{"sku": "KAOS-M", "qty": 2}]}).lines.get().qty == 2
    ret = act(return_in("awaiting_item", owner, lines=[("MADU-500", 1)]), "receive", owner)
    _refused(snapshot, Conflict, "already_received",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"lines": [{"sku": "MADU-500",
                                                                                         "qty": 1}]}))


# --- reasons, responsible, custom states, edits -------------------------------------------------


def test_reasons(shop, owner, snapshot):
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1), ("KAOS-L", 1)))
    listed = return_create(data=return_data(order, lines=[("KAOS-M", 1)], reason="size_too_small"), actor=owner)
    assert (listed.reason.label, listed.reason_display) == ("Ukuran kekecilan", "Ukuran kekecilan")
    own_words = return_create(data=return_data(order, lines=[("KAOS-M", 1)], reason="Warna beda dengan foto"),
                              actor=owner)
    assert (own_words.reason.code, own_words.reason_display) == ("other", "Warna beda dengan foto")
    _refused(snapshot, ValidationFailed, "invalid_input",
             lambda: return_create(data=return_data(order, lines=[("MADU-500", 1)], reason="other"), actor=owner))
    other = return_create(data=return_data(order, lines=[("MADU-500", 1)], reason="Lainnya",
                                           reason_text="Dobel pesan"), actor=owner)
    assert other.reason_display == "Dobel pesan"
    ReturnReason.objects.filter(code="changed_mind").update(active=False)
    inactive = return_create(data=return_data(order, lines=[("KAOS-L", 1)], reason="changed_mind"), actor=owner)
    assert inactive.reason.code == "other"
    _refused(snapshot, ValidationFailed, "invalid_input",
             lambda: return_create(data=return_data(order, lines=[("KAOS-L", 1)], reason="  "), actor=owner))


def test_require_responsible(shop, owner, snapshot):
    order = paid_order(owner)
    draft = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    _settings(require_responsible=True)
    err = _refused(snapshot, ValidationFailed, "invalid_input",
                   lambda: return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner))
    assert "responsible_user" in err.fields
    # A customer's request has nobody yet; approving it needs someone.
    requested = return_request(order_id=order.pk, data=return_data(order, lines=[("MADU-500", 1)]))
    for ret in (draft, requested):
        _refused(snapshot, Conflict, "responsible_required", lambda ret=ret: act(ret, "approve", owner))
    return_edit(reference=requested.reference, actor=owner, changes={"responsible_group": "warehouse"})
    assert act(requested, "approve", owner).status == "awaiting_item"
    ret = return_create(data=return_data(order, lines=[("KAOS-M", 1)], responsible_user="owner"), actor=owner)
    assert ret.responsible == owner


def test_responsible_is_a_user_or_a_group(shop, owner, snapshot):
    ret = return_in("draft", owner)
    ret = return_edit(reference=ret.reference, actor=owner, changes={"responsible_group": "warehouse"})
    assert ret.responsible == Group.objects.get(name="warehouse")
    ret = return_edit(reference=ret.reference, actor=owner, changes={"responsible_user": "owner"})
    assert (ret.responsible_user, ret.responsible_group) == (owner, None)
    for changes in ({"responsible_user": "owner", "responsible_group": "warehouse"}, {"responsible_user": "ghost"},
                    {"responsible_group": "ghosts"}):
        _refused(snapshot, ValidationFailed, "invalid_input",
                 lambda changes=changes: return_edit(reference=ret.reference, actor=owner, changes=changes))


def test_custom_states_follow_their_base_status(shop, owner, snapshot):
    inspection = custom_state_save(actor=owner, label="Awaiting inspection", status="item_received", color="orange")
    ret = return_in("awaiting_item", owner)
    _refused(snapshot, Conflict, "custom_state_mismatch",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"custom_state": inspection.pk}))
    ret = act(ret, "receive", owner)
    ret = return_edit(reference=ret.reference, actor=owner, changes={"custom_state": "Awaiting inspection"})
    assert ret.custom_state == inspection
    ret = act(ret, "hold", owner)
    ret.refresh_from_db()
    assert ret.custom_state is None
    assert ret.events.order_by("-id").first().data["custom_state_cleared"] == inspection.pk


def test_custom_states_are_the_owner_s(shop, users):
    with pytest.raises(PermissionDenied):
        custom_state_save(actor=users["admin"], label="X", status="draft")


def test_completed_returns_are_edited_only_when_the_settings_allow(shop, owner, snapshot):
    ret = return_in("completed", owner)
    _refused(snapshot, Conflict, "not_editable",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"target_date": dt.date(2030, 1, 1)}))
    _settings(edit_completed_returns=True)
    ret = return_edit(reference=ret.reference, actor=owner, changes={"target_date": dt.date(2030, 1, 1)})
    assert ret.target_date == dt.date(2030, 1, 1)
    _refused(snapshot, Conflict, "not_editable",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"resolution": "store_credit"}))


def test_closed_returns_are_not_edited(shop, owner, snapshot):
    for status in ("rejected", "cancelled"):
        ret = return_in(status, owner)
        _refused(snapshot, Conflict, "return_closed",
                 lambda ret=ret: return_edit(reference=ret.reference, actor=owner,
                                             changes={"target_date": dt.date(2030, 1, 1)}))


def test_edit_records_what_changed(shop, owner):
    ret = return_in("awaiting_item", owner)
    ret = return_edit(reference=ret.reference, actor=owner, changes={
        "resolution": "store_credit", "extra_lines": [{"description": "Ongkir retur", "amount": 15000}],
        "reason": "Barang rusak atau cacat", "target_date": dt.date(2030, 1, 15)})
    changes = ret.events.order_by("-id").first().data["changes"]
    assert changes["resolution"] == ["refund", "store_credit"]
    assert changes["extra_lines"] == [[], [{"kind": "fee", "description": "Ongkir retur", "amount": 15000,
                                             "tax_note": ""}]]
    assert changes["reason"] == ["Ukuran kekecilan", "Barang rusak atau cacat"]
    assert changes["target_date"] == [None, "2030-01-15"]
    # The same values again change nothing: no event, no version.
    version = ret.version
    same = return_edit(reference=ret.reference, actor=owner, changes={"resolution": "store_credit"})
    assert same.version == version


def test_stale_version_is_refused(shop, owner, snapshot):
    from tokodesk.core.errors import StaleVersion

    ret = return_in("draft", owner)
    _refused(snapshot, StaleVersion, "stale_version",
             lambda: return_apply_action(reference=ret.reference, action="approve", actor=owner,
                                         expected_version=ret.version + 1))
    _refused(snapshot, StaleVersion, "stale_version",
             lambda: return_edit(reference=ret.reference, actor=owner, changes={"resolution": "store_credit"},
                                 expected_version=ret.version - 1 or 99))


def test_serial_numbers_are_bounded_by_the_quantity(shop, owner, snapshot):
    order = paid_order(owner)
    data = ReturnInput(order=order.reference, reason="Ukuran kekecilan", resolution="refund",
                       lines=[ReturnLineInput(sku="KAOS-M", qty=1, serial_numbers=["A", "B"])])
    err = _refused(snapshot, ValidationFailed, "invalid_input", lambda: return_create(data=data, actor=owner))
    assert "lines.0.serial_numbers" in err.fields
