"""Per-order lists other than the lines (tags, payments) in the export's SQL.

PostgreSQL: the aggregates over one related table are computed together by one
`LEFT JOIN LATERAL (SELECT agg1, agg2 … FROM … WHERE … = o.id) alias ON true` per order,
instead of one correlated scalar subquery per column: the payments list and the last
payment date read an order's payments once (issue 16), and each result is a plain
column that `neutral()` may read twice without evaluating the list twice. SQLite has no
LATERAL: scalar subqueries, as before.

A mixin of `sqlrender.Dialect` (which holds `laterals`, `pg`, `neutral`, `neutral_sub`
and `agg`).
"""

from __future__ import annotations


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class RelatedLists:
    laterals: dict[str, tuple[str, dict[str, str]]]

    def related_agg(self, alias: str, source: str, agg: str) -> str:
        """PostgreSQL: the aggregate `agg` over the rows of `source` (FROM … WHERE …,
        correlated to `o`) computed with the other aggregates of the same `alias` by one
        LATERAL subquery per order (`laterals_join`), rather than one scalar subquery per
        column: the payments list and the last payment date read the order's payments
        once, and the result is a column (neutral() may read it twice)."""
        _source, aggs = self.laterals.setdefault(alias, (source, {}))
        if _source != source:
            raise ValueError(f"lateral {alias} has another source")
        return f"{alias}." + aggs.setdefault(agg, f"{alias}{len(aggs)}")

    def related_list(self, alias: str, expr: str, sep: str, source: str, order: str) -> str:
        """`expr` of the rows of `source` joined by `sep` in `order`, neutralized (a
        spreadsheet formula gets its quote); NULL when there are none. PostgreSQL: one
        LATERAL aggregate per order (`related_agg`); SQLite: a scalar subquery."""
        if self.pg:
            return self.neutral(
                self.related_agg(alias, source, f"string_agg({expr}, {_lit(sep)} ORDER BY {order})")
            )
        return self.neutral_sub(self.agg(expr, sep, source, order))

    def related_last(self, alias: str, expr: str, source: str, order: str) -> str:
        """`expr` of the last row of `source` in `order` (NULL when none)."""
        desc = ", ".join(f"{part.strip()} DESC" for part in order.split(","))
        if self.pg:
            return self.related_agg(alias, source, f"(array_agg({expr} ORDER BY {desc}))[1]")
        return f"(SELECT {expr} {source} ORDER BY {desc} LIMIT 1)"

    def laterals_join(self) -> str:
        """The LATERAL joins the columns asked for (PostgreSQL; "" on SQLite)."""
        return "".join(
            f" LEFT JOIN LATERAL (SELECT {', '.join(f'{agg} AS {name}' for agg, name in aggs.items())} "
            f"{source}) {alias} ON true"
            for alias, (source, aggs) in self.laterals.items()
        )
