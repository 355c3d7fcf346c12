"""Issue 17: a report template's unknown variables are refused on save wherever they are,
not only in {{ … }}: the conditions of {% if %}/{% elif %}, the sequence of {% for %}, the
values of {% with %}, {% firstof %}, {% cycle %} and {% blocktranslate with %}, the
arguments of filters. Before, these were silently empty (an {% if retrun.status %} always
false). The names a tag defines are known inside its body only."""

from __future__ import annotations

import pytest
from django.utils import translation

from tokodesk.core.errors import ValidationFailed
from tokodesk.returns.reports import services
from tokodesk.returns.reports.models import ReportTemplate
from tokodesk.returns.tests.test_pages_actions import client_for


def _problems(html: str) -> list[str]:
    with translation.override("en"):
        return [str(p) for p in services.validate("slip", html, "")]


@pytest.mark.parametrize(
    "html, expected",
    [
        ("{% if retrun.status %}x{% endif %}", "retrun.status in {% if %}"),
        (
            '{% if locale == "fr" %}a{% elif totals.finall %}b{% endif %}',
            "totals.finall in {% if %}",
        ),
        ("{% if not customer.nam and locale %}x{% endif %}", "customer.nam in {% if %}"),
        ("{% for l in linez %}{{ l }}{% endfor %}", "linez in {% for %}"),
        (
            "{% for line in lines %}{% if line.skuu %}x{% endif %}{% endfor %}",
            "line.skuu in {% if %}",
        ),
        ("{{ totals.credit|money:currencyy }}", "{{ currencyy }}"),
        ("{{ customer.name|default:customer.nam }}", "{{ customer.nam }}"),
        ("{% with t=totals.credti %}{{ t }}{% endwith %}", "totals.credti in {% with %}"),
        ("{% with t=totals %}{{ t.nope }}{% endwith %}", "{{ t.nope }}"),
        ("{% firstof shop.phon shop.email %}", "shop.phon in {% firstof %}"),
        ("{% for l in lines %}{% cycle 'a' l.nam %}{% endfor %}", "l.nam in {% cycle %}"),
        (
            "{% blocktranslate with ref=return.referense %}Slip {{ ref }}{% endblocktranslate %}",
            "return.referense in {% blocktranslate %}",
        ),
        (
            "{% blocktranslate %}Slip {{ reference }}{% endblocktranslate %}",
            "reference in {% blocktranslate %}",
        ),
        # A loop variable is not known after its loop.
        (
            "{% for line in lines %}{% endfor %}{% if line.sku %}x{% endif %}",
            "line.sku in {% if %}",
        ),
        # A scalar has no such attribute.
        ("{% if customer.name.nope %}x{% endif %}", "customer.name.nope in {% if %}"),
    ],
)
def test_unknown_variable_in_a_tag_is_named_with_its_line(shop, html, expected):
    problems = _problems(f"<p>{{{{ return.reference }}}}</p>\n{html}")
    assert problems == [f"Line 2: Unknown variable {expected}."]


def test_known_variables_in_tags_pass(shop):
    html = """{% for line in lines %}{{ forloop.counter }}. {{ line.sku }}
{% for sn in line.serial_numbers %}{{ sn }}{% if not forloop.last %}, {% endif %}{% endfor %}
{% if line.decision and line.qty_accepted > 0 %}{{ line.qty_accepted }}{% endif %}
{% if forloop.parentloop %}{% endif %}{% empty %}-{% endfor %}
{% for extra in extras %}{% if extra.direction == "charge" %}−{% endif %}{{ extra.amount|money:currency }}{% endfor %}
{% with credit=totals.credit first=lines.0 %}{{ credit|money:currency }} {{ first.sku }}{% endwith %}
{% firstof shop.whatsapp shop.phone "-" %} {{ customer.name|default:customer.phone }}
{% for item in return.exchange_items %}{{ item.qty }} × {{ item.sku }}{% endfor %}
{% for line in shop.address_lines %}{{ line }}{% endfor %}{{ lines|length }} {{ return.reference.upper }}
{% blocktranslate with reference=return.reference %}Slip {{ reference }}{% endblocktranslate %}
{% blocktranslate count n=items_count %}{{ n }} item{% plural %}{{ n }} items{% endblocktranslate %}"""
    assert _problems(html) == []


def test_every_unknown_variable_is_listed_and_nothing_is_saved(shop, users):
    html = (
        "{% if retrun.status %}\n{{ customer.nam }}\n{% endif %}\n{% for x in nope %}{% endfor %}"
    )
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.template_save(actor=users["owner"], document="slip", html=html, css="")
    assert exc.value.status == 422
    assert exc.value.fields["html"] == (
        "Line 1: Unknown variable retrun.status in {% if %}. "
        "Line 2: Unknown variable {{ customer.nam }}. "
        "Line 4: Unknown variable nope in {% for %}."
    )
    assert not ReportTemplate.objects.exists()


def test_the_editor_page_refuses_an_unknown_variable_in_an_if(shop, users):
    c = client_for(users["owner"])
    with translation.override("en"):
        r = c.post(
            "/returns/report-templates/summary/",
            {"op": "save", "html": "<p>ok</p>\n{% if totals.finale %}x{% endif %}", "css": ""},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 422
    assert "Line 2" in r.content.decode() and "totals.finale" in r.content.decode()
    assert not ReportTemplate.objects.exists()
