"""Export templates and exports: every write goes through here (pages, API, worker)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from tokodesk.core import validation_messages
from tokodesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokodesk.exports.columns import REGISTRY, ExportContext
from tokodesk.exports.kept import evict
from tokodesk.exports.kept_schema import keep_forms
from tokodesk.exports.models import Delimiter, Export, ExportTemplate, default_delimiter
from tokodesk.exports.schemas import MAX_COLUMNS, MAX_REFERENCES, ExportFilters
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders import selectors
from tokodesk.orders.models import Order

logger = logging.getLogger("tokodesk.exports")


def sync_limit() -> int:
    """Exports up to this many rows stream straight to the browser; larger ones run in the
    worker (setting or environment TOKODESK_EXPORT_SYNC_LIMIT, default 5000)."""
    return int(getattr(settings, "TOKODESK_EXPORT_SYNC_LIMIT", os.environ.get("TOKODESK_EXPORT_SYNC_LIMIT", 5000)))


def chunk_size() -> int | None:
    """Orders per chunk (setting or environment TOKODESK_EXPORT_CHUNK_SIZE); by default
    it follows the template's width (see writer.Plan.chunk_size)."""
    value = getattr(settings, "TOKODESK_EXPORT_CHUNK_SIZE", os.environ.get("TOKODESK_EXPORT_CHUNK_SIZE"))
    return int(value) if value else None


# Columns from which a template is "wide": SQLite renders it on 2 connections (workers()).
WIDE_TEMPLATE = 24


def workers(plan: Plan | None = None) -> int:
    """Chunks the worker renders at once in the database, each on a connection of its own
    (setting or environment TOKODESK_EXPORT_WORKERS). Default on PostgreSQL 2 (at most
    the CPU count): the server's evaluation of the columns is most of an export's time and
    one connection uses one core. Default on SQLite: 2 for a wide template (at least
    WIDE_TEMPLATE columns, at most the CPU count), else 1. SQLite evaluates the columns in
    this process but without the GIL (sqlite3_step releases it), while the cells are
    turned into CSV under the GIL: for the full template the evaluation is ~2/3 of the
    CPU (callgrind, bench/profile_export_columns.py), so a second connection nearly
    halves the time; for a narrow one (courier list) building the cells dominates and a
    second thread gave the same rows/s for ~15 % more CPU (100k orders: 67–74k rows/s
    with 1, 61–72k with 2). 1: one connection, as the page's streamed exports."""
    value = getattr(settings, "TOKODESK_EXPORT_WORKERS", os.environ.get("TOKODESK_EXPORT_WORKERS"))
    try:
        if value:
            return max(1, int(value))
        cores = min(2, os.cpu_count() or 1)
        if connections["default"].vendor == "sqlite":
            return cores if plan is not None and len(plan.columns) >= WIDE_TEMPLATE else 1
        return cores
    except ValueError:
        return 1


def engine() -> str:
    """How exports are rendered (setting or environment TOKODESK_EXPORT_ENGINE): "auto"
    (default: in the database when every column can be, see sqlrender.py), "sql" (the
    same), "python" (the column renderers only: the reference, ~10× slower)."""
    value = getattr(settings, "TOKODESK_EXPORT_ENGINE", os.environ.get("TOKODESK_EXPORT_ENGINE")) or "auto"
    return value if value in ("auto", "sql", "python") else "auto"


def stale_minutes() -> int:
    """A running export whose worker has not reported for this long is marked failed
    (setting or environment TOKODESK_EXPORT_STALE_MINUTES, default 10): the worker
    reports after every chunk, which takes seconds."""
    return int(getattr(settings, "TOKODESK_EXPORT_STALE_MINUTES",
                       os.environ.get("TOKODESK_EXPORT_STALE_MINUTES", 10)))


def keep_days() -> int:
    """Finished exports (and their files) are deleted after this many days."""
    return int(getattr(settings, "TOKODESK_EXPORT_KEEP_DAYS", os.environ.get("TOKODESK_EXPORT_KEEP_DAYS", 7)))


# --- who may do what -------------------------------------------------------------------


def can_export(user) -> bool:
    return bool(user and user.is_active and user.has_perm("orders.view_order"))


def can_manage_templates(user) -> bool:
    """The owner and admins (the roles that see every order and assign them)."""
    return bool(user and user.is_active and user.has_perm("orders.view_all_orders")
                and user.has_perm("orders.assign_order"))


def _require_manager(user) -> None:
    if not can_manage_templates(user):
        raise PermissionDenied("forbidden", _("Only the owner and admins manage export templates."))


# --- templates ---------------------------------------------------------------------------


def clean_columns(columns) -> list[dict]:
    """[{"field", "header"}] checked against the registry; headers trimmed."""
    if not isinstance(columns, list) or not columns:
        raise ValidationFailed("invalid_input", _("Choose at least one column."),
                               fields={"columns": _("Choose at least one column.")})
    if len(columns) > MAX_COLUMNS:
        raise ValidationFailed("invalid_input", _("At most %(n)d columns.") % {"n": MAX_COLUMNS},
                               fields={"columns": _("At most %(n)d columns.") % {"n": MAX_COLUMNS}})
    cleaned = []
    for i, item in enumerate(columns):
        if hasattr(item, "model_dump"):
            item = item.model_dump()
        field = item.get("field") if isinstance(item, dict) else None
        if field not in REGISTRY:
            raise ValidationFailed("invalid_input", _("Unknown column."),
                                   fields={f"columns.{i}.field": _("Unknown column: %(field)s.") % {
                                       "field": str(field)[:50]}})
        if any(c["field"] == field for c in cleaned):
            raise ValidationFailed("invalid_input", _("Each column at most once."),
                                   fields={f"columns.{i}.field": _("Already in the template: %(field)s.") % {
                                       "field": field}})
        header = str(item.get("header") or "").strip()
        if len(header) > 100:
            raise ValidationFailed("invalid_input", _("A header is at most 100 characters."),
                                   fields={f"columns.{i}.header": _("At most 100 characters.")})
        cleaned.append({"field": field, "header": header})
    return cleaned


def _clean_name(name) -> str:
    name = str(name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("invalid_input", _("Give the template a name (at most 100 characters)."),
                               fields={"name": _("Required, at most 100 characters.")})
    return name


def _clean_delimiter(delimiter) -> str:
    if delimiter not in Delimiter.values:
        raise ValidationFailed("invalid_input", _("The separator is “,” or “;”."),
                               fields={"delimiter": _("The separator is “,” or “;”.")})
    return delimiter


def _save_template(template: ExportTemplate) -> ExportTemplate:
    if ExportTemplate.objects.filter(name__iexact=template.name).exclude(pk=template.pk).exists():
        raise ValidationFailed("invalid_input", _("A template with this name exists."),
                               fields={"name": _("A template with this name exists.")})
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationFailed("invalid_input", _("A template with this name exists."),
                               fields={"name": _("A template with this name exists.")}) from None
    return template


def template_create(*, actor, name, columns, delimiter=None) -> ExportTemplate:
    """A new template; without a `delimiter`, the shop's (models.default_delimiter)."""
    _require_manager(actor)
    if delimiter is None:
        delimiter = default_delimiter()
    template = ExportTemplate(name=_clean_name(name), columns=clean_columns(columns),
                              delimiter=_clean_delimiter(delimiter), created_by=actor)
    return _save_template(template)


def template_get(template_id) -> ExportTemplate:
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        template_id = 0
    # Outside a bigint a lookup would fail in the database (PostgreSQL): it is simply absent.
    template = ExportTemplate.objects.filter(pk=template_id).first() if 0 < template_id < 2**63 else None
    if template is None:
        raise NotFound("not_found", _("Export template not found."))
    return template


def _editable(template_id) -> ExportTemplate:
    template = template_get(template_id)
    if template.built_in:
        raise Conflict("built_in", _("A built-in template cannot be changed or deleted; copy it instead."))
    return template


def template_update(*, actor, template_id, changes: dict) -> ExportTemplate:
    _require_manager(actor)
    template = _editable(template_id)
    if changes.get("name") is not None:
        template.name = _clean_name(changes["name"])
    if changes.get("columns") is not None:
        template.columns = clean_columns(changes["columns"])
    if changes.get("delimiter") is not None:
        template.delimiter = _clean_delimiter(changes["delimiter"])
    return _save_template(template)


def template_delete(*, actor, template_id) -> None:
    _require_manager(actor)
    _editable(template_id).delete()


def template_copy(*, actor, template_id) -> ExportTemplate:
    """An editable copy ("Copy of …", then "Copy of … (2)" …)."""
    _require_manager(actor)
    source = template_get(template_id)
    base = _("Copy of %(name)s") % {"name": source.display_name}
    name, n = base[:100], 2
    while ExportTemplate.objects.filter(name__iexact=name).exists():
        name = f"{base[:94]} ({n})"
        n += 1
    return _save_template(ExportTemplate(name=name, columns=list(source.columns), delimiter=source.effective_delimiter,
                                         created_by=actor))


def template_columns(template: ExportTemplate) -> list[dict]:
    """The stored columns with each one's label (the header used when none is set)."""
    return [{"field": c["field"], "header": c.get("header", ""), "label": str(REGISTRY[c["field"]].label)}
            for c in template.columns if c.get("field") in REGISTRY]


# --- what an export reads ------------------------------------------------------------------


def parse_filters(filters) -> dict:
    """Filters (API shape or the page's filter form values) → their stored JSON form."""
    if filters is None:
        return {}
    if hasattr(filters, "model_dump"):
        return filters.model_dump(mode="json", exclude_none=True)
    try:
        model = ExportFilters.model_validate(filters)
    except PydanticValidationError as exc:
        fields = {"filters." + ".".join(str(p) for p in err["loc"]): validation_messages.message(err)
                  for err in exc.errors()}
        raise ValidationFailed("invalid_input", _("The filters are not valid."), fields=fields) from None
    return model.model_dump(mode="json", exclude_none=True)


def clean_references(references) -> list[str]:
    refs = list(dict.fromkeys(str(r).strip().upper() for r in (references or []) if str(r).strip()))
    if not refs:
        raise ValidationFailed("invalid_input", _("Select at least one order."),
                               fields={"references": _("Select at least one order.")})
    if len(refs) > MAX_REFERENCES:
        raise ValidationFailed("invalid_input", _("At most %(n)d orders at once; export by filter instead.") % {
            "n": MAX_REFERENCES}, fields={"references": _("Too many.")})
    return refs


def export_queryset(*, user, filters: dict | None = None, references: list[str] | None = None) -> QuerySet[Order]:
    """The orders an export covers, scoped to what the user may see (agents: their own)."""
    qs = selectors.order_queryset_for(user)
    if references is not None:
        return qs.filter(reference__in=references)
    data = ExportFilters.model_validate(filters or {}).model_dump()
    return selectors.filter_orders(qs, selectors.OrderFilters(**data))


# --- exports -----------------------------------------------------------------------------


def stream_response(*, user, template: ExportTemplate, filters: dict | None = None,
                    references: list[str] | None = None) -> StreamingHttpResponse:
    """A small export straight to the browser (no Export row, nothing kept)."""
    qs = export_queryset(user=user, filters=filters, references=references)
    plan = Plan.build(template.columns)  # headers in the active language, resolved now
    ctx = ExportContext.build(decimal_comma=template.effective_delimiter == ";")
    body = iter_csv(qs, plan, delimiter=template.effective_delimiter, chunk_size=chunk_size(), ctx=ctx, engine=engine())
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    from django.utils.text import slugify

    response["Content-Disposition"] = (
        f'attachment; filename="orders-{stamp}-{slugify(template.display_name) or "export"}.csv"')
    response["Cache-Control"] = "no-store"
    return response


def export_create(*, user, template: ExportTemplate, filters: dict | None = None,
                  references: list[str] | None = None, rows_total: int | None = None) -> Export:
    """Queue an export for the worker; the caller shows its progress page."""
    from tokodesk.exports.tasks import run_export

    if not can_export(user):
        raise PermissionDenied("forbidden", _("You cannot export orders."))
    if rows_total is None:
        rows_total = export_queryset(user=user, filters=filters, references=references).count()
    export_cleanup()
    export_reap()
    export = Export.objects.create(
        user=user, template=template, template_name=template.display_name, columns=list(template.columns),
        delimiter=template.effective_delimiter, filters=filters or {}, references=references,
        language=translation.get_language() or settings.LANGUAGE_CODE, rows_total=rows_total)
    run_export.enqueue(str(export.pk))
    return export


def export_get(*, user, export_id) -> Export:
    """The user's own export (anyone else's is "not found"); a running one whose worker
    stopped reporting is marked failed here (see export_reap)."""
    export = Export.objects.filter(pk=export_id, user=user).select_related("template").first()
    if export is None:
        raise NotFound("not_found", _("Export not found."))
    if export.status == Export.Status.RUNNING and export_reap(export_id=export.pk):
        export.refresh_from_db()
    return export


class _Superseded(Exception):
    """The export this worker runs was marked failed (stale) or queued again meanwhile."""


def export_reap(now=None, *, export_id=None) -> int:
    """Mark failed the running exports whose worker stopped reporting (no heartbeat for
    `stale_minutes()`: the worker died or was killed); they can be retried. Called when
    an export is created, when one is read and by the worker before each run."""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=stale_minutes())
    stale = Export.objects.filter(status=Export.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    if export_id is not None:
        stale = stale.filter(pk=export_id)
    reaped = 0
    for pk, language, started in stale.values_list("pk", "language", "started_at")[:100]:
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _("The export stopped: its worker stopped responding for more than %(n)d minutes. "
                        "Try again.") % {"n": stale_minutes()}
        # started_at is the run's token: a run that started meanwhile is not touched.
        reaped += Export.objects.filter(pk=pk, status=Export.Status.RUNNING, started_at=started).update(
            status=Export.Status.FAILED, error=message, finished_at=timezone.now())
    if reaped:
        logger.warning("%d stale export(s) marked failed", reaped)
    return reaped


def export_retry(*, user, export_id) -> Export:
    """Queue a failed export of the user's again (same template snapshot, filters and
    language)."""
    from tokodesk.exports.tasks import run_export

    export = export_get(user=user, export_id=export_id)
    if not can_export(user):
        raise PermissionDenied("forbidden", _("You cannot export orders."))
    if export.status != Export.Status.FAILED:
        raise Conflict("not_failed", _("Only a failed export can be tried again."))
    Export.objects.filter(pk=export.pk, status=Export.Status.FAILED).update(
        status=Export.Status.QUEUED, error="", rows_done=0, started_at=None, heartbeat_at=None, finished_at=None)
    run_export.enqueue(str(export.pk))
    export.refresh_from_db()
    return export


def export_file_path(export: Export) -> Path:
    return Path(default_storage.path(f"exports/{export.pk}.csv"))


def export_run(export_id) -> dict:
    """Write the export's file (in the worker): progress and heartbeat saved after every
    chunk. A run whose export was meanwhile reaped (stale) or re-queued stops quietly."""
    export_reap()
    started = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, started_at=started, heartbeat_at=started, rows_done=0)
    if not claimed:
        return {"skipped": True}
    mine = Export.objects.filter(pk=export_id, status=Export.Status.RUNNING, started_at=started)
    export = Export.objects.select_related("user").get(pk=export_id)
    path = export_file_path(export)
    part = path.with_name(f"{path.stem}.{started.timestamp():.6f}.part")  # this run's own
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            qs = export_queryset(user=export.user, filters=export.filters, references=export.references)
            total = qs.count()
            mine.update(rows_total=total)
            plan = Plan.build(export.columns)
            progress = {"done": 0, "engine": ""}

            def on_chunk(done):
                progress["done"] = done
                if not mine.update(rows_done=done, rows_total=max(total, done), heartbeat_at=timezone.now()):
                    raise _Superseded

            path.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "wb") as fh:
                for piece in iter_csv(qs, plan, delimiter=export.delimiter, chunk_size=chunk_size(),
                                      on_chunk=on_chunk, engine=engine(), info=progress,
                                      workers=workers(plan), keep=keep_forms() > 0):
                    fh.write(piece)
            os.replace(part, path)
    except _Superseded:
        part.unlink(missing_ok=True)
        logger.warning("export %s was marked failed or queued again while running: stopped", export.pk)
        return {"superseded": True}
    except Exception as exc:
        part.unlink(missing_ok=True)
        mine.update(status=Export.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        logger.exception("export %s failed", export.pk)
        raise
    done = progress["done"]
    mine.update(
        status=Export.Status.DONE, rows_done=done, rows_total=done, finished_at=timezone.now(),
        file=f"exports/{export.pk}.csv")
    warm = "warm_form" in progress
    if warm:  # the form's first export: keep its lines now, in the background (kept.py)
        from tokodesk.exports.tasks import warm_kept

        warm_kept.enqueue(str(export.pk))
    return {"rows": done, "engine": progress["engine"], "warm": warm,
            "rendered": progress.get("rendered", 0), "kept": progress.get("kept", 0)}


def export_warm(export_id) -> dict:
    """Keep the lines of an export's orders in its form (the worker, after the form's first
    export): the same queryset, template, separator and language as the export, so the
    same form. Nothing when the export is gone or kept rows are off."""
    from tokodesk.exports import kept
    from tokodesk.exports.sqlrender import compile_plan

    export = Export.objects.select_related("user").filter(pk=export_id).first()
    if export is None or keep_forms() == 0 or export.user is None:
        return {"rendered": 0}
    with translation.override(export.language or settings.LANGUAGE_CODE):
        qs = export_queryset(user=export.user, filters=export.filters, references=export.references)
        plan = Plan.build(export.columns)
        ctx = ExportContext.build(decimal_comma=export.delimiter == ";")
        compiled = compile_plan(plan, ctx, export.delimiter, using=qs.db)
        if compiled is None or engine() == "python":
            return {"rendered": 0}
        form = kept.form_for(connections[compiled.alias], compiled)
        return {"rendered": kept.warm(compiled, qs, form, chunk_size())}


def export_cleanup(now=None) -> int:
    """Delete finished exports older than `keep_days()` and their files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days())
    old = list(Export.objects.filter(created_at__lt=cutoff).exclude(status=Export.Status.RUNNING)
               .values_list("pk", "file")[:500])
    for _pk, name in old:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete the export file %s", name)
    if old:
        Export.objects.filter(pk__in=[pk for pk, _name in old]).delete()
    # Kept rows (kept.py) of forms no export used within the same days.
    evict(connections[router.db_for_write(Order)], keep=keep_forms(), unused_before=cutoff)
    return len(old)
