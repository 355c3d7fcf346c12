"""The actions of a return (approve, receive, complete, reject …) from its row menu or its
detail page: GET answers the action's form (into the modal), POST runs it through
`services.return_apply_action`, the same call as the API, and answers the updated row or
detail with a message. Recreate (Buat Retur Ulang) makes a new draft."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError
from tokodesk.returns import hooks, services
from tokodesk.returns.forms import CompleteForm, ReceiveForm, action_form_class
from tokodesk.returns.states import RETURN_TRANSITIONS, Status
from tokodesk.returns.views.common import htmx_response, is_htmx, menu_for, return_or_404, toast

DISPLAYS = {"row": "returns/_row.html", "detail": "returns/_detail_body.html"}
FORM_TEMPLATES = {"receive": "returns/_receive_form.html", "complete": "returns/_complete_form.html"}
HAND_BUILT_FORMS = {"receive": ReceiveForm, "complete": CompleteForm}


def render_display(request, ret, display) -> str:
    if display == "detail":
        from tokodesk.returns.views.detail import detail_context

        return render_to_string(DISPLAYS["detail"], detail_context(request, ret), request=request)
    from tokodesk.returns.views.list import COLUMNS

    context = {"row": {"ret": ret, "menu": menu_for(ret, request.user)}, "columns": COLUMNS, "swap": True}
    return render_to_string(DISPLAYS["row"], context, request=request)


def _form_for(transition, ret, data=None, files=None):
    if transition.action in HAND_BUILT_FORMS:
        return HAND_BUILT_FORMS[transition.action](data, ret=ret) if data is not None else \
            HAND_BUILT_FORMS[transition.action](ret=ret)
    form_class = action_form_class(transition)
    if form_class is None:
        return None
    return form_class(data, files) if data is not None else form_class()


def _form_response(request, ret, transition, form, display, *, status=200):
    template = FORM_TEMPLATES.get(transition.action, "returns/_action_form.html")
    response = render(request, template, {"ret": ret, "transition": transition, "form": form, "display": display,
                                          "email_step": hooks.has_email_step(transition.action)}, status=status)
    if request.method == "POST":
        response["HX-Retarget"] = "#modal-body"
        response["HX-Reswap"] = "innerHTML"
    return response


@login_required
def action_view(request, reference, action):
    ret = return_or_404(request, reference)
    transition = RETURN_TRANSITIONS.transitions.get(action)
    if transition is None or not transition.sources:
        raise Http404
    display = request.POST.get("display") or request.GET.get("display") or "row"
    if display not in DISPLAYS:
        display = "row"
    if request.method == "GET":
        return _form_response(request, ret, transition, _form_for(transition, ret), display)
    if request.method != "POST":
        return HttpResponse(status=405)

    form = _form_for(transition, ret, request.POST, request.FILES)
    inputs, files = {}, {}
    if form is not None:
        if not form.is_valid():
            return _form_response(request, ret, transition, form, display, status=422 if not is_htmx(request) else 200)
        inputs = form.to_inputs()
        files = form.uploads() if hasattr(form, "uploads") else {}
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    base_url = request.build_absolute_uri("/").rstrip("/")
    notify = request.POST.get("notify")
    mailer = hooks.action_mailer() if hooks.has_email_step(transition.action) else None
    if mailer is not None and request.POST.get("step") == "preview":
        # The French seed's window: the e-mail this action would send, from a dry run of
        # it; the user then changes the status only, or changes it and sends the e-mail.
        try:
            preview = mailer.preview(
                reference=reference, action=action, actor=request.user, inputs=inputs, expected_version=expected,
                label_name=files["label"].name if files.get("label") else None, base_url=base_url)
        except DomainError as exc:
            form.add_service_error(exc)
            return _form_response(request, ret, transition, form, display,
                                  status=200 if is_htmx(request) else exc.status)
        response = render(request, "returns/_email_step.html", {"preview": preview, "transition": transition})
        response["HX-Retarget"] = "#email-preview"
        response["HX-Reswap"] = "innerHTML"
        return response
    notification = None
    try:
        if mailer is not None and notify in ("send", "skip"):
            updated, notification = mailer.act_and_notify(
                reference=reference, action=action, actor=request.user, inputs=inputs, files=files,
                send=notify == "send", expected_version=expected, base_url=base_url, source="web")
        else:
            updated = services.return_apply_action(reference=reference, action=action, actor=request.user,
                                                   inputs=inputs, expected_version=expected, source="web",
                                                   files=files)
    except DomainError as exc:
        if form is not None:
            form.add_service_error(exc)
            return _form_response(request, ret, transition, form, display,
                                  status=200 if is_htmx(request) else exc.status)
        if not is_htmx(request):
            messages.error(request, str(exc.message))
            return redirect("returns:detail", reference=reference)
        response = HttpResponse(toast(request, exc.message, messages.ERROR))
        response["HX-Reswap"] = "none"
        response["HX-Trigger"] = "tokodesk:closeModal"
        return response
    text = _("%(reference)s: %(action)s → %(status)s") % {
        "reference": updated.reference, "action": transition.label, "status": Status(updated.status).label}
    if notification is not None:
        text += " " + _("E-mail to %(to)s queued.") % {"to": notification.to}
    if not is_htmx(request):
        messages.success(request, text)
        return redirect("returns:detail", reference=updated.reference)
    ret = return_or_404(request, updated.reference)
    html = render_display(request, ret, display) + toast(request, text)
    return htmx_response(html, trigger="tokodesk:closeModal, returnsChanged")


@login_required
@require_POST
def recreate_view(request, reference):
    """Buat Retur Ulang: a new draft with the lines and reason of a rejected or cancelled
    return; the page of the new return opens."""
    return_or_404(request, reference)
    try:
        new = services.return_recreate(reference=reference, actor=request.user, source="web")
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("returns:detail", reference=reference)
    messages.success(request, _("%(new)s created from %(old)s.") % {"new": new.reference, "old": reference})
    return redirect("returns:detail", reference=new.reference)
