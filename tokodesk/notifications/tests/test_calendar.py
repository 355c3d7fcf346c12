"""The returns calendar feed (InvenTree's calendar.ics): parses with icalendar, one all-day
event per return with a target date, completed ones only with include_completed=true,
rejected and cancelled never; a calendar token in the URL works without any header, a
wrong or reset one is refused; agents see only their returns; the literal path is not
taken for a return reference."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from tokodesk.notifications import feeds
from tokodesk.returns.services import return_edit
from tokodesk.returns.tests.factories import RETURN_PATHS, act, paid_order, return_in

URL = "/api/v1/returns/calendar.ics"


def events(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    found = {}
    for event in cal.walk("VEVENT"):
        found[str(event["summary"]).split(" · ")[0]] = {
            "summary": str(event["summary"]), "start": event.decoded("dtstart"), "end": event.decoded("dtend"),
            "description": str(event["description"]), "uid": str(event["uid"]), "url": str(event.get("url", "")),
        }
    return found


@pytest.fixture
def returns(shop, users):
    """Returns of agent's orders in several statuses, each with a target date, one of
    agent2's, and one without a target date."""
    owner = users["owner"]
    made = {}
    for i, (key, status, agent) in enumerate([
        ("draft", "draft", "agent"), ("awaiting", "awaiting_item", "agent"), ("completed", "completed", "agent"),
        ("rejected", "rejected", "agent"), ("cancelled", "cancelled", "agent"), ("theirs", "awaiting_item", "agent2"),
    ]):
        ret = return_in("draft", owner, order=paid_order(owner, agent=agent))
        ret = return_edit(reference=ret.reference, actor=owner,
                          changes={"target_date": dt.date(2030, 3, 1) + dt.timedelta(days=i)})
        for action in RETURN_PATHS[status][1]:
            ret = act(ret, action, owner)
        made[key] = ret
    made["undated"] = return_in("draft", owner, order=paid_order(owner, agent="agent"))
    return made


def test_feed_parses_and_has_the_open_returns(returns, api_as):
    found = events(api_as("owner").get(URL))
    assert set(found) == {returns[k].reference for k in ("draft", "awaiting", "theirs")}
    awaiting = returns["awaiting"]
    event = found[awaiting.reference]
    assert event["summary"] == f"{awaiting.reference} · {awaiting.order.reference} · Siti Rahayu"
    assert event["start"] == dt.date(2030, 3, 2) and event["end"] == dt.date(2030, 3, 3)  # all day
    assert "Ukuran kekecilan" in event["description"]
    assert event["uid"] == f"return-{awaiting.pk}@tokodesk"
    assert event["url"] == f"http://testserver/returns/{awaiting.reference}/"


def test_completed_only_when_asked(returns, api_as):
    found = events(api_as("owner").get(URL, {"include_completed": "true"}))
    assert set(found) == {returns[k].reference for k in ("draft", "awaiting", "theirs", "completed")}
    assert returns["completed"].reference not in events(api_as("owner").get(URL, {"include_completed": "false"}))


def test_agents_see_their_returns_only(returns, api_as):
    assert set(events(api_as("agent").get(URL, {"include_completed": "true"}))) == {
        returns[k].reference for k in ("draft", "awaiting", "completed")}
    assert set(events(api_as("agent2").get(URL))) == {returns["theirs"].reference}


def test_calendar_token_in_the_url(returns, users):
    token = feeds.calendar_token(users["agent"])
    assert feeds.calendar_token(users["agent"]) == token  # shown again, unchanged
    anonymous = Client()
    found = events(anonymous.get(URL, {"token": token}))
    assert set(found) == {returns[k].reference for k in ("draft", "awaiting")}
    assert returns["completed"].reference in events(anonymous.get(URL, {"token": token, "include_completed": "true"}))

    for wrong in ("", "nope", token[:-2] + "xx", token.replace(".", "", 1), "9" + token):
        r = anonymous.get(URL, {"token": wrong})
        assert r.status_code == 401, wrong
        assert r.json()["code"] == "unauthenticated"
    assert anonymous.get(URL).status_code == 401
    # The token reads the calendar only.
    r = anonymous.get(f"/api/v1/returns/{returns['draft'].reference}", {"token": token})
    assert r.status_code == 401

    new = feeds.calendar_token_reset(users["agent"])
    assert new != token
    assert anonymous.get(URL, {"token": token}).status_code == 401
    assert anonymous.get(URL, {"token": new}).status_code == 200
    users["agent"].is_active = False
    users["agent"].save()
    assert anonymous.get(URL, {"token": new}).status_code == 401


def test_feed_url_endpoints(returns, api_as):
    agent = api_as("agent")
    r = agent.get("/api/v1/returns/calendar-feed")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["url"].startswith("http://testserver/api/v1/returns/calendar.ics?token=")
    assert "include_completed=true&token=" in body["url_with_completed"]
    path = body["url"].removeprefix("http://testserver")
    assert set(events(Client().get(path))) == {returns[k].reference for k in ("draft", "awaiting")}
    r = agent.post("/api/v1/returns/calendar-feed/reset")
    assert r.status_code == 200 and r.json()["token"] != body["token"]
    assert Client().get(path).status_code == 401


def test_literal_paths_win_over_return_references(returns, api_as):
    """/returns/calendar.ics and /returns/calendar-feed are not read as return references,
    and the returns router still answers its own paths."""
    owner = api_as("owner")
    assert owner.get(URL)["Content-Type"].startswith("text/calendar")
    assert "url" in owner.get("/api/v1/returns/calendar-feed").json()
    ref = returns["draft"].reference
    assert owner.get(f"/api/v1/returns/{ref}").json()["reference"] == ref
    assert owner.get("/api/v1/returns/reasons").status_code == 200
    assert owner.get("/api/v1/returns/RMA-99999").status_code == 404


def test_calendar_view_events(returns, users):
    rows = feeds.calendar_events(users["agent"], start=dt.date(2030, 3, 1), end=dt.date(2030, 3, 1))
    assert [r["reference"] for r in rows] == [returns["draft"].reference]
    assert rows[0]["url"] == f"/returns/{returns['draft'].reference}/"
    assert rows[0]["date"] == "2030-03-01" and rows[0]["status"] == "draft"


def test_feed_queries_do_not_grow(returns, api_as, django_assert_max_num_queries):
    owner = api_as("owner")
    owner.get(URL)
    with django_assert_max_num_queries(7):
        owner.get(URL, {"include_completed": "true"})


def test_token_url_speaks_the_shop_s_staff_language(returns, users):
    """A calendar app sends no language: the token URL follows the staff language of the
    settings page (a French shop's feed is French), not the server default (issue 17)."""
    from tokodesk.core.models import ShopSettings

    token = feeds.calendar_token(users["agent"])
    awaiting = returns["awaiting"].reference
    assert "Alasan: " in events(Client().get(URL, {"token": token}))[awaiting]["description"]
    ShopSettings.objects.update(staff_language="fr")
    description = events(Client().get(URL, {"token": token}))[awaiting]["description"]
    assert "Statut\u00a0: " in description or "Statut : " in description, description
    assert "Status: " not in description
    # A browser whose user picked a language keeps it.
    picked = Client()
    picked.cookies["django_language"] = "en"
    assert "Reason: " in events(picked.get(URL, {"token": token}))[awaiting]["description"]
