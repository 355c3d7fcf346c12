"""Report templates over HTTP (issue 17), mounted at /api/v1/report-templates; owner and
admin only (the editor page's permission):

- GET    ""                      the documents: customised or built-in, version
- GET    /{document}             its html, css, version (also the ETag) and the variables
- PUT    /{document}             save html + css: If-Match (or `version`) required (428
                                 without, 412 when it changed since); 422 with the problems
                                 per field, each with its line, as the editor says them
- DELETE /{document}             back to the built-in template (If-Match required too)
- POST   /{document}/preview     unsaved html + css rendered for the sample return or one of
                                 yours (`reference`), in `lang`: the HTML page (sandboxed by
                                 its CSP) or the PDF (`format`: "pdf"); nothing is saved

The version is a number made from the template's text (services.version_of): a repeated PUT
of the same text succeeds. Every write is a `returns.reports.services` call."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tokodesk.core.api.common import ERRORS, ErrorOut, expected_version
from tokodesk.core.documents import require
from tokodesk.core.errors import DomainError, ValidationFailed
from tokodesk.core.l10n import valid_locale
from tokodesk.core.report_templates import MAX_CSS, MAX_HTML
from tokodesk.returns.reports import services
from tokodesk.returns.reports.context import VARIABLES
from tokodesk.returns.reports.models import ReportDocument
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.states import StrictIn
from tokodesk.returns.views.reports import PREVIEW_CSP  # the editor's frame's policy

router = Router(tags=["report templates"])

DocumentLit = Literal[tuple(ReportDocument.values)]  # type: ignore[valid-type]
LocaleLit = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]
WRITE_ERRORS = {**ERRORS, 428: ErrorOut}


class ReportTemplateSummaryOut(Schema):
    document: DocumentLit
    label: str
    customised: bool = Field(description="false: the built-in template")
    version: int = Field(description="Send it back as If-Match to change the template.")
    updated_at: str | None = None
    last_error: str = Field(
        "", description="The last time the saved template failed when a document was made."
    )


class VariableOut(Schema):
    name: str
    description: str


class ReportTemplateOut(ReportTemplateSummaryOut):
    html: str
    css: str
    variables: list[VariableOut]


class ReportTemplateIn(StrictIn):
    html: str = Field(max_length=MAX_HTML * 2)
    css: str = Field("", max_length=MAX_CSS * 2)
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class PreviewIn(StrictIn):
    html: str = Field(max_length=MAX_HTML * 2)
    css: str = Field("", max_length=MAX_CSS * 2)
    lang: LocaleLit | None = Field(None, description="The document's language (default: yours).")
    reference: str | None = Field(
        None, max_length=40, description="One of your returns (default: the sample return)."
    )
    format: Literal["html", "pdf"] = "html"


def _require(request) -> None:
    require(request.auth, services.PERMISSION)


def _summary(document: str) -> dict:
    html, css, row = services.current(document)
    return {
        "document": document,
        "label": str(ReportDocument(document).label),
        "customised": row is not None,
        "version": services.version_of(html, css),
        "updated_at": row.updated_at.isoformat() if row is not None else None,
        "last_error": row.last_error if row is not None else "",
    }


def _full(document: str) -> dict:
    html, css, _row = services.current(document)
    return {
        **_summary(document),
        "html": html,
        "css": css,
        "variables": [{"name": name, "description": str(text)} for name, text in VARIABLES],
    }


def _with_etag(response, document: str):
    response["ETag"] = f'"{services.version_of(*services.current(document)[:2])}"'
    return response


def _required_version(request, body_version: int | None) -> int:
    version = expected_version(request, body_version)
    if version is None and request.headers.get("If-Match", "").strip() != "*":
        raise DomainError(
            "precondition_required",
            _("Send the version you read, as If-Match (or version)."),
            fields={"If-Match": _("This field is required.")},
            status=428,
        )
    return version


@router.get(
    "",
    response={200: list[ReportTemplateSummaryOut], **ERRORS},
    summary="Report templates: the documents, customised or built-in",
)
def list_report_templates(request):
    _require(request)
    return [_summary(document) for document in ReportDocument.values]


@router.get(
    "/{document}",
    response={200: ReportTemplateOut, **ERRORS},
    summary="One report template: its HTML, CSS, version (ETag) and variables",
)
def get_report_template(request, document: DocumentLit, response: HttpResponse):
    _require(request)
    _with_etag(response, document)
    return _full(document)


@router.put(
    "/{document}",
    response={200: ReportTemplateOut, **WRITE_ERRORS},
    summary="Save a report template (If-Match required; validated against the sample return)",
)
def put_report_template(
    request, document: DocumentLit, payload: ReportTemplateIn, response: HttpResponse
):
    _require(request)
    version = _required_version(request, payload.version)
    services.template_save(
        actor=request.auth,
        document=document,
        html=payload.html,
        css=payload.css,
        expected_version=version,
    )
    _with_etag(response, document)
    return _full(document)


@router.delete(
    "/{document}",
    response={200: ReportTemplateOut, **WRITE_ERRORS},
    summary="Reset a report template to the built-in one (If-Match required)",
)
def reset_report_template(request, document: DocumentLit, response: HttpResponse):
    _require(request)
    version = _required_version(request, None)
    services.template_reset(actor=request.auth, document=document, expected_version=version)
    _with_etag(response, document)
    return _full(document)


@router.post(
    "/{document}/preview",
    response={200: None, 503: ErrorOut, **ERRORS},
    summary="Preview unsaved HTML + CSS (HTML page or PDF); nothing is saved",
)
def preview_report_template(request, document: DocumentLit, payload: PreviewIn):
    _require(request)
    ret = None
    if payload.reference:
        ret = (
            return_queryset_for(request.auth)
            .select_related("order__customer", "customer", "reason", "custom_state")
            .filter(reference=payload.reference.strip())
            .first()
        )
        if ret is None:
            raise ValidationFailed(
                "invalid_input",
                _("The template cannot be previewed: fix the problems below."),
                fields={"reference": _("No return of yours has this reference.")},
            )
    locale = valid_locale(payload.lang) or translation.get_language() or "id"
    page = services.preview_page(document, payload.html, payload.css, locale=locale, ret=ret)
    if payload.format == "pdf":
        response = HttpResponse(services.render_pdf(page), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document}-preview.pdf"'
        return response
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response
