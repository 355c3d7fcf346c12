"""The settings page (owner only): the sections the apps register in core.settings_pages
(the shop profile, orders, returns…), each its own form and Save button, so saving one never
touches another. This view knows no section: neither orders nor core imports returns."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tokodesk.core import settings_pages
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.services import settings_update


def _form(section, data=None, files=None):
    current = section.model.get()
    if section.make_form is not None:
        return section.make_form(data, files, current)
    initial = {name: getattr(current, name) for name in section.form_class.base_fields}
    return section.form_class(data, initial=initial)


def _save(section, form, actor) -> None:
    if section.save is not None:
        section.save(form, actor)
    else:
        settings_update(actor=actor, changes=form.cleaned_data)


@login_required
@permission_required("orders.manage_settings", raise_exception=True)
def settings_view(request):
    registered = settings_pages.sections()
    keys = [s.key for s in registered]
    # A POST names its section (the orders form did not always, so it is the default).
    posted = request.POST.get("section", "orders") if request.method == "POST" else None
    if posted is not None and posted not in keys:
        posted = "orders"
    forms_by_section = {}
    for section in registered:
        if section.key == posted:
            forms_by_section[section.key] = _form(section, request.POST, request.FILES)
        else:
            forms_by_section[section.key] = _form(section)
    if posted is not None:
        section = settings_pages.section(posted)
        form = forms_by_section[posted]
        if form.is_valid():
            target = getattr(form, "form", form)  # the shop profile wraps its form
            try:
                _save(section, form, request.user)
            except ValidationFailed as exc:
                for field, message in exc.fields.items():
                    target.add_error(field if field in target.fields else None, message)
                if not exc.fields:
                    target.add_error(None, exc.message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect(reverse("orders:settings") + f"#{posted}")
    sections = [
        {"key": s.key, "title": s.title, "intro": s.intro, "template": s.template,
         "form": forms_by_section[s.key], "page": s.page}
        for s in registered
    ]
    return render(
        request,
        "orders/settings.html",
        {"sections": sections, "form": forms_by_section.get("orders"), "nav": "settings"},
    )
