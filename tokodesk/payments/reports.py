"""Reading a courier's remittance report (CSV): the columns mapped to our fields (saved per
courier, guessed from the headers the first time), amounts and dates in the ways couriers
write them. Nothing here touches the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.payments.models import FIELDS, REQUIRED_FIELDS

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000

FIELD_LABELS = {
    "awb": _("AWB"),
    "cod_amount": _("COD amount"),
    "courier_fee": _("Courier fee"),
    "cod_fee": _("COD fee"),
    "rts_fee": _("RTS fee"),
    "paid_date": _("Paid date"),
}

# Headers couriers use for each field (lower case, spaces and punctuation removed).
SYNONYMS = {
    "awb": (
        "awb",
        "noawb",
        "resi",
        "noresi",
        "nomorresi",
        "airwaybill",
        "connote",
        "noconnote",
        "waybill",
        "trackingnumber",
        "cnno",
    ),
    "cod_amount": (
        "cod",
        "codamount",
        "nilaicod",
        "jumlahcod",
        "amountcod",
        "codvalue",
        "nominalcod",
    ),
    "courier_fee": ("courierfee", "ongkir", "ongkoskirim", "shippingfee", "biayakirim", "freight"),
    "cod_fee": ("codfee", "biayacod", "feecod", "codcharge"),
    "rts_fee": ("rtsfee", "biayarts", "biayaretur", "returnfee", "feerts"),
    "paid_date": (
        "paiddate",
        "tanggalbayar",
        "tglbayar",
        "tanggaltransfer",
        "remitdate",
        "paymentdate",
        "tanggalpencairan",
        "date",
        "tanggal",
    ),
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{field: header} for the headers that look like one of our fields."""
    keys = {_key(h): h for h in headers}
    mapping = {}
    for name in FIELDS:
        for synonym in SYNONYMS[name]:
            if synonym in keys and keys[synonym] not in mapping.values():
                mapping[name] = keys[synonym]
                break
    return mapping


@dataclass
class ReportRow:
    row_number: int
    awb: str
    cod_amount: int
    courier_fee: int = 0
    cod_fee: int = 0
    rts_fee: int = 0
    paid_date: dt.date | None = None


@dataclass
class Report:
    headers: list[str]
    mapping: dict[str, str]
    rows: list[ReportRow] = field(default_factory=list)
    # (row number, field, message) of the rows that could not be read; they are left out.
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            "too_large", _("The file is larger than 20 MB."), fields={"file": _("Too large.")}
        )
    if b"\x00" in content:  # UTF-16 or binary: no courier report (and PostgreSQL stores no NUL)
        raise ValidationFailed(
            "invalid_input",
            _("The file is not a text (CSV) file."),
            fields={"file": _("Not a CSV file.")},
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(
        "invalid_input",
        _("The file is not a text (CSV) file."),
        fields={"file": _("Not a CSV file.")},
    )


def _reader(text: str):
    sample = text[:4096]
    first = sample.splitlines()[0] if sample else ""
    delimiter = max((";", ",", "\t", "|"), key=first.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _unreadable() -> ValidationFailed:
    return ValidationFailed(
        "invalid_input", _("The file cannot be read as CSV."), fields={"file": _("Not a CSV file.")}
    )


def read_headers(content: bytes) -> list[str]:
    rows = _reader(decode(content))
    try:
        headers = next(rows, None)
    except csv.Error:
        raise _unreadable() from None
    if not headers or not any(h.strip() for h in headers):
        raise ValidationFailed(
            "invalid_input", _("The file is empty."), fields={"file": _("Empty file.")}
        )
    return [h.strip() for h in headers]


def parse_amount(text: str) -> int:
    """'Rp 150.000', '150,000', '150000', '150.000,00' → 150000 (rupiah have no minor unit;
    a two-digit decimal part is dropped)."""
    value = re.sub(r"(?i)rp\.?|idr|\s", "", text or "")
    if not value:
        return 0
    negative = value.startswith("-")
    value = value.lstrip("-+")
    if re.fullmatch(r"\d+([.,]\d{3})*([.,]\d{1,2})?", value) is None:
        raise ValueError(text)
    value = re.sub(r"[.,]\d{1,2}$", "", value) if re.search(r"[.,]\d{1,2}$", value) else value
    amount = int(re.sub(r"[.,]", "", value))
    return -amount if negative else amount


def parse_date(text: str) -> dt.date | None:
    value = (text or "").strip()
    if not value:
        return None
    value = value.split(" ")[0].split("T")[0]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping, cleaned: only our fields, only the file's headers; refused (422 naming
    the fields) when a required field has no column."""
    clean = {name: mapping[name] for name in FIELDS if mapping.get(name) in headers}
    missing = [name for name in REQUIRED_FIELDS if name not in clean]
    if missing:
        raise ValidationFailed(
            "invalid_input",
            _("Choose the column of: %(fields)s.")
            % {"fields": ", ".join(str(FIELD_LABELS[name]) for name in missing)},
            fields={f"mapping.{name}": _("Choose a column.") for name in missing},
        )
    return clean


def parse_report(content: bytes, mapping: dict[str, str] | None = None) -> Report:
    """The report's rows through the mapping (guessed from the headers when None)."""
    try:
        return _parse_report(content, mapping)
    except csv.Error:  # a NUL byte, a field over the csv module's limit …
        raise _unreadable() from None


def _parse_report(content: bytes, mapping: dict[str, str] | None) -> Report:
    rows = _reader(decode(content))
    headers = [h.strip() for h in next(rows, None) or []]
    if not any(headers):
        raise ValidationFailed(
            "invalid_input", _("The file is empty."), fields={"file": _("Empty file.")}
        )
    mapping = check_mapping(mapping if mapping is not None else guess_mapping(headers), headers)
    index = {name: headers.index(header) for name, header in mapping.items()}
    report = Report(headers=headers, mapping=mapping)
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(report.rows) >= MAX_ROWS:
            raise ValidationFailed(
                "too_large",
                _("The file has more than %(n)s rows.") % {"n": MAX_ROWS},
                fields={"file": _("Too many rows.")},
            )

        def cell(name, cells=cells):
            i = index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        awb = cell("awb")
        if not awb:
            report.errors.append((number, "awb", str(_("No AWB."))))
            continue
        values = {}
        try:
            for name in ("cod_amount", "courier_fee", "cod_fee", "rts_fee"):
                current = name
                values[name] = parse_amount(cell(name))
            current = "paid_date"
            values["paid_date"] = parse_date(cell("paid_date"))
        except ValueError:
            report.errors.append(
                (
                    number,
                    current,
                    str(_("“%(value)s” cannot be read.") % {"value": cell(current)[:40]}),
                )
            )
            continue
        report.rows.append(ReportRow(row_number=number, awb=awb[:64], **values))
    return report
