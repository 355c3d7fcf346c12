"""The returns calendar page (SPEC 3.3): a month grid with each open return on its target
date (reference, customer, status colour), completed ones only with the toggle, rejected
and cancelled never; agents see only their returns (the list's scoping); the month is in
the URL with previous/next links, today is highlighted, a bad month never makes a 500; the
page offers the user's ICS feed, and the returns list links to it."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tokodesk.returns.services import custom_state_save, return_edit
from tokodesk.returns.tests.factories import RETURN_PATHS, act, paid_order, return_in

URL = "/returns/calendar/"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def client_for(user, language="en") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def day(html: str, date: str) -> str:
    """The content of the grid's cell of that date."""
    match = re.search(rf'<td class="[^"]*" data-date="{date}"[^>]*>(.*?)</td>', html, re.S)
    assert match, f"no cell for {date}"
    return match.group(1)


def on(html: str, date: str) -> list[str]:
    return re.findall(r'data-return="([^"]+)"', day(html, date))


def everywhere(html: str) -> set[str]:
    grid = html.split('<table class="rt-cal-grid">', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'data-return="([^"]+)"', grid))


@pytest.fixture
def returns(shop, users):
    """Returns with target dates in March 2030 (1st, 2nd …) in several statuses, agent's
    except "theirs" (agent2), plus one without a target date."""
    owner = users["owner"]
    made = {}
    for i, (key, status, agent) in enumerate(
        [
            ("draft", "draft", "agent"),
            ("awaiting", "awaiting_item", "agent"),
            ("completed", "completed", "agent"),
            ("rejected", "rejected", "agent"),
            ("cancelled", "cancelled", "agent"),
            ("theirs", "awaiting_item", "agent2"),
        ]
    ):
        ret = return_in("draft", owner, order=paid_order(owner, agent=agent))
        ret = return_edit(
            reference=ret.reference,
            actor=owner,
            changes={"target_date": dt.date(2030, 3, 1) + dt.timedelta(days=i)},
        )
        for action in RETURN_PATHS[status][1]:
            ret = act(ret, action, owner)
        made[key] = ret
    made["undated"] = return_in("draft", owner, order=paid_order(owner, agent="agent"))
    return made


def test_returns_appear_on_their_target_date(returns, users):
    r = client_for(users["owner"]).get(URL, {"month": "2030-03"})
    assert r.status_code == 200
    html = r.content.decode()
    assert on(html, "2030-03-01") == [returns["draft"].reference]
    assert on(html, "2030-03-02") == [returns["awaiting"].reference]
    assert on(html, "2030-03-06") == [returns["theirs"].reference]
    assert on(html, "2030-03-03") == on(html, "2030-03-04") == on(html, "2030-03-05") == []
    assert returns["undated"].reference not in html
    # Reference and customer, linked to the return, coloured by status.
    cell = day(html, "2030-03-02")
    assert f'href="/returns/{returns["awaiting"].reference}/"' in cell
    assert "Siti Rahayu" in cell and "st-to_ship" in cell and 'data-status="awaiting_item"' in cell
    assert "st-draft" in day(html, "2030-03-01")
    assert 'data-month="2030-03"' in html and "March 2030" in html


def test_completed_hidden_unless_toggled_rejected_and_cancelled_never(returns, users):
    c = client_for(users["owner"])
    html = c.get(URL, {"month": "2030-03"}).content.decode()
    assert everywhere(html) == {returns[k].reference for k in ("draft", "awaiting", "theirs")}
    assert (
        'aria-pressed="false"' in html
        and 'href="/returns/calendar/?month=2030-03&amp;completed=1"' in html
    )
    html = c.get(URL, {"month": "2030-03", "completed": "1"}).content.decode()
    assert on(html, "2030-03-03") == [returns["completed"].reference]
    assert "st-completed" in day(html, "2030-03-03")
    assert everywhere(html) == {
        returns[k].reference for k in ("draft", "awaiting", "theirs", "completed")
    }
    assert 'aria-pressed="true"' in html and 'href="/returns/calendar/?month=2030-03"' in html


def test_agents_see_only_their_returns(returns, users):
    html = (
        client_for(users["agent"]).get(URL, {"month": "2030-03", "completed": "1"}).content.decode()
    )
    assert everywhere(html) == {returns[k].reference for k in ("draft", "awaiting", "completed")}
    html = client_for(users["agent2"]).get(URL, {"month": "2030-03"}).content.decode()
    assert everywhere(html) == {returns["theirs"].reference}
    # Roles that see every return see them all.
    for role in ("warehouse", "finance", "viewer"):
        html = client_for(users[role]).get(URL, {"month": "2030-03"}).content.decode()
        assert everywhere(html) == {
            returns[k].reference for k in ("draft", "awaiting", "theirs")
        }, role


def test_without_return_permission_refused(db):
    user = get_user_model().objects.create_user("reader", password="pw-123456")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="orders", codename="view_order")
    )
    assert client_for(user).get(URL).status_code == 403
    r = Client().get(URL)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_custom_state_label_and_colour(returns, users):
    owner = users["owner"]
    state = custom_state_save(
        actor=owner, label="Menunggu kurir", status="awaiting_item", color="#7c3aed"
    )
    return_edit(
        reference=returns["awaiting"].reference, actor=owner, changes={"custom_state": state.pk}
    )
    cell = day(client_for(owner).get(URL, {"month": "2030-03"}).content.decode(), "2030-03-02")
    # The colour reaches CSS through app.js (--rt-colour via the CSSOM): no style attribute under the CSP.
    assert "rt-custom" in cell and 'data-rt-colour="#7c3aed"' in cell and "Menunggu kurir" in cell
    assert "style=" not in cell


def test_month_navigation(returns, users):
    c = client_for(users["owner"])
    html = c.get(URL, {"month": "2030-03", "completed": "1"}).content.decode()
    assert 'href="/returns/calendar/?month=2030-02&amp;completed=1" rel="prev"' in html
    assert 'href="/returns/calendar/?month=2030-04&amp;completed=1" rel="next"' in html
    # The grid shows the neighbouring months' days of its first and last weeks, with their returns.
    html = c.get(URL, {"month": "2030-02"}).content.decode()
    assert 'data-month="2030-02"' in html
    assert on(html, "2030-03-01") == [returns["draft"].reference]
    assert 'class="out' in html.split('data-date="2030-03-01"')[0].rsplit("<td", 1)[1]
    html = c.get(URL, {"month": "2030-12"}).content.decode()
    assert 'href="/returns/calendar/?month=2031-01" rel="next"' in html
    assert 'href="/returns/calendar/?month=2030-11" rel="prev"' in html
    html = c.get(URL, {"month": "2031-1"}).content.decode()
    assert 'href="/returns/calendar/?month=2030-12" rel="prev"' in html
    html = c.get(URL, {"month": "2030-04"}).content.decode()
    assert everywhere(html) == set()
    assert "No return has a target date this month." in html


def test_weeks_start_on_the_locales_first_day(returns, users):
    owner = users["owner"]
    # March 2030 starts on a Friday: Monday the 25th of February (id) or Sunday the 24th (en).
    html = client_for(owner, "id").get(URL, {"month": "2030-03"}).content.decode()
    assert re.findall(r'data-date="([^"]+)"', html)[0] == "2030-02-25"
    assert "Maret 2030" in html
    html = client_for(owner, "en").get(URL, {"month": "2030-03"}).content.decode()
    dates = re.findall(r'data-date="([^"]+)"', html)
    assert dates[0] == "2030-02-24" and len(dates) % 7 == 0 and "2030-03-31" in dates


def test_today_is_highlighted_and_is_the_default_month(returns, users, time_machine):
    time_machine.move_to(dt.datetime(2030, 3, 4, 10, 0, tzinfo=JAKARTA), tick=False)
    html = client_for(users["owner"]).get(URL).content.decode()
    assert 'data-month="2030-03"' in html
    [today] = re.findall(r'<td class="([^"]*)" data-date="2030-03-04" aria-current="date"', html)
    assert "today" in today.split()
    assert html.count('aria-current="date"') == 1
    # Open returns before today are overdue; the draft of the 1st and the awaiting of the 2nd.
    assert "overdue" in day(html, "2030-03-01") and "overdue" in day(html, "2030-03-02")
    assert "overdue" not in day(html, "2030-03-06")
    assert 'data-overdue="2"' in html
    # Another month: nothing is "today".
    html = client_for(users["owner"]).get(URL, {"month": "2030-05"}).content.decode()
    assert 'aria-current="date"' not in html


@pytest.mark.parametrize(
    "month",
    [
        "2030-13",
        "2030-00",
        "abc",
        "2030",
        "2030-1x",
        "0000-01",
        "10000-01",
        "9999-12",
        "0001-01",
        "²⁰³⁰-01",
        "2030-03-01",
        "-1-03",
        " ",
        "2030--3",
    ],
)
def test_bad_month_redirects_to_the_current_one(db, users, month):
    c = client_for(users["owner"])
    r = c.get(URL, {"month": month, "completed": "1"})
    assert r.status_code == 302, month
    assert r["Location"] == "/returns/calendar/?completed=1"
    r = c.get(r["Location"])
    assert r.status_code == 200
    assert "is not a month" in r.content.decode()


def test_first_and_last_months_have_no_link_beyond(db, users):
    c = client_for(users["owner"])
    html = c.get(URL, {"month": "0001-02"}).content.decode()
    assert 'rel="prev"' not in html and 'href="/returns/calendar/?month=0001-03" rel="next"' in html
    html = c.get(URL, {"month": "9999-11"}).content.decode()
    assert 'rel="next"' not in html and 'href="/returns/calendar/?month=9999-10" rel="prev"' in html


def test_subscribe_link_is_the_users_feed(returns, users):
    html = client_for(users["agent"]).get(URL, {"month": "2030-03"}).content.decode()
    [feed] = re.findall(
        r'value="(http://testserver/api/v1/returns/calendar\.ics\?token=[^"]+)" data-feed-url', html
    )
    assert 'href="webcal://testserver/api/v1/returns/calendar.ics?token=' in html
    # The address works from a calendar app (no session) and shows the agent's returns only.
    r = Client().get(feed.removeprefix("http://testserver").replace("&amp;", "&"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert returns["draft"].reference in body and returns["awaiting"].reference in body
    assert returns["theirs"].reference not in body and returns["completed"].reference not in body


def test_returns_list_links_to_the_calendar(db, users):
    html = client_for(users["agent"]).get("/returns/").content.decode()
    assert 'href="/returns/calendar/" data-calendar' in html


def test_queries_do_not_grow_with_the_returns(returns, users, django_assert_max_num_queries):
    c = client_for(users["owner"])
    c.get(URL, {"month": "2030-03"})
    with django_assert_max_num_queries(12) as few:
        c.get(URL, {"month": "2030-03", "completed": "1"})
    owner = users["owner"]
    for i in range(6):
        ret = return_in("awaiting_item", owner, order=paid_order(owner, agent="agent"))
        return_edit(
            reference=ret.reference, actor=owner, changes={"target_date": dt.date(2030, 3, 10 + i)}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(URL, {"month": "2030-03", "completed": "1"})
    assert len(everywhere(r.content.decode())) == 10
