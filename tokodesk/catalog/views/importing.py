"""Catalog import (upload → preview → import) and export, by CSV or Excel (.xlsx). The uploaded file is
kept in the session between the preview and the import (at most 5 MB), and checked again
when imported: the catalog may have changed meanwhile."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.catalog import xlsx
from tokodesk.catalog.forms import ImportForm
from tokodesk.catalog.services import importing
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.uploads import TABLES, clean_upload

SESSION_KEY = "catalog_import"


@login_required
@permission_required("catalog.add_product", raise_exception=True)
def import_view(request):
    currency = ShopSettings.get().currency
    preview = None
    form = ImportForm()
    status = 200
    if request.method == "POST" and request.POST.get("step") == "apply":
        stored = request.session.get(SESSION_KEY) or {}
        if stored.get("digest") != request.POST.get("digest"):
            messages.error(request, _("Upload the file again."))
            return redirect("catalog:import")
        data = base64.b64decode(stored["data"])
        only_valid = request.POST.get("only_valid") == "1"
        preview = importing.import_apply(
            data=data, actor=request.user, only_valid=only_valid, currency=currency
        )
        if preview.ok or (only_valid and not preview.file_errors and preview.valid_rows):
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request, _("Imported %(count)s rows.") % {"count": len(preview.valid_rows)}
            )
            return redirect("catalog:list")
        status = 422
        digest = stored["digest"]
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:  # the one upload path: the type from the content (CSV text or .xlsx)
                data = clean_upload(
                    upload, field="file", allowed=TABLES, max_bytes=importing.MAX_BYTES
                ).read()
            except ValidationFailed as exc:
                form.add_error("file", str(exc.message))
                status = 422
            else:
                preview = importing.import_preview(data=data, actor=request.user, currency=currency)
                digest = hashlib.sha256(data).hexdigest()
                request.session[SESSION_KEY] = {
                    "data": base64.b64encode(data).decode(),
                    "digest": digest,
                }
                status = 200 if preview.ok else 422
        else:
            status = 422
    context = {
        "nav": "catalog",
        "form": form,
        "preview": preview,
        "columns": importing.COLUMNS + importing.STOCK_COLUMNS,
    }
    if preview is not None:
        context.update(
            digest=digest,
            bad_rows=preview.bad_rows[:500],
            bad_count=len(preview.bad_rows),
            valid_count=len(preview.valid_rows),
        )
    return render(request, "catalog/import.html", context, status=status)


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def export_view(request):
    data = importing.export_csv(ShopSettings.get().currency)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.csv"'
    return response


@login_required
@permission_required("catalog.view_product", raise_exception=True)
def export_xlsx_view(request):
    """The same rows as the CSV export, as an Excel workbook (written to a temporary file,
    streamed)."""
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        importing.export_xlsx(ShopSettings.get().currency),
        as_attachment=True,
        filename=f"catalog-{stamp}.xlsx",
        content_type=xlsx.CONTENT_TYPE,
    )
