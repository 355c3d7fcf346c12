"""docs/order-states.md is generated from ORDER_TRANSITIONS and must match it."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tokodesk.core.statedocs import PSEUDO_STATE, _collapsed, render_table_markdown
from tokodesk.core.transitions import Transition, TransitionTable
from tokodesk.ops.management.commands import render_states
from tokodesk.ops.management.commands.render_states import documents, project_root
from tokodesk.orders.states import ORDER_TRANSITIONS

DOC = "docs/order-states.md"


def _rendered():
    return documents()[DOC]


def _mermaid(text):
    match = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert match, "no mermaid block"
    return match.group(1)


def test_committed_doc_matches_the_table():
    path = project_root() / DOC
    assert path.exists(), f"{DOC} is missing: run `make states` and commit it."
    committed = path.read_text(encoding="utf-8")
    assert committed == _rendered(), (
        f"{DOC} is out of date with ORDER_TRANSITIONS: run `make states` and commit the result."
    )


def test_every_action_and_status_appears():
    text = _rendered()
    diagram = _mermaid(text)
    for t in ORDER_TRANSITIONS:
        assert f"| `{t.action}` |" in text, f"action {t.action} missing from the actions table"
        assert re.search(rf" --> \w+ : {t.action}$", diagram, re.M), f"{t.action} not drawn"
    with translation.override("en"):
        labels = {code: str(label) for code, label in ORDER_TRANSITIONS.statuses.items()}
    assert len(labels) == 21
    for code, label in labels.items():
        assert f"| `{code}` | {label} |" in text, f"status {code} missing from the statuses table"
        assert f'state "{label}" as {code}\n' in diagram, f"status {code} not declared"


def test_diagram_edges_are_the_table():
    edges = set(re.findall(r"^\s+(\w+) --> (\w+) : (\w+)$", _mermaid(_rendered()), re.M))
    expected = {
        (source, PSEUDO_STATE if _collapsed(t) else target, t.action)
        for t in ORDER_TRANSITIONS
        for source in t.sources
        for target in t.targets
    }
    assert edges == expected
    # reopen and reject_cancellation (11 possible targets) go to the pseudo-state only.
    assert {a for _s, tgt, a in edges if tgt == PSEUDO_STATE} == {"reopen", "reject_cancellation"}


def test_labels_are_english_whatever_the_active_language():
    with translation.override("id"):
        text = _rendered()
    assert "| `confirm` | Confirm order |" in text
    assert text == _rendered()


def test_rendering_is_deterministic():
    assert _rendered() == _rendered()


def test_renderer_is_generic():
    """Any TransitionTable renders; a few dynamic targets are drawn as plain edges."""

    def has_receipt(obj, _inputs):
        """a receipt is attached"""

    table = TransitionTable(
        "return",
        [("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
        [
            Transition(
                "decide",
                "Decide",
                ("requested",),
                None,
                "returns.decide",
                possible_targets=("approved", "refused"),
                guards=(has_receipt,),
            ),
        ],
    )
    text = render_table_markdown(table, "Return states", "Intro.", initial="requested")
    assert text.startswith("# Return states\n")
    assert "`make states`" in text and "Intro." in text
    assert "requested --> approved : decide\n" in text
    assert "requested --> refused : decide\n" in text
    assert PSEUDO_STATE not in text
    assert "guard: a receipt is attached" in text
    assert "approved --> [*]" in text and "[*] --> requested" in text


def test_check_flag(tmp_path, monkeypatch):
    monkeypatch.setattr(render_states, "project_root", lambda: tmp_path)
    with pytest.raises(CommandError, match="make states"):
        call_command("render_states", check=True)  # missing file
    call_command("render_states")
    assert (tmp_path / DOC).read_text(encoding="utf-8") == _rendered()
    call_command("render_states", check=True)  # up to date: no error
    (tmp_path / DOC).write_text(_rendered() + "edited by hand\n", encoding="utf-8")
    with pytest.raises(CommandError, match="make states"):
        call_command("render_states", check=True)
