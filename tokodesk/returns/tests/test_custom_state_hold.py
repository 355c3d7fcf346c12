"""Issue 17 (InvenTree's RMA): the hold and resume dialogs pick one of the custom states of
the status the return goes to; the list shows it and filters by it; the timeline records it.
Through the return table only (hold / resume), the page and the API alike."""

from __future__ import annotations

import re

from tokodesk.returns.models import CustomState, Return, ReturnEvent
from tokodesk.returns.tests.factories import return_in
from tokodesk.returns.tests.test_pages_actions import HTMX, action_url, client_for

URL = "/api/v1/returns"


def states():
    waiting = CustomState.objects.create(label="Waiting for parts", status="on_hold", color="orange")
    supplier = CustomState.objects.create(label="At the supplier", status="on_hold")
    inspect = CustomState.objects.create(label="Awaiting inspection", status="awaiting_item")
    received = CustomState.objects.create(label="On the bench", status="item_received")
    return waiting, supplier, inspect, received


def test_hold_dialog_offers_the_on_hold_states_and_the_list_shows_and_filters(shop, users):
    waiting, supplier, inspect, _received = states()
    owner = users["owner"]
    held, other = return_in("awaiting_item", owner), return_in("awaiting_item", owner)
    c = client_for(owner)
    dialog = c.get(action_url(held, "hold")).content.decode()
    offered = dict((v, label) for v, label in re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', dialog))
    assert offered == {"": "On hold", str(waiting.pk): "Waiting for parts", str(supplier.pk): "At the supplier"}

    r = c.post(action_url(held, "hold"), {"display": "row", "reason": "Part on order", "custom_state": waiting.pk},
               **HTMX)
    assert "Waiting for parts" in r.content.decode()  # the fresh row's badge
    held.refresh_from_db()
    assert held.status == "on_hold" and held.custom_state == waiting
    event = held.events.filter(kind=ReturnEvent.Kind.ACTION, action="hold").get()
    assert event.data["custom_state"] == "Waiting for parts" and event.data["reason"] == "Part on order"
    # The detail page's timeline says it.
    page = c.get(f"/returns/{held.reference}/").content.decode()
    assert "Custom state" in page and "Waiting for parts" in page

    c.post(action_url(other, "hold"), {"display": "row"}, **HTMX)
    listed = c.get("/returns/?status=on_hold").content.decode()
    assert held.reference in listed and other.reference in listed and "Waiting for parts" in listed
    only = c.get(f"/returns/?custom_state={waiting.pk}").content.decode()
    assert held.reference in only and other.reference not in only


def test_resume_dialog_offers_the_states_of_the_status_it_goes_back_to(shop, users):
    waiting, _supplier, inspect, received = states()
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    c = client_for(owner)
    c.post(action_url(ret, "hold"), {"display": "row", "custom_state": waiting.pk}, **HTMX)
    dialog = c.get(action_url(ret, "resume")).content.decode()
    assert "Awaiting inspection" in dialog and "On the bench" not in dialog and "Waiting for parts" not in dialog
    c.post(action_url(ret, "resume"), {"display": "row", "custom_state": inspect.pk}, **HTMX)
    ret.refresh_from_db()
    assert (ret.status, ret.custom_state) == ("awaiting_item", inspect)
    assert ret.events.get(action="resume").data["custom_state"] == "Awaiting inspection"


def test_hold_without_a_state_clears_the_old_one(shop, users):
    _w, _s, inspect, _r = states()
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    Return.objects.filter(pk=ret.pk).update(custom_state=inspect)
    c = client_for(owner)
    c.post(action_url(ret, "hold"), {"display": "row"}, **HTMX)
    ret.refresh_from_db()
    assert ret.status == "on_hold" and ret.custom_state is None


def test_resume_without_states_is_a_confirmation(shop, users):
    owner = users["owner"]
    ret = return_in("on_hold", owner)
    dialog = client_for(owner).get(action_url(ret, "resume")).content.decode()
    assert "data-confirm-step" in dialog and 'name="custom_state"' not in dialog


def test_api_hold_and_resume_with_custom_states(shop, users, api_as, snapshot):
    waiting, _supplier, inspect, received = states()
    owner = users["owner"]
    api = api_as("owner")
    ret = return_in("awaiting_item", owner)
    r = api.post(f"{URL}/{ret.reference}/actions/hold", {"custom_state": "Waiting for parts"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "on_hold" and body["custom_state"]["label"] == "Waiting for parts"

    # A state of another status, an unknown one: 422 on the field, nothing written.
    before = snapshot()
    for value in (received.pk, "Nope", 10**6):
        r = api.post(f"{URL}/{ret.reference}/actions/resume", {"custom_state": value})
        assert r.status_code == 422, r.content
        assert "custom_state" in r.json()["fields"]
    assert snapshot() == before

    r = api.post(f"{URL}/{ret.reference}/actions/resume", {"custom_state": inspect.pk})
    assert r.status_code == 200 and r.json()["custom_state"]["id"] == inspect.pk
    listed = api.get(f"{URL}?custom_state={inspect.pk}").json()
    refs = [item["reference"] for item in listed["items"]]
    assert refs == [ret.reference]
