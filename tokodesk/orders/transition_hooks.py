"""What another app does inside an order's transition, in the same transaction.

Apps built on orders (payments records the RTS fee of a parcel sent back) register a
function for an action in their AppConfig.ready(); the action's effect in orders/states.py
calls `run(ctx)`. Orders imports none of them, so there is no import cycle."""

from __future__ import annotations

from collections.abc import Callable

_HOOKS: dict[str, dict[str, Callable]] = {}


def register(action: str, name: str, function: Callable) -> None:
    """Run `function(ctx)` in every `action` transition (a second ready() replaces it)."""
    _HOOKS.setdefault(action, {})[name] = function


def run(ctx) -> None:
    for function in _HOOKS.get(ctx.transition.action, {}).values():
        function(ctx)
