"""Export templates and exports over HTTP: parse → service → serialize."""

from __future__ import annotations

import uuid

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja import Status as HttpStatus

from tokodesk.core.api.common import ERRORS
from tokodesk.core.errors import Conflict, PermissionDenied
from tokodesk.exports import services
from tokodesk.exports.columns import COLUMNS
from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.exports.schemas import (
    AvailableColumnOut,
    ExportIn,
    ExportOut,
    TemplateIn,
    TemplateOut,
    TemplatePatchIn,
)

templates_router = Router(tags=["exports"])
exports_router = Router(tags=["exports"])


def _require_export(user) -> None:
    if not services.can_export(user):
        raise PermissionDenied("forbidden", _("You cannot export orders."))


def template_out(template: ExportTemplate) -> dict:
    return {"id": template.pk, "name": template.display_name, "delimiter": template.effective_delimiter,
            "built_in": template.built_in, "columns": services.template_columns(template),
            "updated_at": template.updated_at}


@templates_router.get("", response={200: list[TemplateOut], **ERRORS}, summary="Export templates")
def list_templates(request):
    _require_export(request.auth)
    return [template_out(t) for t in ExportTemplate.objects.all()]


@templates_router.get("/columns", response={200: list[AvailableColumnOut], **ERRORS},
                      summary="The columns a template can hold")
def list_columns(request):
    _require_export(request.auth)
    return [{"field": c.key, "label": str(c.label), "group": str(c.group)} for c in COLUMNS]


@templates_router.post("", response={201: TemplateOut, **ERRORS}, summary="Create an export template (owner, admin)")
def create_template(request, payload: TemplateIn):
    template = services.template_create(actor=request.auth, name=payload.name, columns=payload.columns,
                                        delimiter=payload.delimiter)
    return HttpStatus(201, template_out(template))


@templates_router.get("/{template_id}", response={200: TemplateOut, **ERRORS}, summary="One export template")
def get_template(request, template_id: int):
    _require_export(request.auth)
    return template_out(services.template_get(template_id))


@templates_router.patch("/{template_id}", response={200: TemplateOut, **ERRORS},
                        summary="Change an export template (not a built-in one)")
def patch_template(request, template_id: int, payload: TemplatePatchIn):
    changes = payload.model_dump(exclude_unset=True)
    template = services.template_update(actor=request.auth, template_id=template_id, changes=changes)
    return template_out(template)


@templates_router.delete("/{template_id}", response={204: None, **ERRORS},
                         summary="Delete an export template (not a built-in one)")
def delete_template(request, template_id: int):
    services.template_delete(actor=request.auth, template_id=template_id)
    return HttpStatus(204, None)


def export_out(request, export: Export) -> dict:
    done = export.status == Export.Status.DONE
    return {
        "id": export.pk, "status": export.status, "template": export.template_id,
        "template_name": export.template_name, "rows_total": export.rows_total, "rows_done": export.rows_done,
        "progress": export.progress, "error": export.error, "created_at": export.created_at,
        "finished_at": export.finished_at,
        "url": request.build_absolute_uri(reverse("exports:detail", args=[export.pk])),
        "download_url": request.build_absolute_uri(reverse("api:export_download", args=[export.pk]))
        if done else None,
    }


@exports_router.post("", response={202: ExportOut, **ERRORS},
                     summary="Export orders to CSV in the background",
                     description="Body: `template` and either `filters` (the filters of GET /api/v1/orders; "
                                 "none: every order you can see) or `references`. Answers 202 at once; poll "
                                 "GET /api/v1/exports/{id} until `status` is `done`, then download.")
def create_export(request, payload: ExportIn):
    _require_export(request.auth)
    template = services.template_get(payload.template)
    if payload.references is not None and payload.filters is not None:
        from tokodesk.core.errors import ValidationFailed

        raise ValidationFailed("invalid_input", _("Send filters or references, not both."),
                               fields={"references": _("Send filters or references, not both.")})
    if payload.references is not None:
        export = services.export_create(user=request.auth, template=template,
                                        references=services.clean_references(payload.references))
    else:
        export = services.export_create(user=request.auth, template=template,
                                        filters=services.parse_filters(payload.filters))
    return HttpStatus(202, export_out(request, export))


@exports_router.get("", response={200: list[ExportOut], **ERRORS}, summary="Your recent exports")
def list_exports(request):
    _require_export(request.auth)
    return [export_out(request, e) for e in Export.objects.filter(user=request.auth)[:50]]


@exports_router.get("/{export_id}", response={200: ExportOut, **ERRORS},
                    summary="An export's status and progress")
def get_export(request, export_id: uuid.UUID):
    return export_out(request, services.export_get(user=request.auth, export_id=export_id))


@exports_router.post("/{export_id}/retry", response={202: ExportOut, **ERRORS},
                     summary="Run a failed export again",
                     description="Only a `failed` export (409 otherwise): it is queued again as it was asked "
                                 "for; poll GET /api/v1/exports/{id}.")
def retry_export(request, export_id: uuid.UUID):
    _require_export(request.auth)
    return HttpStatus(202, export_out(request, services.export_retry(user=request.auth, export_id=export_id)))


@exports_router.get("/{export_id}/download", response={200: None, **ERRORS}, url_name="export_download",
                    summary="The export's CSV file (once done)")
def download_export(request, export_id: uuid.UUID):
    export = services.export_get(user=request.auth, export_id=export_id)
    return file_response(export)


def file_response(export: Export) -> FileResponse:
    if export.status != Export.Status.DONE or not export.file:
        raise Conflict("not_ready", _("The export is not finished yet."))
    path = services.export_file_path(export)
    if not path.exists():
        raise Conflict("gone", _("The file of this export is no longer kept; export again."), status=410)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=export.filename,
                            content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
