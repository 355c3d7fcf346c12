"""The returns calendar (SPEC 3.3): a month grid of the target dates of the returns this
user may see, from the same scoped selector as the list and the ICS feed
(`selectors.calendar_returns`). Open returns only, completed ones with the
toggle; rejected and cancelled never. The month and the toggle are in the URL
(`?month=2030-03&completed=1`); the page offers the user's ICS feed to subscribe to."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tokodesk.returns import hooks
from tokodesk.returns.selectors import calendar_returns, status_label
from tokodesk.returns.states import OPEN, Status
from tokodesk.returns.templatetags.return_tags import HEX, NAMED_COLOURS, STATUS_GROUP

MIN_MONTH = (1, 2)  # the grid of January of year 1 would start before date.min
MAX_MONTH = (9999, 11)


MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)


def parse_month(value: str | None) -> tuple[int, int] | None:
    """ "2030-03" → (2030, 3); None when it is not a month the grid can show."""
    match = MONTH.match((value or "").strip())
    if match is None:
        return None
    ym = (int(match[1]), int(match[2]))
    if not 1 <= ym[1] <= 12 or not MIN_MONTH <= ym <= MAX_MONTH:
        return None
    return ym


def _shift(year: int, month: int, delta: int) -> tuple[int, int] | None:
    index = year * 12 + (month - 1) + delta
    ym = (index // 12, index % 12 + 1)
    return ym if MIN_MONTH <= ym <= MAX_MONTH else None


def _month_param(ym: tuple[int, int] | None) -> str | None:
    return f"{ym[0]:04d}-{ym[1]:02d}" if ym else None


def month_weeks(year: int, month: int) -> list[list[dt.date]]:
    """The weeks of the month's grid, starting on the locale's first day of the week."""
    first_weekday = (
        int(get_format("FIRST_DAY_OF_WEEK")) - 1
    ) % 7  # Django: 0 = Sunday; Python: 0 = Monday
    return pycalendar.Calendar(firstweekday=first_weekday).monthdatescalendar(year, month)


def _colour(ret) -> tuple[str, str]:
    """The badge colour of the return's status, or of its custom state (as the list shows it)."""
    group = STATUS_GROUP.get(ret.status, "pending")
    if not ret.custom_state_id:
        return f"st-{group}", ""
    colour = (ret.custom_state.color or "").strip().lower()
    if HEX.match(colour):
        return "rt-custom", colour
    return f"st-{NAMED_COLOURS.get(colour, group)}", ""


def _url(**params) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("returns:calendar") + (f"?{query}" if query else "")


@login_required
@permission_required("returns.view_return", raise_exception=True)
@require_GET
def return_calendar_view(request):
    include_completed = request.GET.get("completed") in ("1", "true", "on")
    completed_param = "1" if include_completed else None
    today = timezone.localdate()
    raw = request.GET.get("month")
    ym = parse_month(raw) if raw else (today.year, today.month)
    if ym is None:
        messages.warning(
            request, _("“%(month)s” is not a month: here is the current one.") % {"month": raw[:20]}
        )
        return redirect(_url(completed=completed_param))
    year, month = ym
    weeks = month_weeks(year, month)
    start, end = weeks[0][0], weeks[-1][-1]

    by_day: dict[dt.date, list] = {}
    returns = list(
        calendar_returns(
            request.user, include_completed=include_completed, start=start, end=end
        )
    )
    for ret in returns:
        ret.overdue = ret.status != Status.COMPLETED and ret.target_date < today
        ret.customer_name = ret.order.recipient_name or ret.customer.name
        ret.status_text = status_label(ret)
        ret.chip_class, ret.chip_colour = _colour(ret)
        by_day.setdefault(ret.target_date, []).append(ret)
    in_month = [r for r in returns if r.target_date.month == month]

    first_weekday = weeks[0][0].weekday()
    base = request.build_absolute_uri("/").rstrip("/")
    feed = hooks.calendar_feed()  # notifications provides the feed (tokens, ICS)
    feed_url = feed.url(request.user, base_url=base) if feed else ""
    context = {
        "nav": "returns",
        "month_start": dt.date(year, month, 1),
        "month_param": _month_param(ym),
        "weekdays": [
            (WEEKDAYS[(first_weekday + i) % 7], WEEKDAYS_ABBR[(first_weekday + i) % 7])
            for i in range(7)
        ],
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "weekend": day.weekday() >= 5,
                    "returns": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "agenda": [(day, by_day[day]) for day in sorted(by_day) if day.month == month],
        "count": len(in_month),
        "overdue": sum(1 for r in in_month if r.overdue),
        "include_completed": include_completed,
        "today": today,
        "legend": [
            (f"st-{STATUS_GROUP[s]}", Status(s).label)
            for s in (*OPEN, *([Status.COMPLETED] if include_completed else []))
        ],
        "prev_url": _url(month=_month_param(_shift(year, month, -1)), completed=completed_param)
        if _shift(year, month, -1)
        else None,
        "next_url": _url(month=_month_param(_shift(year, month, 1)), completed=completed_param)
        if _shift(year, month, 1)
        else None,
        "today_url": _url(completed=completed_param),
        "is_current_month": (year, month) == (today.year, today.month),
        "toggle_url": _url(month=_month_param(ym), completed=None if include_completed else "1"),
        "feed_url": feed_url,
        "feed_url_completed": feed.url(request.user, base_url=base, include_completed=True)
        if feed
        else "",
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if "://" in feed_url else feed_url,
        "download_url": feed.path(include_completed=include_completed) if feed else "",
    }
    return render(request, "returns/calendar.html", context)
