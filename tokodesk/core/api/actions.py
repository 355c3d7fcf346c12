"""The action endpoints of a document's state machine, generated from its transition table.

`add_action_routes(router, table, …)` adds to an app's router one endpoint per action that
can be run on an existing document — `POST /{reference}/actions/ship` — each with its
own operationId (`order_ship`), summary (the action's label), description (where it goes
from and to, the permission, the conditions) and request body: the action's input model,
so an integrator sees in the OpenAPI document what `ship` needs. It knows nothing of
orders or returns: the app gives its table, the service that runs an action, the
response schema and the lookup that answers with the document.

Why one endpoint per action rather than one endpoint with a discriminated union: the
action is already in the URL (clients send no second discriminator), each action gets
its own operationId and summary in generated clients and in Swagger UI, and a fuzzer
(schemathesis) generates bodies for each action from that action's model instead of
mixing one action's fields into another's.

Behaviour is that of the former generic endpoint, which is kept (out of the schema) for
the same URLs, so an unknown action still answers 404 `unknown_action`: the body is read
by the guard's JSON reader (depth limit, NaN refused, `{}` when empty) and validated by
the service after the version, permission and status checks ("not possible now" before
"bad input"), a `version` in the body or an If-Match header (412 when stale), the
document's ETag on the answer, Idempotency-Key through its middleware.

Actions whose effect reads uploaded files (`uploads`, e.g. a return's label on approve)
also take `multipart/form-data`: the input fields as form fields, the files by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router
from ninja.schema import NinjaGenerateJsonSchema

from tokodesk.core.api.common import ERRORS, ErrorOut, expected_version
from tokodesk.core.api.guard import FORM_TYPES, json_object_body
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.transitions import Transition, TransitionTable

# An operation's key for the component schemas it brings; TokodeskAPI moves them to
# components/schemas (ninja only adds the schemas of the models it validates itself).
COMPONENTS_KEY = "x-tokodesk-components"
REF = "#/components/schemas/"
# The errors an action may answer: those of every operation, a body too large or of the
# wrong type.
ACTION_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}

Service = Callable[..., object]  # service(reference=, action=, actor=, inputs=, expected_version=, source=, files=)
Lookup = Callable[[HttpRequest, str], object]  # the answer with the document (and its ETag)


def add_action_routes(router: Router, table: TransitionTable, *, service: Service, response: type,
                      lookup: Lookup, uploads: Mapping[str, Iterable[str]] | None = None,
                      path: str = "/{reference}/actions") -> None:
    """Add one endpoint per action of `table` that starts from a status (entry actions,
    with no source, are not run on an existing document), then the generic
    `{path}/{action}` for the URLs of any other name (unknown_action). `uploads` maps an
    action to the form fields of the files its effect reads."""
    assert "{reference}" in path, "the views take the document's key as `reference`"
    uploads = {action: tuple(fields) for action, fields in (uploads or {}).items()}
    for action in uploads:
        table.get(action)  # a typo in `uploads` fails at import
    for transition in table:
        if transition.sources:
            _add_action(router, table, transition, path, service=service, response=response, lookup=lookup,
                        files=uploads.get(transition.action, ()))

    def run_action(request: HttpRequest, reference: str, action: str):
        return _run(request, reference, action, (), service, lookup)

    router.add_api_operation(
        f"{path}/{{action}}", ["POST"], run_action, response={200: response, **ACTION_ERRORS},
        include_in_schema=False, operation_id=f"{table.name}_action",
    )


def _add_action(router, table, transition: Transition, path, *, service, response, lookup, files):
    action = transition.action

    def view(request: HttpRequest, reference: str):
        return _run(request, reference, action, files, service, lookup)

    view.__name__ = f"{table.name}_{action}"
    view.tokodesk_accepts_form = bool(files)  # the guard then lets multipart through
    with translation.override("en"):
        summary = str(transition.label)
        description = _description(table, transition, files)
    router.add_api_operation(
        f"{path}/{action}", ["POST"], view, response={200: response, **ACTION_ERRORS},
        operation_id=f"{table.name}_{action}", summary=summary, description=description,
        openapi_extra=_request_body(table, transition, files),
    )


# --- running an action --------------------------------------------------------------------


def _run(request, reference: str, action: str, files: tuple[str, ...], service: Service, lookup: Lookup):
    uploaded = {}
    if files and (request.content_type or "").lower() in FORM_TYPES:
        inputs, uploaded = _form_inputs(request, files)
    else:
        inputs = json_object_body(request)  # depth-limited, NaN refused, {} when empty
    body_version = inputs.get("version")
    if body_version is not None and (type(body_version) is not int or body_version < 1):
        raise ValidationFailed("invalid_input", _("The action's input is not valid."),
                               fields={"version": _("The version you saw, a whole number from 1.")})
    service(reference=reference, action=action, actor=request.auth, inputs=inputs,
            expected_version=expected_version(request, body_version), source="api", files=uploaded or None)
    return lookup(request, reference)


def _form_inputs(request, files: tuple[str, ...]) -> tuple[dict, dict]:
    """A multipart (or urlencoded) action: its input fields and its files. An empty field
    is an omitted one (as a form sends it); a whole number is read as one (`version`)."""
    try:
        fields, sent_files = request.POST, request.FILES
    except MultiPartParserError as exc:
        raise ValidationFailed("invalid_input", _("The upload could not be read."),
                               fields={"__all__": str(exc)[:200]}, status=400) from None
    inputs: dict = {}
    for name, value in fields.items():
        if name in files:
            raise ValidationFailed("invalid_input", _("The action's input is not valid."),
                                   fields={name: _("Send a file.")})
        if value != "":
            inputs[name] = int(value) if name == "version" and re.fullmatch(r"[0-9]{1,18}", value) else value
    unknown = [name for name in sent_files if name not in files]
    if unknown:
        raise ValidationFailed("invalid_input", _("The action's input is not valid."),
                               fields={name[:100]: _("Unknown field.") for name in unknown})
    return inputs, {name: sent_files[name] for name in files if name in sent_files}


# --- what the OpenAPI document shows ----------------------------------------------------------


def _component_name(table: TransitionTable, name: str) -> str:
    return f"{table.name.title()}{name}"


def _request_body(table: TransitionTable, transition: Transition, files: tuple[str, ...]) -> dict:
    """The action's input model as the operation's JSON body (a component named after the
    table and the action: OrderShipInput), plus its multipart form when it takes files."""
    name = _component_name(table, "".join(part.title() for part in transition.action.split("_")) + "Input")
    if transition.inputs is None:
        schema = {"type": "object", "properties": {}, "additionalProperties": False}
        components = {}
    else:
        schema = transition.inputs.model_json_schema(
            ref_template=REF + _component_name(table, "{model}"), schema_generator=NinjaGenerateJsonSchema)
        components = {_component_name(table, key): value for key, value in schema.pop("$defs", {}).items()}
    schema["title"] = name
    components[name] = schema
    content = {"application/json": {"schema": {"$ref": REF + name}}}
    if files:
        form = {key: value for key, value in schema.items() if key not in ("title", "properties")}
        form["properties"] = {**schema.get("properties", {}),
                              **{field: {"type": "string", "format": "binary"} for field in files}}
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"required": bool(schema.get("required")), "content": content},
            COMPONENTS_KEY: components}


def _description(table: TransitionTable, transition: Transition, files: tuple[str, ...]) -> str:
    def statuses(values):
        return ", ".join(f"`{s}`" for s in values)

    lines = [f"{transition.description[:1].upper()}{transition.description[1:]}."] if transition.description else []
    lines.append(f"From {statuses(transition.sources)} to {statuses(transition.targets)}.")
    lines.append(f"Needs the permission `{transition.permission}`.")
    conditions = [(check.__doc__ or "").strip() for check in (*transition.guards, *transition.checks)]
    if any(conditions):
        lines.append("Only when: " + "; ".join(c for c in conditions if c) + ".")
    lines.append("Send the version you saw as `version` in the body or as `If-Match` (a stale one: 409, or 412 "
                 "with If-Match). The inputs are checked after the version, the permission and the status: an "
                 "action not possible now answers 409 `not_allowed_in_status` before any 422 on its inputs.")
    if files:
        lines.append("Also takes `multipart/form-data`: the same fields as form fields, and the file"
                     f"{'s' if len(files) > 1 else ''} {', '.join(f'`{f}`' for f in files)}.")
    return "\n\n".join(lines)


def hoist_components(schema: dict) -> dict:
    """Move the component schemas the action operations bring (COMPONENTS_KEY) into
    the OpenAPI document's components. Two schemas of one name must be the same."""
    found = schema.setdefault("components", {}).setdefault("schemas", {})
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            for name, component in operation.pop(COMPONENTS_KEY, {}).items():
                assert found.setdefault(name, component) == component, f"two OpenAPI schemas named {name}"
    return schema
