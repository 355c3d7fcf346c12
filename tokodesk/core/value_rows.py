"""A row read as values that the code written for model instances can take.

Lists that only read (the orders list, the returns list) build their rows as dicts of
values instead of model instances (issue 16); the transition guards, deadlines and
templates read attributes. A `ValueRow` is a dict whose keys also read as attributes;
a subclass adds the model's computed properties it needs."""

from __future__ import annotations


class ValueRow(dict):
    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    pk = property(lambda self: self["id"])
