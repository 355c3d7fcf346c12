"""The carriers page (owner and admin, issue 17): add a carrier with its services and
tracking URL pattern, change one, deactivate it. Writes go through shipping.carriers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.shipping.carriers import courier_save
from tokodesk.shipping.models import Courier


@login_required
def carriers_view(request):
    if not request.user.has_perm("shipping.change_courier"):
        raise PermissionDenied
    errors: dict = {}
    post = request.POST
    if request.method == "POST":
        create = bool(post.get("new"))
        try:
            courier_save(actor=request.user, code=post.get("code", ""), name=post.get("name", ""),
                         services=post.get("services", ""), tracking_url=post.get("tracking_url", ""),
                         active=True if create else bool(post.get("active")), create=create)
        except DomainError as exc:
            errors = {k: str(v) for k, v in exc.fields.items()}
            errors["message"] = str(exc.message)
            errors["row"] = "new" if create else post.get("code", "")
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("shipping:carriers"))
    rows = [{"c": c, "services": ", ".join(c.services or [])} for c in Courier.objects.order_by("-active", "name")]
    return render(request, "shipping/carriers.html", {
        "nav": "settings", "rows": rows, "errors": errors, "posted": post if errors else {},
    }, status=422 if errors else 200)
