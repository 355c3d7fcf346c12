"""The picking list (issue 14): for the selected orders, per warehouse, each variant once
with its quantity summed over the selection, in shelf order (by SKU), and the orders it
goes to; printed as a PDF with WeasyPrint and recorded on each order's timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.core import l10n, shop_profile
from tokodesk.dispatch.labels import orders_for_print, record_printed, render_pdf
from tokodesk.orders.models import Order, OrderLine


@dataclass
class PickLine:
    sku: str
    name: str
    qty: int


@dataclass
class PickList:
    warehouse: str
    orders: int
    lines: list[PickLine] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)


def picking_lists(orders: list[Order]) -> list[PickList]:
    """Per warehouse (by name; orders without one last), the variants summed, by SKU."""
    by_warehouse: dict[int | None, list[Order]] = defaultdict(list)
    for order in orders:
        by_warehouse[order.warehouse_id].append(order)
    names = {o.warehouse_id: o.warehouse.name for o in orders if o.warehouse_id}
    rows = (
        OrderLine.objects.filter(order__in=[o.pk for o in orders])
        .values("order__warehouse_id", "variant_id", "sku", "name")
        .annotate(qty=Sum("qty"))
        .order_by("sku", "variant_id")
    )
    lines: dict[int | None, dict[int, PickLine]] = defaultdict(dict)
    for row in rows:
        per = lines[row["order__warehouse_id"]]
        if row["variant_id"] in per:  # one variant sold under two names over time: one line
            per[row["variant_id"]].qty += row["qty"]
        else:
            per[row["variant_id"]] = PickLine(sku=row["sku"], name=row["name"], qty=row["qty"])
    result = [
        PickList(
            warehouse=names.get(wid) or _("No warehouse"),
            orders=len(group),
            lines=sorted(lines[wid].values(), key=lambda line: line.sku),
        )
        for wid, group in by_warehouse.items()
    ]
    return sorted(result, key=lambda p: (p.warehouse == _("No warehouse"), p.warehouse))


def picking_pdf(*, references: list[str], actor, source: str = "web") -> bytes:
    orders = orders_for_print(references, actor)
    html = render_to_string(
        "shipping/labels_picking.html",
        {
            "shop": shop_profile.profile(),
            "lists": picking_lists(orders),
            "references": [o.reference for o in orders],
            "printed": l10n.format_datetime(timezone.localtime()),
        },
    )
    pdf = render_pdf(html)
    record_printed(orders, actor, document="picking_list", source=source)
    return pdf
