"""Report templates: save (owner and admin; validated against the sample return), reset to
the built-in one, preview without saving, and the documents made from a stored template with
a safe fallback: a stored template that fails when a document is made is logged
(logger "tokodesk.reports"), noted on its row (the editor page shows it) and the caller
gives the built-in document, so the customer always gets a slip."""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tokodesk.core import report_templates as sandbox
from tokodesk.core.documents import actor_or_none, require
from tokodesk.core.errors import NotFound, StaleVersion, ValidationFailed
from tokodesk.returns.reports.context import return_context, sample_context
from tokodesk.returns.reports.models import ReportDocument, ReportTemplate

logger = logging.getLogger("tokodesk.reports")

PERMISSION = "returns.change_reporttemplate"
DEFAULTS = Path(__file__).resolve().parent / "defaults"


def _document(document: str) -> str:
    if document not in ReportDocument.values:
        raise NotFound("not_found", _("There is no such document."))
    return document


@lru_cache(maxsize=8)
def default_template(document: str) -> tuple[str, str]:
    """The built-in (html, css) of a document: the editor's starting text and Reset's."""
    document = _document(document)
    return (
        (DEFAULTS / f"{document}.html").read_text(encoding="utf-8"),
        (DEFAULTS / f"{document}.css").read_text(encoding="utf-8"),
    )


@lru_cache(maxsize=16)
def compiled(html: str):
    """The template compiled by the sandbox, kept (by its text) for the next document: the
    built-in slip is made for every slip printed; the PDF warm-up compiles it first."""
    return sandbox.compile_template(html)


def stored(document: str) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(document=document).first()


def version_of(html: str, css: str) -> int:
    """The template's version for If-Match: a number made from its text (48 bits of its
    SHA-256), so it changes with every change of the text, the built-in one has one too,
    and a reset then a save of other text never gives back a version a client holds."""
    digest = hashlib.sha256(html.encode() + b"\0" + css.encode()).digest()
    return int.from_bytes(digest[:6], "big")


def current(document: str) -> tuple[str, str, ReportTemplate | None]:
    """The (html, css) a document is made from now, and its stored row (None: built-in)."""
    row = stored(_document(document))
    if row is not None:
        return row.html, row.css, row
    html, css = default_template(document)
    return html, css, None


def _check_version(document: str, expected_version: int | None, *, unless=None) -> None:
    """StaleVersion (409, 412 through If-Match) when the template changed since the caller
    read `expected_version`; not when it already holds `unless` (html, css): a repeated
    PUT is the same change, not a conflict."""
    if expected_version is None:
        return
    html, css, _row = current(document)
    if unless is not None and (html, css) == unless:
        return
    now = version_of(html, css)
    if now != expected_version:
        raise StaleVersion(
            "stale_version",
            _(
                "The template was changed since you read it (version %(yours)s, now "
                "%(current)s): read it again."
            )
            % {"yours": expected_version, "current": now},
        )


def title(document: str, reference: str) -> str:
    if document == ReportDocument.SLIP:
        return _("Return slip %(reference)s") % {"reference": reference}
    return _("Return summary %(reference)s") % {"reference": reference}


def _shop_currency() -> str:
    from tokodesk.core.models import ShopSettings

    return ShopSettings.get().currency


def problems_by_field(problems: list[sandbox.Problem]) -> dict[str, str]:
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.field, []).append(str(problem))
    return {field: " ".join(messages) for field, messages in fields.items()}


def validate(document: str, html: str, css: str) -> list[sandbox.Problem]:
    """What is wrong with (html, css), rendered against the sample return in the active
    language (empty: it may be saved)."""
    _document(document)
    problems = []
    if not html.strip():
        problems.append(sandbox.Problem("html", _("Write the template.")))
        return problems
    locale = translation.get_language() or "id"
    return sandbox.check(html, css, sample_context(locale=locale, currency=_shop_currency()))


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n")


@transaction.atomic
def template_save(
    *, actor, document: str, html: str, css: str, expected_version: int | None = None
) -> ReportTemplate:
    """Store the owner's template of `document` once it renders the sample return without a
    problem; ValidationFailed (422) with a message per field ("html", "css"), each with its
    line, in the user's language. Given `expected_version` (the API's If-Match), StaleVersion
    when the template changed since then."""
    require(actor, PERMISSION)
    document = _document(document)
    html, css = _clean(html), _clean(css)
    problems = validate(document, html, css)
    if problems:
        raise ValidationFailed(
            "invalid_input",
            _("The template was not saved: fix the problems below."),
            fields=problems_by_field(problems),
        )
    row = _locked_row(document)
    _check_version(document, expected_version, unless=(html, css))
    if row is None:
        # The first save of this document; another one made at the same moment wins the
        # unique index: then this one is an ordinary save over it (its version checked).
        try:
            with transaction.atomic():
                return _store(ReportTemplate(document=document), html, css, actor)
        except IntegrityError:
            row = _locked_row(document)
            _check_version(document, expected_version, unless=(html, css))
    return _store(row, html, css, actor)


def _locked_row(document: str) -> ReportTemplate | None:
    return ReportTemplate.objects.select_for_update().filter(document=document).first()


def _store(row: ReportTemplate, html: str, css: str, actor) -> ReportTemplate:
    row.html, row.css, row.updated_by = html, css, actor_or_none(actor)
    row.last_error, row.last_error_at, row.last_error_reference = "", None, ""
    row.save()
    return row


@transaction.atomic
def template_reset(*, actor, document: str, expected_version: int | None = None) -> None:
    """Back to the built-in template (the stored one is deleted); given `expected_version`,
    StaleVersion when the template changed since then (not when it is the built-in already)."""
    require(actor, PERMISSION)
    document = _document(document)
    _locked_row(document)
    _check_version(document, expected_version, unless=default_template(document))
    ReportTemplate.objects.filter(document=document).delete()


# --- documents -----------------------------------------------------------------------------


def _page(
    document: str, html: str, css: str, context: dict, *, locale: str, style_nonce: str
) -> str:
    template = compiled(html)
    problems = sandbox.check_css(css)
    if problems:
        raise sandbox.ReportTemplateError(problems)
    body = sandbox.strip_unknown(sandbox.render_body(template, context))
    return sandbox.document(
        body,
        css,
        title=title(document, context["return"]["reference"]),
        lang=locale,
        style_nonce=style_nonce,
    )


def render_builtin(document: str, ret, *, locale: str, style_nonce: str = "") -> str:
    """The built-in document of `ret` through the same sandbox."""
    html, css = default_template(document)
    with translation.override(locale):
        return _page(
            document,
            html,
            css,
            return_context(ret, locale=locale),
            locale=locale,
            style_nonce=style_nonce,
        )


def render_custom(document: str, ret, *, locale: str, style_nonce: str = "") -> str | None:
    """The document of `ret` from the owner's stored template, or None when there is none
    or it fails (logged and noted on the template's row: the caller gives the built-in)."""
    row = stored(document)
    if row is None:
        return None
    with translation.override(locale):
        try:
            return _page(
                document,
                row.html,
                row.css,
                return_context(ret, locale=locale),
                locale=locale,
                style_nonce=style_nonce,
            )
        except Exception as exc:  # whatever the owner's template does, the document is made
            logger.warning(
                "report template %s failed for %s, the built-in one was used: %s",
                document,
                ret.reference,
                exc,
                exc_info=True,
            )
            ReportTemplate.objects.filter(pk=row.pk).update(
                last_error=str(exc)[:1000],
                last_error_at=timezone.now(),
                last_error_reference=ret.reference,
            )
            return None


def render_page(document: str, ret, *, locale: str, style_nonce: str = "") -> str:
    """The document of `ret` as an HTML page: the owner's template, else the built-in one
    (the one source of the return slip too: notifications.slips)."""
    page = render_custom(document, ret, locale=locale, style_nonce=style_nonce)
    if page is not None:
        return page
    return render_builtin(document, ret, locale=locale, style_nonce=style_nonce)


def render_pdf(page: str) -> bytes:
    """A page made here as PDF: only data: URIs and our static images are fetched."""
    return sandbox.html_to_pdf(page)


def preview_page(document: str, html: str, css: str, *, locale: str, ret=None) -> str:
    """The unsaved (html, css) rendered for `ret` (else the sample return) in `locale`;
    ValidationFailed with the problems, as a save would, in the user's language."""
    document = _document(document)
    html, css = _clean(html), _clean(css)
    problems = [] if html.strip() else [sandbox.Problem("html", _("Write the template."))]
    if not problems:
        with translation.override(locale):
            context = (
                return_context(ret, locale=locale)
                if ret is not None
                else sample_context(locale=locale, currency=_shop_currency())
            )
            problems = sandbox.check(html, css, context)
            if not problems:
                return _page(document, html, css, context, locale=locale, style_nonce="")
        # Checked again outside the document's language: the messages in the user's.
        problems = sandbox.check(html, css, context) or problems
    raise ValidationFailed(
        "invalid_input",
        _("The template cannot be previewed: fix the problems below."),
        fields=problems_by_field(problems),
    )
