"""docs/return-states.md is generated from RETURN_TRANSITIONS and must match it."""

import re

from django.utils import translation

from tokodesk.ops.management.commands.render_states import documents, project_root
from tokodesk.returns.states import RETURN_TRANSITIONS

DOC = "docs/return-states.md"


def _rendered():
    return documents()[DOC]


def _mermaid(text):
    match = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert match, "no mermaid block"
    return match.group(1)


def test_committed_doc_matches_the_table():
    path = project_root() / DOC
    assert path.exists(), f"{DOC} is missing: run `make states` and commit it."
    assert path.read_text(encoding="utf-8") == _rendered(), (
        f"{DOC} is out of date with RETURN_TRANSITIONS: run `make states` and commit the result."
    )


def test_every_action_and_status_appears():
    text = _rendered()
    diagram = _mermaid(text)
    for t in RETURN_TRANSITIONS:
        assert f"| `{t.action}` |" in text, f"action {t.action} missing from the actions table"
        assert re.search(rf" --> \w+ : {t.action}$", diagram, re.M), f"{t.action} not drawn"
    with translation.override("en"):
        labels = {code: str(label) for code, label in RETURN_TRANSITIONS.statuses.items()}
    assert len(labels) == 8
    for code, label in labels.items():
        assert f"| `{code}` | {label} |" in text
        assert f'state "{label}" as {code}\n' in diagram


def test_diagram_edges_are_the_table():
    diagram = _mermaid(_rendered())
    edges = set(re.findall(r"^\s+(\w+|\[\*\]) --> (\w+) : (\w+)$", diagram, re.M))
    expected = {(source, target, t.action) for t in RETURN_TRANSITIONS for source in t.sources
                for target in t.targets}
    expected |= {("[*]", "requested", "request"), ("[*]", "draft", "create")}
    assert edges == expected


def test_the_order_doc_is_still_rendered():
    assert "docs/order-states.md" in documents()
