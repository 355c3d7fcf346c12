"""Report templates (issue 17): the list of documents (return slip, return summary), the
editor (HTML + CSS with the variables beside, Preview, Save, Reset to default) for owner and
admin, the preview of unsaved text, and the return summary of one return (HTML or PDF).
Every write is a `returns.reports.services` call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import NotFound, ValidationFailed
from tokodesk.core.l10n import valid_locale
from tokodesk.core.pdf import PdfUnavailable
from tokodesk.core.report_tags import ALLOWED_FILTERS, ALLOWED_TAGS, OUR_FILTERS, OUR_TAGS
from tokodesk.returns.reports import services
from tokodesk.returns.reports.context import VARIABLES
from tokodesk.returns.reports.models import ReportDocument
from tokodesk.returns.selectors import return_queryset_for

# The preview is the owner's HTML shown in a frame of the editor: its own page, sandboxed,
# no script, nothing fetched but data: images, framed only by our own pages.
PREVIEW_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; frame-ancestors 'self'"
)


def _require(user):
    if not user.has_perm(services.PERMISSION):
        raise PermissionDenied


def _document_or_404(document: str) -> str:
    if document not in ReportDocument.values:
        raise Http404
    return document


@login_required
@require_GET
def report_templates_view(request):
    _require(request.user)
    stored = {row.document: row for row in services.ReportTemplate.objects.all()}
    documents = [
        {"key": value, "label": label, "row": stored.get(value)}
        for value, label in ReportDocument.choices
    ]
    return render(request, "returns/reports_list.html", {"nav": "settings", "documents": documents})


def _visible_return(user, reference: str):
    reference = (reference or "").strip()
    if not reference:
        return None
    return (
        return_queryset_for(user)
        .select_related("order__customer", "customer", "reason", "custom_state")
        .filter(reference=reference)
        .first()
    )


@login_required
def report_template_edit_view(request, document: str):
    _require(request.user)
    document = _document_or_404(document)
    row = services.stored(document)
    default_html, default_css = services.default_template(document)
    html, css = (row.html, row.css) if row else (default_html, default_css)
    errors, status = {}, 200
    if request.method == "POST":
        op = request.POST.get("op", "save")
        if op == "reset":
            services.template_reset(actor=request.user, document=document)
            messages.success(request, _("Back to the built-in template."))
            return redirect(reverse("returns:report_template", args=[document]))
        html, css = request.POST.get("html", ""), request.POST.get("css", "")
        try:
            services.template_save(actor=request.user, document=document, html=html, css=css)
        except ValidationFailed as exc:
            errors = {"message": str(exc.message), **{k: str(v) for k, v in exc.fields.items()}}
            status = 422
        else:
            messages.success(request, _("Template saved."))
            return redirect(reverse("returns:report_template", args=[document]))
    context = {
        "nav": "settings",
        "document": document,
        "document_label": ReportDocument(document).label,
        "row": row,
        "html": html,
        "css": css,
        "errors": errors,
        "variables": [(name, str(text)) for name, text in VARIABLES],
        "variables_help": _(
            "Write them as %(variable)s; loop over lists with %(loop)s. Money is in the "
            "currency's smallest unit: print it with %(money)s."
        )
        % {
            "variable": "{{ return.reference }}",
            "loop": "{% for line in lines %} … {% endfor %}",
            "money": "|money:currency",
        },
        "tags": ALLOWED_TAGS + ("translate", "blocktranslate") + OUR_TAGS,
        "filters": OUR_FILTERS + ALLOWED_FILTERS,
        "languages": _languages(),
        "preview_language": _default_preview_language(document),
    }
    return render(request, "returns/report_edit.html", context, status=status)


def _languages():
    from django.conf import settings

    return [(code, _(name)) for code, name in settings.LANGUAGES]


def _default_preview_language(document: str) -> str:
    return translation.get_language() or "id"


def _problem_page(exc: ValidationFailed) -> str:
    items = "".join(f"<li>{escape(message)}</li>" for message in exc.fields.values())
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{font-family:sans-serif;'
        f"color:#8a1c1c;padding:12px}}</style></head><body><p><strong>{escape(str(exc.message))}</strong></p>"
        f"<ul>{items}</ul></body></html>"
    )


@login_required
@require_POST
@xframe_options_sameorigin
def report_template_preview_view(request, document: str):
    """The unsaved HTML + CSS rendered for a return of the user's (reference) or the sample
    return, in the language asked for: a sandboxed HTML page (shown in the editor's frame)
    or the PDF (format=pdf). Nothing is saved."""
    _require(request.user)
    document = _document_or_404(document)
    reference = request.POST.get("reference", "")
    ret = _visible_return(request.user, reference)
    if reference.strip() and ret is None:
        response = HttpResponse(
            _problem_page(
                ValidationFailed(
                    "invalid_input",
                    _("The template cannot be previewed: fix the problems below."),
                    fields={"reference": _("No return of yours has this reference.")},
                )
            ),
            status=422,
        )
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response
    locale = valid_locale(request.POST.get("lang")) or translation.get_language() or "id"
    try:
        page = services.preview_page(
            document,
            request.POST.get("html", ""),
            request.POST.get("css", ""),
            locale=locale,
            ret=ret,
        )
    except ValidationFailed as exc:
        response = HttpResponse(_problem_page(exc), status=422)
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response
    if request.POST.get("format") == "pdf":
        try:
            pdf = services.render_pdf(page)
        except PdfUnavailable as exc:
            return HttpResponse(
                str(exc.message), status=503, content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document}-preview.pdf"'
        return response
    response = HttpResponse(page)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


# --- the return summary of one return --------------------------------------------------------


def _summary_return(request, reference: str):
    ret = _visible_return(request.user, reference)
    if ret is None:
        raise Http404
    return ret


def _summary_locale(request) -> str:
    return valid_locale(request.GET.get("lang")) or translation.get_language() or "id"


@login_required
@require_GET
def return_summary_view(request, reference: str):
    """/returns/<reference>/summary/: the return summary (staff) as a page, in the user's
    language (?lang= another), from the shop's template when it has one."""
    ret = _summary_return(request, reference)
    nonce = getattr(request, "csp_nonce", None)
    try:
        page = services.render_page(
            "summary",
            ret,
            locale=_summary_locale(request),
            style_nonce=str(nonce) if nonce is not None else "",
        )
    except NotFound:
        raise Http404 from None
    return HttpResponse(page)


@login_required
@require_GET
def return_summary_pdf_view(request, reference: str):
    ret = _summary_return(request, reference)
    page = services.render_page("summary", ret, locale=_summary_locale(request))
    try:
        pdf = services.render_pdf(page)
    except PdfUnavailable as exc:
        return HttpResponse(str(exc.message), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{ret.reference}-summary.pdf"'
    return response
