"""Edit a return's items, quantities, reason and extra lines before its goods are received
(issue 17): a page with the return's current values; saving calls `services.return_edit`
(the API's PATCH) with the version the user saw, so a concurrent change is refused with a
message, and every change is one row on the return's timeline (what changed, who)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.returns import services
from tokodesk.returns.forms_edit import ReturnItemsForm
from tokodesk.returns.states import LINES_EDITABLE
from tokodesk.returns.views.common import return_or_404


def items_editable(ret) -> bool:
    return ret.status in LINES_EDITABLE and ret.received_at is None


@login_required
@permission_required("returns.change_return", raise_exception=True)
def edit_items_view(request, reference):
    ret = return_or_404(request, reference)
    if not items_editable(ret):
        messages.error(request, _("The items of %(reference)s can no longer change: its goods were received or "
                                  "it is closed.") % {"reference": reference})
        return redirect("returns:detail", reference=reference)
    status = 200
    if request.method == "POST":
        form = ReturnItemsForm(request.POST, ret=ret)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing changed."))
                return redirect("returns:detail", reference=reference)
            try:
                services.return_edit(reference=reference, actor=request.user, changes=changes,
                                     expected_version=form.cleaned_data.get("version"), source="web")
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("%(reference)s saved.") % {"reference": reference})
                return redirect("returns:detail", reference=reference)
        status = 422
    else:
        form = ReturnItemsForm(ret=ret)
    return render(request, "returns/edit_items.html", {"nav": "returns", "ret": ret, "order": ret.order,
                                                       "form": form}, status=status)
