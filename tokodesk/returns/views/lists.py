"""The owner's lists of returns (issue 17): the reasons the customer picks from and the
custom states, each with a label per shop language, added, changed, deactivated (a reason, or a
state that returns use) or removed (an unused state), and put in order. Every write is a `returns.lists` service call, the
same as the API's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.core.labels import languages
from tokodesk.returns import lists, selectors
from tokodesk.returns.states import Status


def _labels(post) -> dict:
    return {code: post.get(f"label_{code}", "") for code, _name in languages()}


def _row(obj) -> dict:
    return {"obj": obj, "labels": [(code, name, obj.labels.get(code, "")) for code, name in languages()]}


def _save(request, op: str):
    post = request.POST
    if op == "reason":
        code = post.get("code", "")
        exists = selectors.return_reasons(include_inactive=True).filter(code=code.strip().lower()).exists()
        if post.get("new") and exists:
            return {"code": _("Already used."), "message": _("A reason has this code already.")}
        lists.return_reason_save(actor=request.user, code=code, labels=_labels(post),
                                 needs_text=bool(post.get("needs_text")), active=bool(post.get("active")),
                                 **({} if exists else {"position": selectors.return_reasons(include_inactive=True)
                                                       .count()}))
    elif op == "reason_move":
        lists.return_reason_move(actor=request.user, code=post.get("code", ""),
                                 direction=-1 if post.get("direction") == "up" else 1)
    elif op == "state":
        state_id = post.get("id", "")
        state = selectors.custom_states().filter(pk=int(state_id)).first() if state_id.isdigit() else None
        position = state.position if state else selectors.custom_states().count()
        lists.custom_state_save(actor=request.user, status=post.get("status", ""), labels=_labels(post),
                                color=post.get("color", ""), position=position,
                                active=bool(post.get("active")) if state else None,  # a new one is active
                                state_id=int(state_id) if state_id.isdigit() else None)
    elif op == "state_move":
        lists.custom_state_move(actor=request.user, state_id=int(post.get("id") or 0),
                                direction=-1 if post.get("direction") == "up" else 1)
    elif op == "state_delete":
        kept = lists.custom_state_delete(actor=request.user, state_id=int(post.get("id") or 0))
        if kept is not None:
            messages.info(request, _("Returns show “%(label)s”: it is deactivated, not removed.")
                          % {"label": kept.display_label})
    return None


@login_required
def return_lists_view(request):
    user = request.user
    if not (user.has_perm("returns.change_returnreason") and user.has_perm("returns.change_customstate")):
        raise PermissionDenied
    errors, failed = {}, None
    if request.method == "POST":
        op = request.POST.get("op", "")
        failed = (op, request.POST.get("code") or request.POST.get("id") or "new")
        try:
            errors = _save(request, op) or {}
        except DomainError as exc:
            # "labels.fr" is the page's label_fr field.
            errors = {k.replace("labels.", "label_"): str(v) for k, v in exc.fields.items()}
            errors["message"] = str(exc.message)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect(reverse("returns:lists") + ("#states" if op.startswith("state") else "#reasons"))
    names = {f"label_{code}": name for code, name in languages()} | {"code": _("Code"), "status": _("Base status")}
    context = {
        "nav": "settings",
        "languages": languages(),
        "reasons": [_row(r) for r in selectors.return_reasons(include_inactive=True)],
        "states": [_row(s) for s in selectors.custom_states()],
        "statuses": Status.choices,
        "errors": errors,
        "error_fields": [(names.get(k, k), v) for k, v in errors.items() if k != "message"],
        "failed": failed,
        "posted": request.POST if errors else {},
    }
    return render(request, "returns/lists.html", context, status=422 if errors else 200)
