"""What the return pages share: menus from the return table, the scoped return or 404."""

from __future__ import annotations

from django.http import Http404

from tokodesk.orders.views.common import htmx_response, toast  # noqa: F401 - the pages' toasts
from tokodesk.orders.views.list import _UrlPattern
from tokodesk.returns import selectors
from tokodesk.returns.forms import needs_input
from tokodesk.returns.help import ACTION_HELP, ASK_FIRST
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.states import RETURN_TRANSITIONS, Status

# Actions that go back, pause or stop a return: never its "primary" button.
SECONDARY = {"to_draft", "hold", "reject", "cancel"}
_NEEDS_INPUT: dict[str, bool] = {}


def _needs_input(transition) -> bool:
    if transition.action not in _NEEDS_INPUT:
        _NEEDS_INPUT[transition.action] = needs_input(transition)
    return _NEEDS_INPUT[transition.action]


def _item(transition) -> dict:
    """An action of a menu: `ask` when it opens its modal (its form, or a confirmation
    step for what undoes work or cancels) rather than running on the click."""
    needs = _needs_input(transition)
    return {"transition": transition, "needs_input": needs, "secondary": transition.action in SECONDARY,
            "ask": needs or transition.action in ASK_FIRST, "help": ACTION_HELP.get(transition.action, "")}


def menu_for(ret, user, returns_enabled: bool | None = None) -> dict:
    """The return's actions for this user, from the transition table (status, permission,
    guards), plus recreate (Buat Retur Ulang) on a rejected or cancelled return while returns
    are turned on in the settings (a list passes the setting once for all its rows)."""
    if returns_enabled is None:
        returns_enabled = ReturnSettings.get().returns_enabled
    actions = RETURN_TRANSITIONS.available(ret, user)
    primary = next((t for t in actions if t.action not in SECONDARY), None)
    return {
        "actions": [_item(t) for t in actions],
        "primary": primary.action if primary else None,
        # The detail page: the primary next step as a button, the others in its menu.
        "primary_item": _item(primary) if primary else None,
        "others": [_item(t) for t in actions if primary is None or t.action != primary.action],
        "can_recreate": returns_enabled and ret.status in (Status.REJECTED, Status.CANCELLED)
        and user.has_perm("returns.add_return"),
    }


class RowUrls:
    """The links of a return's row and menu: each URL reversed once per page with a
    placeholder (orders' _UrlPattern), then one string join per row (issue 16: reverse()
    was ~15 % of the returns page, six per row). Adds `url` to each menu action."""

    def __init__(self):
        self.detail = _UrlPattern("returns:detail")
        self.order = _UrlPattern("orders:detail")
        self.recreate = _UrlPattern("returns:recreate")
        self.actions: dict[str, _UrlPattern] = {}

    def __call__(self, ret, menu: dict) -> dict:
        ref = ret.reference
        for item in menu["actions"]:
            action = item["transition"].action
            pattern = self.actions.get(action)
            if pattern is None:
                pattern = self.actions[action] = _UrlPattern("returns:action", action)
            item["url"] = pattern(ref)
        return {"detail": self.detail(ref), "order": self.order(ret.order.reference),
                "recreate": self.recreate(ref) if menu["can_recreate"] else ""}


def row_for(ret, user, returns_enabled: bool | None = None, urls: RowUrls | None = None) -> dict:
    """What returns/_row.html reads of one return: the return (or its row of values), its
    menu and its links."""
    menu = menu_for(ret, user, returns_enabled)
    return {"ret": ret, "menu": menu, "urls": (urls or RowUrls())(ret, menu)}


def return_or_404(request, reference):
    ret = selectors.return_get(user=request.user, reference=reference)
    if ret is None:
        raise Http404
    return ret


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
