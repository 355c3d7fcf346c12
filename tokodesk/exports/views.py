"""Export pages: start an export from the orders page, follow its progress, download it;
manage the export templates (owner, admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError, NotFound, ValidationFailed
from tokodesk.exports import services
from tokodesk.exports.api import file_response
from tokodesk.exports.forms import TemplateForm
from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.orders.forms import OrderFilterForm


def _require(allowed: bool) -> None:
    if not allowed:
        raise DjangoPermissionDenied


# --- exporting ---------------------------------------------------------------------------


def _orders_url(query: str) -> str:
    return reverse("orders:list") + (f"?{query}" if query else "")


def _page_filters(user, query: str) -> dict:
    """The orders page's filters (its query string) as export filters; paging, sort and
    view keys are ignored. Invalid filters are refused rather than widened to "all"."""
    form = OrderFilterForm(QueryDict(query), user=user)
    if not form.is_valid():
        raise ValidationFailed("invalid_input", _("The filters of the page are not valid; fix them first."))
    return services.parse_filters(form.filter_values())


@login_required
@require_POST
def export_start_view(request):
    """"Create" in the export menu of the orders page: the checked orders or everything
    under the page's filter and tab, with the chosen template. Small exports download at
    once; large ones go to the worker and this answers with their progress page."""
    _require(services.can_export(request.user))
    query = request.POST.get("query", "").lstrip("?")[:4000]
    back = _orders_url(query)
    try:
        raw = request.POST.get("template", "")
        template = ExportTemplate.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if template is None:
            raise ValidationFailed("invalid_input", _("Choose an export template."))
        filters, references = None, None
        if request.POST.get("scope") == "selected":
            references = services.clean_references(request.POST.getlist("refs"))
        else:
            filters = _page_filters(request.user, query)
        count = services.export_queryset(user=request.user, filters=filters, references=references).count()
        if not count:
            raise ValidationFailed("nothing", _("No order to export."))
        if count <= services.sync_limit():
            return services.stream_response(user=request.user, template=template, filters=filters,
                                            references=references)
        export = services.export_create(user=request.user, template=template, filters=filters,
                                        references=references, rows_total=count)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.info(request, _("%(count)s orders: the export runs in the background.") % {
        "count": number_format(count, force_grouping=True)})
    return redirect("exports:detail", export_id=export.pk)


def _own_export(request, export_id) -> Export:
    try:
        return services.export_get(user=request.user, export_id=export_id)
    except NotFound:
        raise Http404 from None


@login_required
def export_list_view(request):
    _require(services.can_export(request.user))
    exports = Export.objects.filter(user=request.user)[:50]
    return render(request, "exports/list.html", {"nav": "orders", "exports": exports,
                                                 "keep_days": services.keep_days()})


@login_required
def export_detail_view(request, export_id):
    export = _own_export(request, export_id)
    return render(request, "exports/detail.html", {"nav": "orders", "export": export})


@login_required
def export_progress_view(request, export_id):
    """The progress partial the detail page polls (htmx) until the export is finished."""
    export = _own_export(request, export_id)
    response = render(request, "exports/_progress.html", {"export": export})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def export_retry_view(request, export_id):
    """Queue a failed export again, then its progress page."""
    _own_export(request, export_id)
    try:
        services.export_retry(user=request.user, export_id=export_id)
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from None
        messages.error(request, exc.message)
    return redirect("exports:detail", export_id=export_id)


@login_required
def export_download_view(request, export_id):
    export = _own_export(request, export_id)
    try:
        return file_response(export)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("exports:detail", export_id=export.pk)


# --- templates ---------------------------------------------------------------------------


@login_required
def templates_view(request):
    _require(services.can_manage_templates(request.user))
    templates = [{"template": t, "columns": services.template_columns(t)} for t in ExportTemplate.objects.all()]
    return render(request, "exports/templates_list.html", {"nav": "settings", "templates": templates})


@login_required
def template_edit_view(request, template_id=None):
    _require(services.can_manage_templates(request.user))
    template = None
    if template_id is not None:
        template = ExportTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise Http404
        if template.built_in:
            messages.info(request, _("Built-in templates cannot be changed: copy one to make your own."))
            return redirect("exports:templates")
    form = TemplateForm(request.POST or None, template=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if template is None:
                    saved = services.template_create(actor=request.user, name=data["name"], columns=data["columns"],
                                                     delimiter=data["delimiter"])
                else:
                    saved = services.template_update(actor=request.user, template_id=template.pk, changes={
                        "name": data["name"], "columns": data["columns"], "delimiter": data["delimiter"]})
            except ValidationFailed as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Export template “%(name)s” saved.") % {"name": saved.display_name})
                return redirect("exports:templates")
        status = 422
    return render(request, "exports/template_edit.html", {"nav": "settings", "form": form, "template": template},
                  status=status)


@login_required
@require_POST
def template_copy_view(request, template_id):
    try:
        copy = services.template_copy(actor=request.user, template_id=template_id)
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from None
        raise Http404 from None
    messages.success(request, _("Copied as “%(name)s”: change it as you like.") % {"name": copy.name})
    return redirect("exports:template_edit", template_id=copy.pk)


@login_required
@require_POST
def template_delete_view(request, template_id):
    try:
        template = services.template_get(template_id)
        services.template_delete(actor=request.user, template_id=template_id)
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied from None
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Export template “%(name)s” deleted.") % {"name": template.display_name})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("exports:templates")
        return response
    return redirect("exports:templates")
