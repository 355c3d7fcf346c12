"""Documents rendered from templates the shop owner writes (issue 17: the return slip and
the return summary), safely: the owner's text runs on the server, so it gets a sandbox.

- Its own `django.template.Engine` (`SandboxEngine`): no loader that reads a file (a
  locmem loader with nothing in it), and none of Django's default tags or filters: only the
  allow-listed ones of `core.report_tags` (if, for, with, translate …, and money, number,
  local_date, phone_local …). So no {% load %}, {% include %}, {% extends %}, {% debug %},
  {% url %}, no |safe, |pprint or |ljust:"999999999". Autoescape is on and cannot be turned
  off (no {% autoescape %} tag).
- The context is plain data the caller prepared (`freeze`: dicts become read-only mappings,
  lists tuples; never a model instance, so no method call reaches the ORM).
- A size limit on the HTML and the CSS; the CSS is not a template and may not close its
  <style> element.
- WeasyPrint fetches only data: URIs and our own static images (`SafeFetcher`): no file://,
  no http(s), no @import of a stylesheet from anywhere.

`check()` is what a save runs: the syntax (TemplateSyntaxError with its line), a render
against sample data that must succeed, and unknown variables: every variable the compiled
nodes name (in {{ }}, {% if %}, {% for %}, {% with %}, filters' arguments …) looked up in
the sample's shape (core/report_variables.py), and any the render still marks; each problem
as a message in the active language, with its line."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Template
from django.utils.html import escape
from django.utils.translation import gettext as _

from tokodesk.core import report_variables
from tokodesk.core.report_tags import LOOP_BUDGET, LoopBudgetExceeded

logger = logging.getLogger("tokodesk.reports")

MAX_HTML = 100_000  # characters of the owner's HTML
MAX_CSS = 50_000
MAX_OUTPUT = 2_000_000  # characters a render may produce (loops over loops)

# What the engine prints for a variable it cannot resolve ({{ retrun.reference }}):
# U+FFFE is a non-character nobody types.
UNKNOWN = "\ufffeunknown:%s\ufffe"
UNKNOWN_RE = re.compile("\ufffeunknown:([^\ufffe]*)\ufffe")

# The fake origin the PDF's relative URLs resolve against: /static/img/x.png becomes
# https://static.tokodesk.invalid/static/img/x.png, which SafeFetcher maps to the file the
# staticfiles finders know (never fetched over a network).
STATIC_BASE = "https://static.tokodesk.invalid/"
STATIC_IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


class SandboxEngine(Engine):
    # Engine's defaults are defaulttags (with load, include's loader_tags, debug, url…),
    # defaultfilters and loader_tags: none of them here, only core.report_tags.
    default_builtins = []


_ENGINE: SandboxEngine | None = None


def engine() -> SandboxEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = SandboxEngine(
            dirs=[],
            app_dirs=False,
            # A loader with no templates: {% include %} could not read a file even if the tag
            # were there.
            loaders=[("django.template.loaders.locmem.Loader", {})],
            context_processors=[],
            debug=True,  # keeps each node's line for the error messages
            libraries={},
            builtins=["tokodesk.core.report_tags"],
            autoescape=True,
            string_if_invalid=UNKNOWN,
        )
    return _ENGINE


@dataclass
class Problem:
    """One thing wrong with a template: the field ("html" or "css"), its line (or None) and
    the message, in the active language."""

    field: str
    message: str
    line: int | None = None

    def __str__(self):
        if self.line:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class ReportTemplateError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def freeze(value):
    """`value` as read-only plain data: dicts as mappingproxies, lists and tuples as tuples;
    strings, numbers, dates and None as they are. Anything else is refused (a model
    instance must never reach the owner's template)."""
    if isinstance(value, dict):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, str):
        # A plain str: a SafeString (marked safe elsewhere) would skip the escaping.
        return "".join((value,))
    if value is None or isinstance(value, (int, float, bool)):
        return value
    import datetime
    import decimal

    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return value
    # Lazy translations: their text now.
    from django.utils.functional import Promise

    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"not plain data for a report template: {type(value).__name__}")


def _line_of(exc: Exception) -> int | None:
    debug = getattr(exc, "template_debug", None)
    return debug.get("line") if debug else None


def compile_template(html: str) -> Template:
    """The owner's HTML compiled by the sandbox; ReportTemplateError on a syntax error (a
    tag or filter that is not allowed is one: "Invalid block tag … 'load'")."""
    if len(html) > MAX_HTML:
        raise ReportTemplateError(
            [Problem("html", _("At most %(limit)s characters.") % {"limit": MAX_HTML})]
        )
    try:
        return engine().from_string(html)
    except TemplateSyntaxError as exc:
        raise ReportTemplateError([Problem("html", _syntax_message(exc), _line_of(exc))]) from exc


def _syntax_message(exc: TemplateSyntaxError) -> str:
    text = str(exc)
    tag = re.match(r"Invalid block tag on line \d+: '([^']+)'", text)
    if tag:
        return _("The tag {%% %(tag)s %%} is not allowed here (or is misspelt).") % {
            "tag": tag.group(1)
        }
    flt = re.match(r"Invalid filter: '([^']+)'", text)
    if flt:
        return _("The filter |%(filter)s is not allowed here (or is misspelt).") % {
            "filter": flt.group(1)
        }
    if "may not begin with underscores" in text:
        return _("Names may not begin with an underscore.")
    return _("The template cannot be read: %(error)s") % {"error": text}


def check_css(css: str) -> list[Problem]:
    if len(css) > MAX_CSS:
        return [Problem("css", _("At most %(limit)s characters.") % {"limit": MAX_CSS})]
    if re.search(r"</\s*style", css, re.IGNORECASE):
        return [Problem("css", _("The CSS may not contain </style>."))]
    return []


def render_body(template: Template, context: dict) -> str:
    """The owner's template rendered with `context` (frozen here); unknown variables print
    the UNKNOWN marker (see `unknown_variables`)."""
    out = template.render(Context(freeze(context), autoescape=True))
    if len(out) > MAX_OUTPUT:
        raise ReportTemplateError(
            [
                Problem(
                    "html",
                    _("The document is too long (over %(limit)s characters).")
                    % {"limit": MAX_OUTPUT},
                )
            ]
        )
    return out


def unknown_variables(rendered: str) -> list[str]:
    return list(dict.fromkeys(UNKNOWN_RE.findall(rendered)))


def strip_unknown(rendered: str) -> str:
    return UNKNOWN_RE.sub("", rendered)


def _source_line(html: str, name: str) -> int | None:
    pattern = re.compile(r"\{\{\s*" + re.escape(name) + r"(?![\w.])")
    for number, text in enumerate(html.splitlines(), start=1):
        if pattern.search(text):
            return number
    return None


def check(html: str, css: str, sample_context: dict) -> list[Problem]:
    """Everything wrong with the owner's template (empty: it may be saved): the CSS, the
    syntax, a render against `sample_context`, unknown variables."""
    problems = check_css(css)
    try:
        template = compile_template(html)
    except ReportTemplateError as exc:
        return problems + exc.problems
    # Every variable the template names, in {{ }} and in tags (an {% if %} on a misspelt name
    # would be quietly false), from the compiled nodes, before a render (a filter's unknown
    # argument would make it fail with a less helpful message); then any the render marks.
    named = set()
    for unknown in report_variables.unknown_variables(template, sample_context):
        named.add(unknown.name)
        if unknown.tag:
            message = _("Unknown variable %(name)s in {%% %(tag)s %%}.") % {
                "name": unknown.name,
                "tag": unknown.tag,
            }
        else:
            message = _("Unknown variable {{ %(name)s }}.") % {"name": unknown.name}
        problems.append(Problem("html", message, unknown.line))
    if named:
        return problems
    try:
        rendered = render_body(template, sample_context)
    except ReportTemplateError as exc:
        return problems + exc.problems
    except LoopBudgetExceeded:
        return problems + [
            Problem(
                "html",
                _("The loops run too many times (over %(limit)s turns) or print too much.")
                % {"limit": LOOP_BUDGET},
            )
        ]
    except Exception as exc:  # a filter given a wrong value, a bad blocktranslate …
        return problems + [
            Problem(
                "html",
                _("The template fails on the sample return: %(error)s") % {"error": exc},
                _line_of(exc),
            )
        ]
    for name in unknown_variables(rendered):
        problems.append(
            Problem(
                "html",
                _("Unknown variable {{ %(name)s }}.") % {"name": name},
                _source_line(html, name),
            )
        )
    return problems


def document(body: str, css: str, *, title: str, lang: str, style_nonce: str = "") -> str:
    """A whole HTML page around a rendered body: our head with the owner's CSS."""
    nonce = f' nonce="{escape(style_nonce)}"' if style_nonce else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style{nonce}>\n{css}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# --- PDF ---------------------------------------------------------------------------------


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        """Fetches data: URIs (through urllib's data handler) and our own static images;
        refuses everything else, and remembers what it refused (`refused`)."""

        def __init__(self):
            super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            static = _static_image(url)
            if static is not None:
                path, content_type = static
                with open(path, "rb") as fh:
                    return URLFetcherResponse(url, fh.read(), {"Content-Type": content_type})
            self.refused.append(url)
            raise ValueError(f"not fetched in a report: {url[:200]}")

    return SafeFetcher


def _static_image(url: str):
    """(path, content type) of a static image of ours that `url` names, else None."""
    if not url.startswith(STATIC_BASE):
        return None
    from django.conf import settings
    from django.contrib.staticfiles import finders

    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    path = posixpath.normpath(unquote(parts.path))
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix) or ".." in path.split("/"):
        return None
    relative = path[len(prefix) :]
    ext = posixpath.splitext(relative)[1].lower()
    if ext not in STATIC_IMAGE_TYPES:
        return None
    found = finders.find(relative)
    if not found or isinstance(found, list):
        return None
    return found, mimetypes.guess_type(found)[0] or "application/octet-stream"


def safe_fetcher():
    return _fetcher_class()()


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    """The page as PDF bytes, with only `SafeFetcher`'s URLs fetched. Raises
    pdf.PdfUnavailable without WeasyPrint."""
    from tokodesk.core import pdf

    weasyprint = pdf.weasyprint_module()
    if weasyprint is None:
        raise pdf.PdfUnavailable(
            "pdf_unavailable", _("PDF documents are not available on this server.")
        )
    fetcher = fetcher or safe_fetcher()
    return weasyprint.HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()
