"""Local times in SQLite's export SQL (sqlrender.py): SQLite has no time zone database, so
the zone's UTC offsets from 1970 to 2100 are written into the query as a search tree over
the stored UTC text, and a time outside those years asks Python's zoneinfo through the SQL
function `tokodesk_utcoffset` (registered on every SQLite connection by exports/apps.py)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# SQLite, zones whose offset changes: the offsets between these years are in the SQL, a
# time outside them is converted by zoneinfo (tokodesk_utcoffset).
TREE_YEARS = (1970, 2100)
UTC_OFFSET_FUNCTION = "tokodesk_utcoffset"


@dataclass(frozen=True)
class Transitions:
    """A zone's UTC offsets within TREE_YEARS: `first` (seconds) before the first change,
    then `changes` = ((UTC text from which it applies, offset seconds), …)."""

    first: int
    changes: tuple[tuple[str, int], ...]


@functools.lru_cache(maxsize=16)
def transitions(tz_key: str) -> Transitions:
    """Every change of the zone's UTC offset within TREE_YEARS, to the second (a day at a
    time, then halved down to the second: ~0.1 s once per zone and process)."""
    tz = zoneinfo.ZoneInfo(tz_key)

    def offset(ts: int) -> int:
        return int(dt.datetime.fromtimestamp(ts, tz).utcoffset().total_seconds())

    start = int(dt.datetime(TREE_YEARS[0], 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(TREE_YEARS[1], 1, 1, tzinfo=dt.UTC).timestamp())
    first = current = offset(start)
    changes = []
    for day in range(start, end, 86400):
        following = offset(day + 86400)
        if following == current:
            continue
        low, high = day, day + 86400  # offset(low) == current != offset(high)
        while high - low > 1:
            mid = (low + high) // 2
            if offset(mid) == current:
                low = mid
            else:
                high = mid
        stamp = dt.datetime.fromtimestamp(high, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        changes.append((stamp, following))
        current = following
    return Transitions(first, tuple(changes))


def offset_tree(utc: str, tr: Transitions, tz_key: str) -> str:
    """The modifier for the UTC text `utc` as a binary search over the zone's changes:
    interval k (k = 0 before the first change) holds offsets[k]. The stored text is
    compared whole (a fraction of a second after a change sorts after it, as it should),
    so no substring is built for the comparisons."""
    bounds = [stamp for stamp, _off in tr.changes]
    offsets = [tr.first] + [off for _stamp, off in tr.changes]

    def node(a: int, b: int) -> str:  # intervals a..b
        if a == b:
            return f"'{offsets[a]:+d} seconds'"
        mid = (a + b + 1) // 2  # interval mid starts at bounds[mid - 1]
        return f"CASE WHEN {utc} < '{bounds[mid - 1]}' THEN {node(a, mid - 1)} ELSE {node(mid, b)} END"

    low, high = f"{TREE_YEARS[0]:04d}-01-01", f"{TREE_YEARS[1]:04d}-01-01"
    return (
        f"CASE WHEN {utc} < '{low}' OR {utc} >= '{high}' "
        f"THEN {UTC_OFFSET_FUNCTION}({utc}, {_lit(tz_key)}) ELSE {node(0, len(offsets) - 1)} END"
    )


def utc_offset_modifier(utc: str | None, tz_key: str) -> str | None:
    """SQLite function `tokodesk_utcoffset(utc text, zone)`: the modifier turning the UTC
    text into local time, from zoneinfo (used outside TREE_YEARS only)."""
    if utc is None:
        return None
    try:
        value = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)
        offset = value.astimezone(zoneinfo.ZoneInfo(tz_key)).utcoffset()
    except (ValueError, OverflowError, zoneinfo.ZoneInfoNotFoundError):
        return None
    return f"{int(offset.total_seconds()):+d} seconds"


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: the SQL functions the exports' queries may call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            UTC_OFFSET_FUNCTION, 2, utc_offset_modifier, deterministic=True
        )
