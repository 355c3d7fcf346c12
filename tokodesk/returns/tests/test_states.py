"""Every return action from every status: allowed where the table says (reaching its
target, one timeline event, version bumped), refused everywhere else (nothing changes)."""

import pytest

from tokodesk.catalog.models import Stock
from tokodesk.core.errors import Conflict
from tokodesk.returns.models import Refund, ReturnEvent
from tokodesk.returns.services import return_apply_action
from tokodesk.returns.states import RETURN_TRANSITIONS, Status
from tokodesk.returns.tests.factories import RETURN_PATHS, act, return_in, valid_inputs

ALLOWED = [(t.action, s) for t in RETURN_TRANSITIONS for s in t.sources]
REFUSED = [(t.action, s) for t in RETURN_TRANSITIONS for s in Status.values if s not in t.sources]


def test_every_status_is_reachable():
    assert set(RETURN_PATHS) == set(Status.values)


def test_entry_actions_have_no_source():
    assert {t.action for t in RETURN_TRANSITIONS if not t.sources} == {"request", "create"}
    assert RETURN_TRANSITIONS.get("request").target == "requested"
    assert RETURN_TRANSITIONS.get("create").target == "draft"


def _snapshot(ret):
    ret.refresh_from_db()
    stock = list(Stock.objects.order_by("pk").values_list("on_hand", "reserved"))
    lines = list(ret.lines.order_by("id").values_list("qty_received", "condition", "decision", "qty_accepted"))
    return ret.status, ret.version, ret.events.count(), Refund.objects.count(), stock, lines


@pytest.mark.parametrize(("action", "status"), ALLOWED, ids=[f"{a}-from-{s}" for a, s in ALLOWED])
def test_allowed(shop, owner, action, status):
    ret = return_in(status, owner)
    transition = RETURN_TRANSITIONS.get(action)
    before_version, before_events = ret.version, ret.events.count()
    stored = ret.status_before_hold

    ret = return_apply_action(reference=ret.reference, action=action, actor=owner,
                              inputs=valid_inputs(action, ret))

    assert ret.status == (transition.target or stored)
    assert ret.version == before_version + 1
    assert ret.events.count() == before_events + 1
    event = ret.events.order_by("-id").first()
    assert (event.kind, event.action, event.from_status, event.to_status, event.actor) == (
        ReturnEvent.Kind.ACTION, action, status, ret.status, owner)


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=[f"{a}-from-{s}" for a, s in REFUSED])
def test_refused(shop, owner, action, status):
    ret = return_in(status, owner)
    before = _snapshot(ret)
    with pytest.raises(Conflict) as exc:
        return_apply_action(reference=ret.reference, action=action, actor=owner, inputs=valid_inputs(action, ret))
    assert exc.value.code == "not_allowed_in_status"
    assert _snapshot(ret) == before


def test_resume_goes_back_to_the_status_before_the_hold(shop, owner):
    ret = return_in("item_received", owner)
    ret = act(ret, "hold", owner, reason="menunggu pemeriksaan")
    assert (ret.status, ret.status_before_hold) == ("on_hold", "item_received")
    ret = act(ret, "resume", owner)
    assert (ret.status, ret.status_before_hold) == ("item_received", "")


def test_received_goods_are_not_cancelled(shop, owner):
    """Cancel from on_hold only when nothing was received: received goods (maybe restocked)
    are settled by complete, refusing the lines."""
    ret = act(return_in("item_received", owner), "hold", owner)
    before = _snapshot(ret)
    with pytest.raises(Conflict) as exc:
        act(ret, "cancel", owner)
    assert exc.value.code == "already_received"
    assert _snapshot(ret) == before
    assert "cancel" not in [t.action for t in RETURN_TRANSITIONS.available(ret, owner)]
    held_early = act(return_in("awaiting_item", owner), "hold", owner)
    assert "cancel" in [t.action for t in RETURN_TRANSITIONS.available(held_early, owner)]


def test_reject_needs_a_message(shop, owner):
    from tokodesk.core.errors import ValidationFailed

    ret = return_in("draft", owner)
    with pytest.raises(ValidationFailed) as exc:
        return_apply_action(reference=ret.reference, action="reject", actor=owner, inputs={})
    assert "message" in exc.value.fields
    ret = act(ret, "reject", owner, message="Melewati batas waktu")
    assert ret.messages.get().body == "Melewati batas waktu"
    assert ret.events.order_by("-id").first().data["message"] == "Melewati batas waktu"
