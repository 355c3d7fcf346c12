"""The actions of a return (approve, receive, complete, reject …) from its row menu or its
detail page: GET answers the action's form (into the modal), POST runs it through
`services.return_apply_action`, the same call as the API, and answers the updated row or
detail with a message. Recreate (Buat Retur Ulang) makes a new draft."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.action_views import ActionPage
from tokodesk.core.action_views import action_view as core_action_view
from tokodesk.core.errors import DomainError
from tokodesk.returns import hooks, services
from tokodesk.returns.forms import CompleteForm, ReceiveForm, action_form_class, with_custom_states
from tokodesk.returns.help import ACTION_HELP
from tokodesk.returns.states import RETURN_TRANSITIONS, Status
from tokodesk.returns.views.common import return_or_404, row_for

DISPLAYS = {"row": "returns/_row.html", "detail": "returns/_detail_body.html"}
FORM_TEMPLATES = {"receive": "returns/_receive_form.html", "complete": "returns/_complete_form.html"}
HAND_BUILT_FORMS = {"receive": ReceiveForm, "complete": CompleteForm}


def render_display(request, ret, display) -> str:
    if display == "detail":
        from tokodesk.returns.views.detail import detail_context

        return render_to_string(DISPLAYS["detail"], detail_context(request, ret), request=request)
    from tokodesk.returns.views.list import COLUMNS

    context = {"row": row_for(ret, request.user), "columns": COLUMNS, "swap": True}
    return render_to_string(DISPLAYS["row"], context, request=request)


def _form_for(transition, ret, data, files):
    if transition.action in HAND_BUILT_FORMS:
        form_class = HAND_BUILT_FORMS[transition.action]
        return form_class(data, ret=ret) if data is not None else form_class(ret=ret)
    form_class = action_form_class(transition)
    if form_class is None:
        return None
    form = form_class(data, files) if data is not None else form_class()
    return with_custom_states(form, ret, transition)


def _mailer(transition):
    return hooks.action_mailer() if hooks.has_email_step(transition.action) else None


def _preview(request, ret, transition, form, inputs, files, expected, page):
    """The French seed's window: the e-mail this action would send, from a dry run of it;
    the user then changes the status only, or changes it and sends the e-mail."""
    mailer = _mailer(transition)
    if mailer is None or request.POST.get("step") != "preview":
        return None
    preview = mailer.preview(
        reference=ret.reference, action=transition.action, actor=request.user, inputs=inputs,
        expected_version=expected, label_name=files["label"].name if files.get("label") else None,
        base_url=request.build_absolute_uri("/").rstrip("/"))
    response = render(request, "returns/_email_step.html", {"preview": preview, "transition": transition})
    response["HX-Retarget"] = "#email-preview"
    response["HX-Reswap"] = "innerHTML"
    return response


def _run(request, ret, transition, inputs, files, expected):
    mailer = _mailer(transition)
    notify = request.POST.get("notify")
    if mailer is not None and notify in ("send", "skip"):
        updated, notification = mailer.act_and_notify(
            reference=ret.reference, action=transition.action, actor=request.user, inputs=inputs, files=files,
            send=notify == "send", expected_version=expected,
            base_url=request.build_absolute_uri("/").rstrip("/"), source="web")
        if notification is not None:
            return updated, _("E-mail to %(to)s queued.") % {"to": notification.to}
        return updated, ""
    updated = services.return_apply_action(reference=ret.reference, action=transition.action, actor=request.user,
                                           inputs=inputs, expected_version=expected, source="web", files=files)
    return updated, ""


# GET: the action's form or confirmation step (into the modal). POST: run it through
# services.return_apply_action (or the e-mail step's), answer with the updated row or
# detail and a message; without htmx, back to the return's page (core.action_views).
action_view = core_action_view(ActionPage(
    table=RETURN_TRANSITIONS, object_name="ret", get_object=return_or_404, form_for=_form_for, run=_run,
    render_display=render_display, status_label=lambda ret: Status(ret.status).label, displays=tuple(DISPLAYS),
    template="returns/_action_form.html", templates=FORM_TEMPLATES, changed_event="returnsChanged",
    detail_url=lambda ret: reverse("returns:detail", args=[ret.reference]), intercept=_preview,
    extra_context=lambda transition: {"email_step": hooks.has_email_step(transition.action)},
    help_texts=ACTION_HELP,
))


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
