"""A return's money, as the return page, the API and the slip show it: the returned items'
value, each extra line (charged to the customer or credited to them) and what the customer
gets back. Before completion that is an estimate from the requested lines; from completion
the amounts fixed then (accepted lines, extra lines). Reads prefetched lines and extra lines
only (no query of its own)."""

from __future__ import annotations

from dataclasses import dataclass

from tokodesk.returns.states import ExtraDirection, ExtraKind, Status


@dataclass(frozen=True)
class ExtraRow:
    id: int
    kind: str
    kind_label: str
    label: str
    description: str
    tax_note: str
    direction: str
    amount: int  # signed: > 0 charged to the customer, < 0 credited
    size: int  # abs(amount)


@dataclass(frozen=True)
class Totals:
    items_value: int  # the returned lines at their price
    accepted_total: int | None  # fixed at completion
    extras: list[ExtraRow]
    charged: int  # extra lines charged to the customer (≥ 0)
    credited: int  # extra lines credited to the customer (≥ 0)
    extra_total: int  # charged − credited
    credit: int  # what the customer gets back (≥ 0)
    final: bool  # False: an estimate from the requested lines


def extra_rows(ret) -> list[ExtraRow]:
    return [ExtraRow(id=e.id, kind=e.kind, kind_label=str(ExtraKind(e.kind).label), label=e.label,
                     description=e.description, tax_note=e.tax_note, direction=e.direction, amount=e.amount,
                     size=abs(e.amount))
            for e in ret.extra_lines.all()]


def return_totals(ret) -> Totals:
    lines = list(ret.lines.all())
    extras = extra_rows(ret)
    charged = sum(e.size for e in extras if e.direction == ExtraDirection.CHARGE)
    credited = sum(e.size for e in extras if e.direction == ExtraDirection.CREDIT)
    final = ret.status == Status.COMPLETED
    value = sum(line.qty * line.unit_price for line in lines)
    if final:
        credit = max(ret.accepted_total - ret.fees_total, 0)
    else:
        credit = max(value - (charged - credited), 0)
    return Totals(items_value=value, accepted_total=ret.accepted_total if final else None, extras=extras,
                  charged=charged, credited=credited, extra_total=charged - credited, credit=credit, final=final)
