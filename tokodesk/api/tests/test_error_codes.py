"""Every error code the code can raise or answer is in ErrorCode (the enum the OpenAPI
document gives as the error schema's `code`), and the enum lists no code nothing uses.

The source is read, not run: each DomainError (or subclass) built with a literal code,
each refusal a guard returns as ("code", _("message")), each error answered by the API's
helpers (json_error, api.error) and each error body written as a dict literal."""

from __future__ import annotations

import ast
from pathlib import Path

import tokodesk
from tokodesk.core.errors import ErrorCode

ROOT = Path(tokodesk.__file__).parent
BASES = {"DomainError", "ValidationFailed", "NotFound", "PermissionDenied", "Conflict", "StaleVersion"}
# The argument holding the code: DomainError(code, …), json_error(status, code, …),
# api.error(request, status, code, …).
HELPERS = {"json_error": 1}
API_HELPERS = {"error": 2}
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext"}


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def error_classes(trees) -> set[str]:
    names = set(BASES)
    changed = True
    while changed:
        changed = False
        for _path, tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in names for b in node.bases):
                    names.add(node.name)
                    changed = True
    return names


def literals(node) -> list[str] | None:
    """The code(s) a literal expression gives ("x", or "x" if … else "y"); None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = literals(node.body), literals(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def is_message(node) -> bool:
    """_("…"), _("…") % {…}: a translated message."""
    if isinstance(node, ast.BinOp):
        node = node.left
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT


def call_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)


def collect() -> dict[str, list[str]]:
    trees = list(sources())
    classes = error_classes(trees)
    found: dict[str, list[str]] = {}

    def add(codes, path, node):
        for code in codes:
            found.setdefault(code, []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")

    for path, tree in trees:
        # The API helpers (core/api/) and the root NinjaAPI whose error() they call (ops/api.py).
        in_api = path.parent.name == "api" or path.relative_to(ROOT).as_posix() == "ops/api.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = call_name(node)
                index = 0 if name in classes else HELPERS.get(name)
                if index is None and in_api:
                    index = API_HELPERS.get(name)
                if index is None:
                    continue
                keywords = {k.arg: k.value for k in node.keywords}
                arg = keywords.get("code") or (node.args[index] if len(node.args) > index else None)
                codes = literals(arg) if arg is not None else None
                if codes is not None:
                    add(codes, path, node)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                elts = node.value.elts
                if len(elts) == 2 and literals(elts[0]) and is_message(elts[1]):
                    add(literals(elts[0]), path, node)
            elif isinstance(node, ast.Dict):
                keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                        if isinstance(k, ast.Constant)}
                if {"code", "message"} <= set(keys) and (codes := literals(keys["code"])):
                    add(codes, path, node)
    return found


def test_every_code_raised_or_answered_is_in_the_enum():
    found = collect()
    # The reader finds each kind of source (it would pass vacuously otherwise).
    assert {"not_allowed_in_status", "overpayment", "idempotency_key_reused", "unauthenticated",
            "too_large", "pdf_unavailable"} <= set(found), sorted(found)
    missing = {code: where[:3] for code, where in found.items() if code not in ErrorCode._value2member_map_}
    assert not missing, f"codes not in tokodesk.core.errors.ErrorCode: {missing}"


def test_the_enum_lists_only_codes_in_use():
    unused = {c.value for c in ErrorCode} - set(collect())
    assert not unused, f"ErrorCode members nothing raises: {sorted(unused)}"
