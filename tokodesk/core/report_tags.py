"""The only tags and filters a shop owner's report template may use (core.report_templates'
sandbox engine has this library as its one builtin and no other).

Left out on purpose: load, include, extends, block (files and other libraries), debug (the
whole context), url, csrf_token, autoescape (turning escaping off), filter, regroup,
widthratio, lorem, now, querystring; the filters safe/safeseq (unescaped customer text),
pprint (reprs), center/ljust/rjust/floatformat/stringformat (huge widths or precisions),
dictsort (lookups by a string), json_script, urlize, date/time (raw dates: the context gives
them formatted; local_date does CLDR)."""

from django.template import Library, Node, defaultfilters, defaulttags
from django.template.base import TextNode
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
# {% colon %}: the colon after a label as the language writes it (French: "Numéros : …").
OUR_TAGS = ("colon",)

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]

# Loops over loops could run for hours or print gigabytes ({% for a in lines %}{% for b in
# shop.name %}…, eight deep, around a long text): every {% for %} counts its turns and the
# text of its body in the render, which stops past LOOP_BUDGET turns or TEXT_BUDGET
# characters.
LOOP_BUDGET = 50_000
TEXT_BUDGET = 5_000_000


class LoopBudgetExceeded(Exception):
    pass


class _CountTurn(Node):
    def __init__(self, weight: int):
        self.weight = weight

    def render(self, context):
        turns, text = context.render_context.get("report_loop_budget", (0, 0))
        turns, text = turns + 1, text + self.weight
        if turns > LOOP_BUDGET or text > TEXT_BUDGET:
            raise LoopBudgetExceeded(
                f"more than {LOOP_BUDGET} loop turns or {TEXT_BUDGET} characters"
            )
        context.render_context["report_loop_budget"] = (turns, text)
        return ""


def do_for(parser, token):
    node = defaulttags.do_for(parser, token)
    weight = sum(len(n.s) for n in node.nodelist_loop.get_nodes_by_type(TextNode))
    counter = _CountTurn(weight)
    counter.origin, counter.token = parser.origin, token  # what a debug render reports
    node.nodelist_loop.insert(0, counter)
    return node


register.tags["for"] = do_for
for _name in ("translate", "trans", "blocktranslate", "blocktrans"):
    register.tags[_name] = i18n.register.tags[_name]
for _name in ALLOWED_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]
for _name in OUR_FILTERS:
    register.filters[_name] = ours.register.filters[_name]
for _name in OUR_TAGS:
    register.tags[_name] = ours.register.tags[_name]
