"""Dates on pages go through the named formats of tokodesk/core/formats: a literal "M"
(Django's capitalized, three-letter month) wrote "Déc", "Jui" and "Jul" in French."""

import re
from pathlib import Path

import tokodesk

ROOT = Path(tokodesk.__file__).parent
# |date:"…" and date_format(x, "…") / dateformat.format(x, "…") with a literal pattern holding "M".
TEMPLATE = re.compile(r"""\|date:["']([^"']*)["']""")
PYTHON = re.compile(r"""(?:date_format|dateformat\.format)\([^,]+,\s*["']([^"']*)["']""")


def month_patterns():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".html", ".txt", ".py") or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for regex in (TEMPLATE, PYTHON) if path.suffix == ".py" else (TEMPLATE,):
            for match in regex.finditer(text):
                pattern = match.group(1)
                if not pattern.endswith("_FORMAT") and re.search(r"(?<!\\)M", pattern):
                    yield f"{path.relative_to(ROOT)}: {match.group(0)}"


def test_no_literal_three_letter_month():
    found = list(month_patterns())
    assert not found, "use SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT / MONTH_DAY_FORMAT:\n" + "\n".join(found)
