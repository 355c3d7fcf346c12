"""What the return pages share: menus from the return table, the scoped return or 404."""

from __future__ import annotations

from django.http import Http404

from tokodesk.core.models import ShopSettings
from tokodesk.orders.views.common import htmx_response, toast  # noqa: F401 - the pages' toasts
from tokodesk.returns import selectors
from tokodesk.returns.forms import needs_input
from tokodesk.returns.states import RETURN_TRANSITIONS, Status

# Actions that go back, pause or stop a return: never its "primary" button.
SECONDARY = {"to_draft", "hold", "reject", "cancel"}
_NEEDS_INPUT: dict[str, bool] = {}


def _needs_input(transition) -> bool:
    if transition.action not in _NEEDS_INPUT:
        _NEEDS_INPUT[transition.action] = needs_input(transition)
    return _NEEDS_INPUT[transition.action]


def menu_for(ret, user, returns_enabled: bool | None = None) -> dict:
    """The return's actions for this user, from the transition table (status, permission,
    guards), plus recreate (Buat Retur Ulang) on a rejected or cancelled return while returns
    are turned on in the settings (a list passes the setting once for all its rows)."""
    if returns_enabled is None:
        returns_enabled = ShopSettings.get().returns_enabled
    actions = RETURN_TRANSITIONS.available(ret, user)
    primary = next((t for t in actions if t.action not in SECONDARY), None)
    return {
        "actions": [{"transition": t, "needs_input": _needs_input(t), "secondary": t.action in SECONDARY}
                    for t in actions],
        "primary": primary.action if primary else None,
        "can_recreate": returns_enabled and ret.status in (Status.REJECTED, Status.CANCELLED)
        and user.has_perm("returns.add_return"),
    }


def return_or_404(request, reference):
    ret = selectors.return_get(user=request.user, reference=reference)
    if ret is None:
        raise Http404
    return ret


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
