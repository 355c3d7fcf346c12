"""The responsible picker and the responsible shown on a return name groups in words, in
the user's language ("Warehouse (team)", the returns group as "Returns (every return)"),
never by their codes ("return_order (tim)")."""

from __future__ import annotations

import re

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from tokodesk.accounts.roles import GROUP_LABELS, PERMISSION_GROUPS, ROLES, group_label
from tokodesk.returns.forms import responsible_choices
from tokodesk.returns.templatetags.return_tags import responsible_name
from tokodesk.returns.tests.factories import paid_order, return_in


def _options(html: str) -> dict[str, str]:
    select = re.search(r'<select[^>]*name="responsible".*?</select>', html, re.S).group(0)
    return {
        value: text.strip()
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    }


def test_every_group_the_app_makes_has_a_label():
    assert set(GROUP_LABELS) == set(ROLES) | set(PERMISSION_GROUPS)
    with translation.override("en"):
        assert group_label("return_order") == "Returns (every return)"
        assert group_label("made-by-hand") == "made-by-hand"


def test_the_picker_names_groups_in_words(shop, users):
    assert Group.objects.filter(name="return_order").exists()
    order = paid_order(users["owner"])
    c = Client()
    c.force_login(users["owner"])
    for lang in ("en", "id"):
        c.cookies["django_language"] = lang
        options = _options(c.get("/returns/new/", {"order": order.reference}).content.decode())
        with translation.override(lang):
            team = translation.gettext("team")
            assert options["group:return_order"] == f"{group_label('return_order')} ({team})"
            assert options["group:warehouse"] == f"{group_label('warehouse')} ({team})"
        for value, text in options.items():
            if value.startswith("group:"):
                assert value.removeprefix("group:") not in text, text
    with translation.override("en"):
        assert ("group:return_order", "Returns (every return) (team)") in responsible_choices()


def test_a_returns_responsible_group_in_words(shop, users):
    owner = users["owner"]
    ret = return_in("draft", owner, order=paid_order(owner), lines=[("KAOS-M", 1)])
    ret.responsible_group = Group.objects.get(name="return_order")
    with translation.override("en"):
        assert responsible_name(ret) == "Returns (every return)"
