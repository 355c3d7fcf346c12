"""Rates by CSV (issue 14): export the tables, import them back with a preview.

Columns (the first line names them; comma or semicolon separated, as spreadsheets in
Indonesia save them; the export writes the same, so an export imports back unchanged):

    courier, service, origin, destination, destination_name, price_per_kg, min_weight_kg,
    rounding_grams, eta_days_min, eta_days_max

courier, service, destination and price_per_kg are required; origin empty = any origin (or
a warehouse code, or a regency/city code such as 31.73); destination a district (32.01.07),
regency/city (32.01) or province (32) code; destination_name is for people and not read.
A row whose (courier, service, origin, destination) has a rate already updates it, the
others are added. Every row is checked first; nothing is written unless all are valid."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.shipping import rates_admin
from tokodesk.shipping.models import ShippingRate

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 50_000
COLUMNS = (
    "courier", "service", "origin", "destination", "destination_name", "price_per_kg",
    "min_weight_kg", "rounding_grams", "eta_days_min", "eta_days_max",
)  # fmt: skip
REQUIRED = ("courier", "service", "destination", "price_per_kg")
DEFAULTS = {"origin": "", "min_weight_kg": "1", "rounding_grams": "300", "eta_days_min": "1",
            "eta_days_max": "3"}  # fmt: skip
# The rate model's field for each column that is not named the same.
_FIELD = {"rounding_grams": "rounding_tolerance_grams"}
_COLUMN = {v: k for k, v in _FIELD.items()}


@dataclass
class CsvRate:
    line: int
    cells: dict
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    existing_id: int | None = None

    @property
    def error(self) -> str:
        return " ".join(str(m) for m in self.errors.values())

    @property
    def action(self) -> str:
        return "update" if self.existing_id else "add"


@dataclass
class Preview:
    rows: list[CsvRate]

    @property
    def refused(self) -> list[CsvRate]:
        return [r for r in self.rows if r.errors]

    @property
    def added(self) -> int:
        return sum(1 for r in self.rows if not r.errors and not r.existing_id)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if not r.errors and r.existing_id)


def _file_error(message) -> ValidationFailed:
    return ValidationFailed("invalid_input", message, fields={"file": message})


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise _file_error(_("The file is too large (at most 2 MB)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse(text: str) -> list[CsvRate]:
    text = text.lstrip("\ufeff")
    if len(text.encode()) > MAX_BYTES:
        raise _file_error(_("The file is too large (at most 2 MB)."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _file_error(
            _("The first line must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(_("At most %(n)s rows at once.") % {"n": f"{MAX_ROWS:,}"})
        named = {
            name: (cells[i].strip()[:100] if i < len(cells) else "")
            for i, name in enumerate(header)
        }
        rows.append(
            CsvRate(
                line=number, cells={c: named.get(c, "") or DEFAULTS.get(c, "") for c in COLUMNS}
            )
        )
    if not rows:
        raise _file_error(_("The file has no rows."))
    return rows


def preview(*, text: str, actor) -> Preview:
    """Every row checked, with its errors in the user's language; reads only."""
    from tokodesk.core.documents import require

    require(actor, rates_admin.MANAGE)
    rows = parse(text)
    places = rates_admin.Places()
    currency = rates_admin._currency()
    couriers = set()
    for row in rows:
        c = row.cells
        row.errors, row.values = rates_admin.check_rate(
            rates_admin.RateInput(
                courier=c["courier"], service=c["service"], origin=c["origin"],
                destination=c["destination"], price_per_kg=c["price_per_kg"],
                min_weight_kg=c["min_weight_kg"], rounding_tolerance_grams=c["rounding_grams"],
                eta_days_min=c["eta_days_min"], eta_days_max=c["eta_days_max"],
            ),
            places, currency,
        )  # fmt: skip
        row.errors = {_COLUMN.get(k, k): v for k, v in row.errors.items()}
        if "courier_id" in row.values:
            couriers.add(row.values["courier_id"])
    existing = {}
    for values in ShippingRate.objects.filter(courier_id__in=couriers).values(
        "id", "courier_id", "service", "origin_warehouse_id", "origin_city_id",
        "dest_district_id", "dest_city_id", "dest_province_id",
    ):  # fmt: skip
        existing[rates_admin.rate_key(values)] = values["id"]
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        key = rates_admin.rate_key(row.values)
        if key in seen:
            row.errors["destination"] = _("The same rate is also on line %(line)s.") % {
                "line": seen[key]
            }
            continue
        seen[key] = row.line
        row.existing_id = existing.get(key)
    return Preview(rows=rows)


def apply(*, text: str, actor) -> Preview:
    """The preview again; when every row is valid, all are written in one transaction."""
    result = preview(text=text, actor=actor)
    if result.refused:
        return result
    rates_admin.rates_write(
        creates=[r.values for r in result.rows if not r.existing_id],
        updates={r.existing_id: r.values for r in result.rows if r.existing_id},
        actor=actor,
    )
    return result


def export_rows(queryset, currency: str = "IDR"):
    """The header, then one line per rate (what `parse` reads back); money in major units."""
    from tokodesk.core.money import to_major

    yield list(COLUMNS)
    for rate in queryset.iterator(chunk_size=2000):
        yield [
            rate.courier.code, rate.service, rates_admin.origin_code(rate),
            rates_admin.destination_code(rate), rates_admin.destination_label(rate),
            to_major(rate.price_per_kg, currency), rate.min_weight_kg, rate.rounding_tolerance_grams,
            rate.eta_days_min, rate.eta_days_max,
        ]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def export_stream(queryset, currency: str = "IDR"):
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in export_rows(queryset, currency):
        yield writer.writerow(row)
