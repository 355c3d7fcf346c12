"""The htmx view of a document's actions, made from its transition table: one factory for
the orders and the returns pages (the API's twin is core.api.actions).

`action_view(ActionPage(...))` answers `…/<reference>/actions/<action>/`:

- GET: the action's modal — its form, or (no input) a confirmation step with the action's
  help and a confirm button, so an action that undoes work or cancels never runs on one
  click; the page's menus open this modal for those (`ask`);
- POST: the form parsed, the service called with the version the user saw (`version`) and
  the uploaded files, then the changed display (row, card or detail) with a message, or
  the form again with its errors, or the refusal as a message.

It knows nothing of orders or returns: the app gives its table, how to find the document
(scoped, 404 otherwise), its forms, how to run an action (its service), how to draw a
display, its templates and its names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.core.transitions import TransitionTable


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass
class ActionPage:
    """What the factory needs from an app. The callables:

    - get_object(request, reference) -> the document the user may see, or raise Http404;
    - form_for(transition, obj, data, files) -> a bound form (data not None), an unbound
      one, or None when the action takes no input. A form gives `to_inputs()` and may give
      `uploads()` (files for the service) and `add_service_error(exc)` (a refusal shown in
      the form rather than as a message);
    - run(request, obj, transition, inputs, files, expected_version) -> (updated document,
      extra text for the message or ""); raises DomainError;
    - render_display(request, obj, display) -> the HTML of the row, card or detail;
    - status_label(obj) -> the document's status in words;
    - error_text(exc) -> the message of a refusal (default: its message);
    - intercept(request, obj, transition, form, inputs, files, expected, page) -> a response
      instead of running (the returns' e-mail preview step) or None;
    - extra_context(transition) -> more for the form template.
    """

    table: TransitionTable
    object_name: str  # the template's name for the document ("order", "ret")
    get_object: Callable
    form_for: Callable
    run: Callable
    render_display: Callable
    status_label: Callable
    displays: tuple[str, ...]
    template: str  # the modal: the form or the confirmation step
    templates: Mapping[str, str] = field(default_factory=dict)  # per action, when it has its own
    changed_event: str = ""  # the htmx event lists listen to ("ordersChanged")
    detail_url: Callable | None = None  # without htmx: redirect there with a message
    error_text: Callable = lambda exc: str(exc.message)
    intercept: Callable | None = None
    extra_context: Callable | None = None
    help_texts: Mapping[str, object] = field(
        default_factory=dict
    )  # what each action does, in words

    def transition(self, action: str):
        transition = self.table.transitions.get(action)
        if transition is None or not transition.sources:  # unknown, or an entry action
            raise Http404
        return transition

    def form_response(self, request, obj, transition, form, display, *, status=200) -> HttpResponse:
        context = {
            self.object_name: obj,
            "transition": transition,
            "form": form,
            "display": display,
            "help": self.help_texts.get(transition.action, ""),
        }
        if self.extra_context is not None:
            context.update(self.extra_context(transition))
        response = render(
            request, self.templates.get(transition.action, self.template), context, status=status
        )
        if request.method == "POST":  # the form again, with its errors: into the open modal
            response["HX-Retarget"] = "#modal-body"
            response["HX-Reswap"] = "innerHTML"
        return response

    def refusal_response(self, request, obj, exc: DomainError) -> HttpResponse:
        text = self.error_text(exc)
        if not is_htmx(request) and self.detail_url is not None:
            messages.error(request, text)
            return redirect(self.detail_url(obj))
        response = HttpResponse(toast(request, text, messages.ERROR))
        response["HX-Reswap"] = "none"
        response["HX-Trigger"] = "tokodesk:closeModal"
        return response


def toast(request, text, level=messages.SUCCESS) -> str:
    """An out-of-band message for htmx answers (core/_toast.html)."""
    from django.template.loader import render_to_string

    css = {messages.SUCCESS: "success", messages.ERROR: "error", messages.WARNING: "warning"}.get(
        level, ""
    )
    return render_to_string("core/_toast.html", {"text": text, "level": css}, request=request)


def action_view(page: ActionPage):
    """The view of `…/<reference>/actions/<action>/` for the app's `page`."""

    @login_required
    def view(request, reference, action):
        obj = page.get_object(request, reference)
        transition = page.transition(action)
        display = request.POST.get("display") or request.GET.get("display") or page.displays[0]
        if display not in page.displays:
            display = page.displays[0]
        if request.method == "GET":
            return page.form_response(
                request, obj, transition, page.form_for(transition, obj, None, None), display
            )
        if request.method != "POST":
            return HttpResponse(status=405)

        form = page.form_for(transition, obj, request.POST, request.FILES)
        inputs, files = {}, {}
        if form is not None:
            if not form.is_valid():
                return page.form_response(
                    request, obj, transition, form, display, status=200 if is_htmx(request) else 422
                )
            inputs = form.to_inputs()
            files = form.uploads() if hasattr(form, "uploads") else {}
        version = request.POST.get("version")
        expected = int(version) if version and version.isdigit() and len(version) <= 18 else None
        try:
            if page.intercept is not None:
                response = page.intercept(
                    request, obj, transition, form, inputs, files, expected, page
                )
                if response is not None:
                    return response
            updated, extra = page.run(request, obj, transition, inputs, files, expected)
        except DomainError as exc:
            if form is not None and hasattr(form, "add_service_error"):
                form.add_service_error(exc)
                return page.form_response(
                    request,
                    obj,
                    transition,
                    form,
                    display,
                    status=200 if is_htmx(request) else exc.status,
                )
            return page.refusal_response(request, obj, exc)
        obj = page.get_object(request, updated.reference)
        action_label, status_label = str(transition.label), str(page.status_label(obj))
        if action_label == status_label:  # "Item Retur Diterima → Item Retur Diterima" says it once
            text = _("%(reference)s: %(status)s") % {
                "reference": obj.reference,
                "status": status_label,
            }
        else:
            text = _("%(reference)s: %(action)s → %(status)s") % {
                "reference": obj.reference,
                "action": action_label,
                "status": status_label,
            }
        if extra:
            text = f"{text} {extra}"
        if not is_htmx(request) and page.detail_url is not None:
            messages.success(request, text)
            return redirect(page.detail_url(obj))
        response = HttpResponse(page.render_display(request, obj, display) + toast(request, text))
        response["HX-Trigger"] = ", ".join(
            e for e in ("tokodesk:closeModal", page.changed_event) if e
        )
        return response

    return view
