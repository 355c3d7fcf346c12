"""What other apps plug into the returns pages, registered in their AppConfig.ready().

The returns pages offer things another app does: the e-mail step of an action (preview,
then change the status and send or skip the e-mail), the calendar's feed links, the
WhatsApp button. That app (notifications) is built on returns, so returns must not import
it: returns declares here what it asks for, notifications registers what it provides, and
a page without a provider leaves the thing out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionMailer:
    events: frozenset[str]  # the actions that have an e-mail step
    # preview(reference=, action=, actor=, inputs=, expected_version=, label_name=, base_url=)
    preview: Callable
    # act_and_notify(reference=, action=, actor=, inputs=, files=, send=, expected_version=,
    # base_url=, source=) -> (return, notification or None)
    act_and_notify: Callable


@dataclass(frozen=True)
class CalendarFeed:
    # url(user, *, base_url="", include_completed=False): the URL to subscribe to
    url: Callable
    # path(*, include_completed=False): the feed to download
    path: Callable


_PROVIDED: dict[str, object] = {}


def provide_action_mailer(mailer: ActionMailer) -> None:
    _PROVIDED["action_mailer"] = mailer


def provide_calendar_feed(feed: CalendarFeed) -> None:
    _PROVIDED["calendar_feed"] = feed


def provide_can_whatsapp(check: Callable[[object], bool]) -> None:
    _PROVIDED["can_whatsapp"] = check


def action_mailer() -> ActionMailer | None:
    return _PROVIDED.get("action_mailer")


def has_email_step(action: str) -> bool:
    mailer = action_mailer()
    return mailer is not None and action in mailer.events


def calendar_feed() -> CalendarFeed | None:
    return _PROVIDED.get("calendar_feed")


def can_whatsapp(user) -> bool:
    check = _PROVIDED.get("can_whatsapp")
    return bool(check and check(user))
