"""The owner's courier accounts page (/shipping/couriers/): credentials per adapter. Secret
values are never sent back to the browser (shipping/couriers/accounts.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.shipping.couriers import accounts


@login_required
@permission_required(accounts.MANAGE, raise_exception=True)
def courier_accounts_view(request):
    errors = {}
    if request.method == "POST":
        adapter = request.POST.get("adapter", "")[:30]
        values = {k[len("cred_") :]: v for k, v in request.POST.items() if k.startswith("cred_")}
        clear = tuple(request.POST.getlist("clear"))
        try:
            accounts.courier_account_save(
                adapter=adapter, values=values, clear=clear, actor=request.user
            )
        except DomainError as exc:
            errors = {"adapter": adapter, "message": exc.message, "fields": exc.fields}
        else:
            messages.success(request, _("Courier account saved."))
            return redirect("shipping:courier_accounts")
    return render(
        request,
        "shipping/dispatch_accounts.html",
        {
            "nav": "settings",
            "accounts": accounts.accounts_overview(),
            "errors": errors,
        },
        status=422 if errors else 200,
    )
