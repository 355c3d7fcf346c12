"""core.sections: a page shows what the apps registered for it, without importing them."""

from tokodesk.core import sections


def test_a_page_gets_the_registered_sections_in_order(monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", {})
    sections.register("p", "a", template="a.html", head_template="a_head.html",
                      context=lambda *, n, **_: {"n": n, "head": n > 1})
    sections.register("p", "b", template="b.html", context=lambda **_: None)  # not shown now
    sections.register("p", "c", template="c.html", context=lambda **_: {"body": False})
    assert sections.sections("p", n=1) == [
        {"name": "a", "data": {"n": 1, "head": False}, "body": "a.html", "head": ""},
        {"name": "c", "data": {"body": False}, "body": "", "head": ""},
    ]
    assert sections.sections("p", n=2)[0]["head"] == "a_head.html"
    assert sections.sections("other page") == []


def test_the_returns_app_registers_its_order_section():
    registered = sections._SECTIONS["orders.detail"]
    assert registered["returns"].template == "returns/_order_section.html"
