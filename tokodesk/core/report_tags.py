"""The only tags and filters a shop owner's report template may use (core.report_templates'
sandbox engine has this library as its one builtin and no other).

Left out on purpose: load, include, extends, block (files and other libraries), debug (the
whole context), url, csrf_token, autoescape (turning escaping off), filter, regroup,
widthratio, lorem, now, querystring; the filters safe/safeseq (unescaped customer text),
pprint (reprs), center/ljust/rjust/floatformat/stringformat (huge widths or precisions),
dictsort (lookups by a string), json_script, urlize, date/time (raw dates: the context gives
them formatted; local_date does CLDR)."""

from django.template import Library, defaultfilters, defaulttags
from django.templatetags import i18n

from tokodesk.core.templatetags import tokodesk as ours

register = Library()

ALLOWED_TAGS = ("if", "for", "with", "firstof", "cycle", "comment", "spaceless", "verbatim")
ALLOWED_FILTERS = (
    "capfirst",
    "cut",
    "default",
    "default_if_none",
    "divisibleby",
    "escape",
    "first",
    "join",
    "last",
    "length",
    "linebreaksbr",
    "lower",
    "pluralize",
    "slice",
    "striptags",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "yesno",
)
OUR_FILTERS = ("money", "number", "local_date", "local_datetime", "phone_local")

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in ("translate", "trans", "blocktranslate", "blocktrans"):
    register.tags[_name] = i18n.register.tags[_name]
for _name in ALLOWED_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]
for _name in OUR_FILTERS:
    register.filters[_name] = ours.register.filters[_name]
