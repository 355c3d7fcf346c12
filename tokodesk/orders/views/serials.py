"""Record the serial numbers shipped (issue 17): the warehouse types or scans one serial per
unit of each serial-tracked line while the order is packed or on its way; saved by
`orders.serials.order_record_serials` (the API's POST …/serials) under the version seen."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tokodesk.core.errors import DomainError
from tokodesk.orders import selectors
from tokodesk.orders.forms import split_serials
from tokodesk.orders.serials import SERIAL_STATUSES, order_record_serials


class SerialsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, order, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["version"].initial = order.version
        for line in lines:
            self.fields[f"serials_{line.pk}"] = forms.CharField(
                label=gettext_lazy("Serial numbers (one per line or scan)"), required=False, max_length=20000,
                initial="\n".join(line.serial_numbers), widget=forms.Textarea(attrs={"rows": min(max(line.qty, 2), 8)}))

    def rows(self):
        return [{"line": line, "field": self[f"serials_{line.pk}"]} for line in self.lines]

    def inputs(self) -> list[dict]:
        return [{"line": line.pk, "serial_numbers": split_serials(self.cleaned_data.get(f"serials_{line.pk}"))}
                for line in self.lines]

    def add_service_error(self, exc) -> None:
        self.add_error(None, str(exc.message))
        for key, message in (exc.fields or {}).items():
            parts = key.split(".")
            name = None
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self.lines):
                name = f"serials_{self.lines[int(parts[1])].pk}"
            self.add_error(name, str(message))


@login_required
@permission_required("orders.ship_order", raise_exception=True)
def serials_view(request, reference):
    order = selectors.order_queryset_for(request.user).filter(reference=reference).first()
    if order is None:
        raise Http404
    lines = [line for line in order.lines.select_related("variant").order_by("id") if line.variant.serial_tracked]
    open_ = order.status in SERIAL_STATUSES
    status = 200
    if request.method == "POST" and open_ and lines:
        form = SerialsForm(request.POST, order=order, lines=lines)
        if form.is_valid():
            try:
                order_record_serials(reference=reference, actor=request.user, lines=form.inputs(),
                                     expected_version=form.cleaned_data.get("version"), source="web")
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Serial numbers of %(reference)s saved.") % {"reference": reference})
                return redirect("orders:detail", reference=reference)
        status = 422
    else:
        form = SerialsForm(order=order, lines=lines)
    return render(request, "orders/serials.html", {"nav": "orders", "order": order, "form": form,
                                                   "open": open_, "lines": lines}, status=status)
