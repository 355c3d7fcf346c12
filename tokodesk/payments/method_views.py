"""The payment methods page (owner and admin, issue 17): add a method with its flow, a
label and instructions per language; change, deactivate or move one. Every write is a
payments.methods service call, the same as the API's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.core.labels import languages
from tokodesk.orders.states import PaymentMethod as Flow
from tokodesk.payments.methods import (
    form_texts,
    payment_method_move,
    payment_method_save,
    payment_methods,
)
from tokodesk.payments.models import PaymentMethod


def _row(method, posted=None) -> dict:
    """A method's fields as stored, or as posted when that post was refused."""
    labels = form_texts(posted, "label") if posted else method.labels
    instructions = form_texts(posted, "instructions") if posted else method.instructions
    return {
        "m": method, "mine": bool(posted), "flow": posted.get("flow", "") if posted else method.flow,
        "labels": [(code, name, labels.get(code, "")) for code, name in languages()],
        "instructions": [(code, name, instructions.get(code, "")) for code, name in languages()],
    }


@login_required
def methods_view(request):
    if not request.user.has_perm("payments.change_paymentmethod"):
        raise PermissionDenied
    errors: dict = {}
    post = request.POST
    if request.method == "POST":
        create = bool(post.get("new"))
        try:
            if post.get("direction"):
                payment_method_move(actor=request.user, code=post.get("code", ""),
                                    direction=-1 if post["direction"] == "up" else 1)
            else:
                payment_method_save(
                    actor=request.user, code=post.get("code", ""), flow=post.get("flow", ""),
                    labels=form_texts(post, "label"), instructions=form_texts(post, "instructions"),
                    active=True if create else bool(post.get("active")), create=create)
        except DomainError as exc:
            # "labels.fr" is the page's label_fr field.
            errors = {k.replace(".", "_").replace("labels_", "label_"): str(v) for k, v in exc.fields.items()}
            errors["message"] = str(exc.message)
            errors["row"] = "new" if create else post.get("code", "")
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("payments:methods"))
    failed = errors.get("row")
    new = _row(PaymentMethod(flow=Flow.PAYMENT_GATEWAY), post if failed == "new" else None)
    names = {f"label_{code}": name for code, name in languages()} | {
        f"instructions_{code}": f"{_('Instructions')} · {name}" for code, name in languages()} | {
        "code": _("Code"), "flow": _("Flow"), "labels": _("Label")}
    return render(request, "payments/methods.html", {
        "nav": "settings", "flows": Flow.choices, "errors": errors, "failed": failed, "new": new,
        "rows": [_row(m, post if failed == m.code else None) for m in payment_methods(include_inactive=True)],
        "error_fields": [(names.get(k, k), v) for k, v in errors.items() if k not in ("message", "row")],
        "posted_code": post.get("code", "") if failed == "new" else "",
    }, status=422 if errors else 200)
