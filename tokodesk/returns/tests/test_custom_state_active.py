"""Issue 17: a custom state has an `active` flag. One that returns use is deactivated, never
deleted; an inactive state is not offered in the hold / resume dialogs, the edit form or the
API (422 on the field), but the returns that have it still show it; /returns/lists/ toggles it."""

from __future__ import annotations

import re

import pytest

from tokodesk.returns.models import CustomState, Return
from tokodesk.returns.tests.factories import return_in
from tokodesk.returns.tests.test_pages_actions import HTMX, action_url, client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/returns"
LISTS = "/returns/lists/"


def delete(api, path):
    return api.client.delete(path, **api._headers(None))


def offered(html: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html))


def test_inactive_state_not_offered_on_hold_but_still_shown_on_its_return(shop, users):
    owner = users["owner"]
    waiting = CustomState.objects.create(label="Waiting for parts", status="on_hold")
    supplier = CustomState.objects.create(label="At the supplier", status="on_hold")
    held, fresh = return_in("awaiting_item", owner), return_in("awaiting_item", owner)
    c = client_for(owner)
    c.post(action_url(held, "hold"), {"display": "row", "custom_state": waiting.pk}, **HTMX)
    held.refresh_from_db()
    assert held.custom_state == waiting

    # Removing a state in use deactivates it: the return keeps it.
    r = c.post(LISTS, {"op": "state_delete", "id": waiting.pk})
    assert r.status_code == 302
    waiting.refresh_from_db()
    assert not waiting.active
    held.refresh_from_db()
    assert held.custom_state == waiting

    dialog = c.get(action_url(fresh, "hold")).content.decode()
    assert offered(dialog) == {"": "On hold", str(supplier.pk): "At the supplier"}
    r = c.post(action_url(fresh, "hold"), {"display": "row", "custom_state": waiting.pk}, **HTMX)
    fresh.refresh_from_db()
    assert fresh.status == "awaiting_item" and fresh.custom_state is None

    # Still shown where the return has it: list badge and detail page; the list filter keeps it.
    listed = c.get("/returns/?status=on_hold").content.decode()
    assert f'data-custom-state="{waiting.pk}"' in listed and "Waiting for parts" in listed
    assert held.reference in c.get(f"/returns/?custom_state={waiting.pk}").content.decode()
    detail = c.get(f"/returns/{held.reference}/").content.decode()
    assert "Waiting for parts" in detail
    # The edit form keeps the return's own (inactive) state selectable, offers no other inactive one.
    edit = re.search(r'<select name="custom_state".*?</select>', detail, re.S)
    assert edit is not None and str(waiting.pk) in offered(edit.group(0))


def test_unused_state_is_deleted_and_the_page_toggles_active(users):
    c = client_for(users["owner"])
    unused = CustomState.objects.create(label="Unused", status="on_hold")
    c.post(LISTS, {"op": "state_delete", "id": unused.pk})
    assert not CustomState.objects.filter(pk=unused.pk).exists()

    state = CustomState.objects.create(label="Bench", status="item_received", labels={"en": "Bench"})
    page = c.get(LISTS).content.decode()
    row = re.search(rf'data-state="{state.pk}".*?</form>', page, re.S).group(0)
    assert re.search(r'name="active" checked', row)
    # Saved without the box: inactive; with it: active again.
    base = {"op": "state", "id": state.pk, "status": "item_received", "label_en": "Bench"}
    assert c.post(LISTS, base).status_code == 302
    state.refresh_from_db()
    assert not state.active
    row = re.search(rf'data-state="{state.pk}".*?</form>', c.get(LISTS).content.decode(), re.S).group(0)
    assert 'name="active" checked' not in row
    c.post(LISTS, base | {"active": "on"})
    state.refresh_from_db()
    assert state.active
    # A new state is active.
    c.post(LISTS, {"op": "state", "status": "on_hold", "label_en": "New one"})
    assert CustomState.objects.get(label="New one").active


def test_api_active_flag_hold_refused_statuses_and_delete(shop, users, api_as, snapshot):
    owner = users["owner"]
    api = api_as("owner")
    r = api.post(f"{URL}/custom-states", {"labels": {"en": "Waiting"}, "status": "on_hold"})
    assert r.status_code == 201 and r.json()["active"] is True
    waiting_id = r.json()["id"]
    r = api.post(f"{URL}/custom-states", {"labels": {"en": "Supplier"}, "status": "on_hold"})
    supplier_id = r.json()["id"]
    r = api.patch(f"{URL}/custom-states/{supplier_id}", {"labels": {"en": "Supplier"}, "status": "on_hold",
                                                         "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    # PATCH without `active` leaves it as it is.
    r = api.patch(f"{URL}/custom-states/{supplier_id}", {"labels": {"en": "Supplier"}, "status": "on_hold",
                                                         "color": "red"})
    assert r.json()["active"] is False

    statuses = {s["code"]: s for s in api.get(f"{URL}/statuses").json()}
    assert [s["id"] for s in statuses["on_hold"]["custom_states"]] == [waiting_id]
    assert {s["id"]: s["active"] for s in api.get(f"{URL}/custom-states").json()} == {
        waiting_id: True, supplier_id: False}

    ret = return_in("awaiting_item", owner)
    before = snapshot()
    for value in (supplier_id, "Supplier"):
        r = api.post(f"{URL}/{ret.reference}/actions/hold", {"custom_state": value})
        assert r.status_code == 422, r.content
        assert "custom_state" in r.json()["fields"]
    assert snapshot() == before

    r = api.post(f"{URL}/{ret.reference}/actions/hold", {"custom_state": waiting_id})
    assert r.status_code == 200 and r.json()["custom_state"]["id"] == waiting_id
    # In use: DELETE deactivates (200 with the state); the return still shows it.
    r = delete(api, f"{URL}/custom-states/{waiting_id}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert api.get(f"{URL}/{ret.reference}").json()["custom_state"]["id"] == waiting_id
    # Unused: deleted.
    assert delete(api, f"{URL}/custom-states/{supplier_id}").status_code == 204
    assert not CustomState.objects.filter(pk=supplier_id).exists()


def test_edit_keeps_the_returns_inactive_state_but_refuses_another(shop, users, api_as):
    owner = users["owner"]
    api = api_as("owner")
    mine = CustomState.objects.create(label="Mine", status="awaiting_item", active=False)
    other = CustomState.objects.create(label="Other", status="awaiting_item", active=False)
    ret = return_in("awaiting_item", owner)
    Return.objects.filter(pk=ret.pk).update(custom_state=mine)
    ret.refresh_from_db()
    r = api.patch(f"{URL}/{ret.reference}", {"custom_state": other.pk, "version": ret.version})
    assert r.status_code == 422 and "custom_state" in r.json()["fields"], r.content
    r = api.patch(f"{URL}/{ret.reference}", {"custom_state": mine.pk, "target_date": "2030-01-02",
                                              "version": ret.version})
    assert r.status_code == 200, r.content
    assert r.json()["custom_state"]["id"] == mine.pk
