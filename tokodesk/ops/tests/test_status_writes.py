"""Only the core machine moves a document's status (issue 11).

Read from the source with `ast`: every module of the tokodesk package but its tests and
migrations. What counts as moving a status:

- an assignment to an attribute named `status` (`x.status = …`, `x.status += …`, also
  inside a tuple target, and `setattr(x, "status", …)`);
- a queryset `update(status=…)` or `bulk_update(…, ["status", …])`.

The one module allowed to do either on a document is core/transitions.py. The others that
do it are listed below, each on a row that is not a document (an Order, a Return or a
Refund), checked to still be there so the list can't go stale. Not covered: a row
*created* with its first status (`Return.objects.create(status=…)` in returns/services.py
for the entry actions `request` and `create`; a model's default), and raw SQL (the order
counters' triggers read the status, none writes it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import tokodesk

ROOT = Path(tokodesk.__file__).parent
MACHINE = "core/transitions.py"

# Status writes on rows that are not documents: (module, text the statement must contain).
NOT_DOCUMENTS = {
    ("core/errors.py", "self.status = status"),  # DomainError's HTTP status, not a row
    ("exports/services.py", "status=Export.Status."),  # an export job's state
    ("notifications/emails.py", "Notification.Status."),  # an e-mail's delivery state
    ("returns/lists.py", "state.status"),  # the base status a custom state belongs to
    ("webhooks/delivery.py", "status=WebhookDelivery.Status."),  # a webhook delivery's state
    ("webhooks/services.py", "status=WebhookDelivery.Status."),
    # A stocktake's sheet: open while counted, then posted or cancelled (one step each, no
    # table of transitions yet; its movements go through the stock ledger).
    ("catalog/services/stock_ops.py", "take.status = Stocktake.Status.POSTED"),
    ("catalog/services/stock_ops.py", "take.status = Stocktake.Status.CANCELLED"),
    ("shipping/regions.py", "bulk_update(changed, _fields(model)"),  # region rows, no status
    # A courier tracking event's processing state (received → applied / superseded / recorded
    # not applied / failed, retried back to received); the order it moves goes through the
    # order table (tracking/processing.py calls order_apply_action).
    ("tracking/processing.py", "event.status = outcome"),
    ("tracking/processing.py", "status=E.FAILED"),
    ("tracking/services.py", "status=S.RECEIVED"),
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or path.name == "conftest.py":
            continue
        yield rel.as_posix(), path


def _targets(node):
    if isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _is_status_write(node) -> bool:
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(
            isinstance(t, ast.Attribute) and t.attr == "status"
            for target in targets
            for t in _targets(target)
        )
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "setattr" and len(node.args) >= 2:
            return isinstance(node.args[1], ast.Constant) and node.args[1].value == "status"
        if name == "update":
            return any(k.arg == "status" for k in node.keywords)
        if name == "bulk_update" and len(node.args) >= 2:
            return (
                "status" in ast.literal_eval(node.args[1])
                if isinstance(node.args[1], (ast.List, ast.Tuple))
                else True
            )
    return False


def status_writes() -> list[tuple[str, int, str]]:
    found = []
    for rel, path in _modules():
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if _is_status_write(node):
                found.append((rel, node.lineno, ast.get_source_segment(source, node)))
    return found


def _allowed(rel: str, text: str) -> bool:
    return any(rel == module and marker in text for module, marker in NOT_DOCUMENTS)


def test_no_module_but_the_machine_moves_a_status():
    writes = status_writes()
    outside = [
        (rel, line, text)
        for rel, line, text in writes
        if rel != MACHINE and not _allowed(rel, text)
    ]
    assert outside == []
    # The machine does, in both paths (one document, a batch).
    assert len([w for w in writes if w[0] == MACHINE]) == 2


def test_the_exceptions_are_still_there():
    writes = status_writes()
    for module, marker in NOT_DOCUMENTS:
        assert any(rel == module and marker in text for rel, _line, text in writes), (
            module,
            marker,
        )


def test_the_check_sees_what_it_looks_for():
    for code in (
        "refund.status = 'paid'",
        "a.status, b = 1, 2",
        "setattr(order, 'status', 'new')",
        "Order.objects.filter(pk=1).update(status='new')",
        "Refund.objects.bulk_update(rows, ['status'])",
        "ret.status += ''",
    ):
        assert any(_is_status_write(n) for n in ast.walk(ast.parse(code))), code
    for code in (
        "order.status_before_cancellation = 'new'",
        "x = obj.status",
        "Order.objects.update(version=2)",
    ):
        assert not any(_is_status_write(n) for n in ast.walk(ast.parse(code))), code
