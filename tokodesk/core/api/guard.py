"""What the API refuses before any view reads a request, and the JSON every refusal under
/api/v1/ is answered with — including those Django or ninja would answer in HTML or plain
text (unknown path, wrong method, body over DATA_UPLOAD_MAX_MEMORY_SIZE, a server error).

- JSON bodies are parsed once by `parse_json`: NaN/Infinity refused, nesting at most
  MAX_DEPTH deep (a 100,000-deep body made json.loads raise RecursionError: a 500), and
  only a JSON object at the top. Errors are 400 `invalid_json`.
- A body is accepted only in the content type the operation reads: JSON
  (`application/json` or `…+json`) for every operation, and forms (multipart or
  urlencoded) only for operations with Form/File parameters (uploads). Else 415.
- A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE is 413.
- A NUL character anywhere in the path, query or body is 400 (PostgreSQL cannot store it).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja.parser import Parser

from tokodesk.core.errors import ValidationFailed

API_PREFIX = "/api/v1/"
MAX_DEPTH = 32
BODY_METHODS = ("POST", "PUT", "PATCH")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

logger = logging.getLogger("tokodesk.api")


def json_error(status: int, code: str, message, fields: dict | None = None, **headers) -> JsonResponse:
    """Our error body {code, message, fields} for answers made outside ninja's handlers."""
    response = JsonResponse(
        {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}},
        status=status,
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def too_big() -> JsonResponse:
    return json_error(413, "too_large", _("The request body is too large."))


def is_json_type(content_type: str) -> bool:
    content_type = (content_type or "").lower()
    return content_type == "application/json" or (content_type.startswith("application/")
                                                  and content_type.endswith("+json"))


# --- JSON bodies -----------------------------------------------------------------------


def _refuse_constant(name):
    raise ValueError(name)


def _too_deep(data) -> bool:
    """Whether a parsed value nests containers deeper than MAX_DEPTH (iterative: a deep
    value cannot exhaust the stack here)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json(body: bytes, *, require_object: bool = True):
    """The JSON value of a request body, or ValidationFailed (400, `invalid_json`)."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        data = None
        too_deep = True
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("invalid_json", _("The body is not valid JSON."), status=400) from None
    else:
        too_deep = _too_deep(data)
    if too_deep:
        raise ValidationFailed(
            "invalid_json", _("The body nests more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}, status=400)
    if require_object and not isinstance(data, dict):
        raise ValidationFailed("invalid_json", _("The body must be a JSON object."), status=400)
    return data


def json_object_body(request) -> dict:
    """The body of an action endpoint as a dict ({} for an empty body)."""
    if not request.body.strip():
        return {}
    return parse_json(request.body)


class ApiParser(Parser):
    """ninja's body parser with parse_json's limits. ninja turns any parser error into
    HttpError(400) with this error as its cause; api.http_error answers with it."""

    def parse_body(self, request):
        return parse_json(request.body, require_object=False)


# --- before every operation (a ninja "view" decorator: runs before authentication) --------

# A NUL character cannot be stored in PostgreSQL text (psycopg raises DataError: a 500)
# and is never meaningful in an order: refuse it before any view reads the request.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _reads_form(operation) -> bool:
    """Whether an operation reads forms: Form/File parameters, or a view that reads the
    form itself (tokodesk_accepts_form: the action endpoints that take files)."""
    if getattr(getattr(operation, "view_func", None), "tokodesk_accepts_form", False):
        return True
    return any(getattr(model, "__ninja_param_source__", None) in ("form", "file")
               for model in getattr(operation, "models", ()))


def guard_operation(run):
    """Wraps an operation's run: refuses bodies of the wrong type (415), too large (413)
    and NUL characters (400) before authentication, validation or the view."""
    # The operation whose run this is (through any decorator applied before this one).
    accepts_form = _reads_form(getattr(inspect.unwrap(run), "__self__", None))

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        body = b""
        if request.method in BODY_METHODS:
            content_type = (request.content_type or "").lower()
            if content_type in FORM_TYPES and accepts_form:
                pass  # file uploads are left to their own limits: reading .body would load them
            elif content_type == "multipart/form-data":
                return _unsupported(accepts_form)
            else:
                try:
                    body = request.body
                except RequestDataTooBig:
                    return too_big()
                if body.strip() and not is_json_type(content_type):
                    return _unsupported(accepts_form)
        if ("\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "")
                or b"\x00" in body or _JSON_NUL.search(body)):
            return json_error(400, "invalid_input", _("The request contains a NUL character."))
        return run(request, *args, **kwargs)

    return wrapper


def _unsupported(accepts_form: bool) -> JsonResponse:
    if accepts_form:
        message = _("Send this request as multipart/form-data.")
    else:
        message = _("Send the body as JSON, with Content-Type: application/json.")
    return json_error(415, "unsupported_media_type", message, {"Content-Type": message})


# --- around every URL of the API (ninja's own 405, and paths it does not know) -------------


def guard_url(callback):
    """Wraps a URL callback of the API: a body over the size limit read anywhere is 413,
    and ninja's plain-text 405 becomes our JSON (with its Allow header)."""

    @functools.wraps(callback)
    def view(request, *args, **kwargs):
        try:
            response = callback(request, *args, **kwargs)
        except RequestDataTooBig:
            return too_big()
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allow = response.get("Allow", "")
            return json_error(405, "method_not_allowed",
                              _("%(method)s is not allowed here.") % {"method": request.method[:10]},
                              Allow=allow)
        return response

    return view


def not_found(request, *args, **kwargs):
    """Every /api/v1/ path no operation matches."""
    return json_error(404, "not_found", _("Not found."))


not_found.csrf_exempt = True


# --- Django's error handlers (config/urls.py): JSON under /api/v1/, pages otherwise ---------


def _is_api(request) -> bool:
    return request is not None and request.path.startswith(API_PREFIX)


def bad_request(request, exception, template_name="400.html"):
    from django.views import defaults

    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return too_big()
        return json_error(400, "bad_request", _("The request could not be read."))
    return defaults.bad_request(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    from django.views import defaults

    if _is_api(request):
        return json_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    from django.views import defaults

    if _is_api(request):
        return json_error(403, "forbidden", _("You may not do this."))
    return defaults.permission_denied(request, exception)


def server_error(request, template_name="500.html"):
    from django.views import defaults

    if _is_api(request):
        return json_error(500, "server_error", _("Something went wrong on our side. Try again later."))
    return defaults.server_error(request)
