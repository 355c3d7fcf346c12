"""Every variable a report template names, checked against the documented ones before it is
saved (issue 17): not only `{{ … }}` (which a render shows) but the conditions of `{% if %}`,
the sequence of `{% for %}`, the values of `{% with %}`, `{% firstof %}`, `{% cycle %}` and
`{% blocktranslate with … %}`, and the arguments of filters, which a render would quietly
treat as empty (`{% if retrun.status %}` is always false).

It walks the compiled nodelist, not the text: each FilterExpression's Variable is looked up,
bit by bit, in the shape of the sample context (its dicts, the items of its lists), with the
names a tag defines in scope inside its body: the loop variables of a `{% for %}` (the items
of its sequence) and `forloop`, the names of a `{% with %}`, a blocktranslate's `with`/`count`
names, and whatever `as name` defines. A bit the shape cannot say (an empty list's items, a
None, a method's result) is not checked further: no false refusal of a valid template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.template.base import FilterExpression, Node, NodeList, Variable, VariableNode
from django.template.defaulttags import CycleNode, FirstOfNode, ForNode, IfNode, WithNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

ANY = object()  # a shape the check cannot see into: everything under it is accepted
FORLOOP = {
    "counter": 1,
    "counter0": 0,
    "revcounter": 1,
    "revcounter0": 0,
    "first": True,
    "last": True,
    "parentloop": ANY,
    "length": 1,
}


@dataclass(frozen=True)
class Unknown:
    """A variable the template names that the documented context does not have: its text
    as written (`retrun.status`), its line, and the tag it is in ("" for {{ … }})."""

    name: str
    line: int | None
    tag: str = ""


def _merge(values):
    """The shape of a list's items: their dicts merged (a key of any item is known, with a
    value that is not None when one item has one), else the first item, else ANY."""
    values = [v for v in values if v is not None]
    if not values:
        return ANY
    if all(isinstance(v, Mapping) for v in values):
        merged: dict = {}
        for value in values:
            for key, item in value.items():
                if merged.get(key) is None or isinstance(item, (list, tuple)):
                    if isinstance(item, (list, tuple)) and isinstance(
                        merged.get(key), (list, tuple)
                    ):
                        item = tuple(merged[key]) + tuple(item)
                    merged[key] = item
        return merged
    return values[0]


def _lookup(shape, bit: str):
    """The shape under `bit` (ANY: cannot tell), or KeyError: nothing is there."""
    if shape is ANY or shape is None:
        return ANY
    if isinstance(shape, Mapping):
        if bit in shape:
            return shape[bit]
        if hasattr(shape, bit):  # .items, .keys, .values: a method's result
            return ANY
        raise KeyError(bit)
    if isinstance(shape, (list, tuple, str)) and bit.lstrip("-").isdigit():
        if isinstance(shape, str):
            return ""
        return _merge(shape)
    if hasattr(shape, bit):
        return ANY
    raise KeyError(bit)


def item_shape(shape):
    """The shape of one item of `shape` looped over."""
    if shape is ANY or shape is None:
        return ANY
    if isinstance(shape, Mapping):
        return ANY  # {% for key in a_dict %}: its keys
    if isinstance(shape, (list, tuple)):
        return _merge(shape)
    return ANY


def resolve_shape(variable: Variable, scope: dict):
    """The shape `variable` has in `scope`, or KeyError with the bit that is missing."""
    if variable.lookups is None:  # a literal: "fr", 3, _("text")
        return variable.literal
    shape = scope.get(variable.lookups[0], KeyError)
    if shape is KeyError:
        raise KeyError(variable.lookups[0])
    for bit in variable.lookups[1:]:
        shape = _lookup(shape, bit)
    return shape


class _Walker:
    def __init__(self, names_defined_anywhere: set[str]):
        self.unknown: list[Unknown] = []
        self.anywhere = names_defined_anywhere

    def expression(self, fe, scope, line, tag=""):
        """Check a FilterExpression (its variable and its filters' arguments); its shape."""
        if not isinstance(fe, FilterExpression):
            return ANY
        shape = self.variable(fe.var, scope, line, tag) if isinstance(fe.var, Variable) else fe.var
        for _func, args in fe.filters:
            for is_lookup, arg in args:
                if is_lookup and isinstance(arg, Variable):
                    self.variable(arg, scope, line, tag)
        return shape if not fe.filters else ANY

    def variable(self, var: Variable, scope, line, tag):
        try:
            return resolve_shape(var, scope)
        except KeyError:
            if var.lookups and var.lookups[0] in self.anywhere and var.lookups[0] not in scope:
                return ANY  # defined by an `as name` somewhere: not followed
            self.unknown.append(Unknown(var.var, line, tag))
            return ANY

    def condition(self, cond, scope, line):
        if cond is None:
            return
        value = getattr(cond, "value", None)
        if isinstance(value, FilterExpression):
            self.expression(value, scope, line, "if")
            return
        for part in (getattr(cond, "first", None), getattr(cond, "second", None)):
            self.condition(part, scope, line)

    def nodelist(self, nodelist, scope):
        for node in nodelist or ():
            self.node(node, scope)

    def node(self, node: Node, scope):
        token = getattr(node, "token", None)
        line = getattr(token, "lineno", None)
        if isinstance(node, VariableNode):
            self.expression(node.filter_expression, scope, line)
        elif isinstance(node, IfNode):
            for cond, body in node.conditions_nodelists:
                self.condition(cond, scope, line)
                self.nodelist(body, scope)
        elif isinstance(node, ForNode):
            sequence = self.expression(node.sequence, scope, line, "for")
            item = item_shape(sequence)
            inner = dict(scope, forloop=FORLOOP)
            if len(node.loopvars) == 1:
                inner[node.loopvars[0]] = item
            else:
                inner.update(dict.fromkeys(node.loopvars, ANY))
            self.nodelist(node.nodelist_loop, inner)
            self.nodelist(node.nodelist_empty, scope)
        elif isinstance(node, WithNode):
            inner = dict(scope)
            for name, fe in node.extra_context.items():
                inner[name] = self.expression(fe, scope, line, "with")
            self.nodelist(node.nodelist, inner)
        elif isinstance(node, FirstOfNode):
            for fe in node.vars:
                self.expression(fe, scope, line, "firstof")
        elif isinstance(node, CycleNode):
            for fe in node.cyclevars:
                self.expression(fe, scope, line, "cycle")
        elif isinstance(node, TranslateNode):
            self.expression(node.filter_expression, scope, line, "translate")
        elif isinstance(node, BlockTranslateNode):
            self.blocktranslate(node, scope, line)
        else:
            for attr in getattr(node, "child_nodelists", ()):
                child = getattr(node, attr, None)
                if isinstance(child, NodeList):
                    self.nodelist(child, scope)

    def blocktranslate(self, node, scope, line):
        inner = dict(scope)
        for name, fe in node.extra_context.items():
            inner[name] = self.expression(fe, scope, line, node.tag_name)
        if node.counter is not None:
            self.expression(node.counter, scope, line, node.tag_name)
            if node.countervar:
                inner[node.countervar] = 1
        for token in list(node.singular) + list(node.plural or ()):
            if token.token_type.name == "VAR" and token.contents not in inner:
                if token.contents not in self.anywhere:
                    self.unknown.append(Unknown(token.contents, line, node.tag_name))


def _defined_names(nodelist) -> set[str]:
    """The names `as name` defines ({% translate "x" as t %}, {% cycle … as c %}): known
    from there on; accepted anywhere (their order in the text is not followed)."""
    names = set()
    for node in _all_nodes(nodelist):
        for attr in ("asvar", "variable_name"):
            value = getattr(node, attr, None)
            if isinstance(value, str) and value:
                names.add(value)
    return names


def _all_nodes(nodelist):
    for node in nodelist or ():
        yield node
        if isinstance(node, IfNode):
            for _cond, body in node.conditions_nodelists:
                yield from _all_nodes(body)
        for attr in getattr(node, "child_nodelists", ()):
            child = getattr(node, attr, None)
            if isinstance(child, NodeList) and not isinstance(node, IfNode):
                yield from _all_nodes(child)


def unknown_variables(template, context: dict) -> list[Unknown]:
    """The variables `template` (compiled by the sandbox) names that `context` (the sample
    context: its shape is what is documented) does not have, once each, in the text's order."""
    walker = _Walker(_defined_names(template.nodelist))
    walker.nodelist(template.nodelist, dict(context))
    seen, found = set(), []
    for unknown in walker.unknown:
        if (unknown.name, unknown.line) not in seen:
            seen.add((unknown.name, unknown.line))
            found.append(unknown)
    return found
