import logging

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

logger = logging.getLogger("tokodesk.core")

# A table's statistics are refreshed when it has no statistics and at least this many rows,
# or when its size is off the analysed size by more than STALE_FACTOR (and this many rows).
STATS_MIN_ROWS = 1000
STATS_STALE_FACTOR = 2.0
# Full ANALYZE, not analysis_limit: a sampled one estimates row counts and selectivities
# off by 2–4x (measured at 100k orders), which misleads the planner more than it helps.
# Full is ~1 s per 100 000 rows of a table, and runs again only once a table doubled.


def refresh_sqlite_statistics(connection, *, force: bool = False) -> list[str]:
    """SQLite only: ANALYZE the tables whose planner statistics are missing, stale or lack
    an index created since (a migration's), then
    `PRAGMA optimize`; returns the tables analysed. Without statistics SQLite picks the
    first index that matches a filter and sorts (bench/README.md, finding 6); PostgreSQL's
    autovacuum keeps its own. Cheap when nothing is stale: one read of sqlite_stat1 and of
    each table's largest rowid. `force` analyses every table with rows."""
    if connection.vendor != "sqlite":
        return []
    done = []
    with connection.cursor() as cursor:
        tables = [
            name
            for name in connection.introspection.table_names(cursor)
            if not name.startswith("sqlite_")
        ]
        analysed, with_stats = {}, set()
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
            for table, index, stat in cursor.fetchall():
                rows = int((stat or "0").split()[0] or 0)
                analysed[table] = max(analysed.get(table, 0), rows)
                with_stats.add(index)
        # Indexes created since the last ANALYZE (a migration) have no statistics, and the
        # planner then takes them for very selective. Partial ones may have none when empty.
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' "
            "AND (sql IS NULL OR sql NOT LIKE '% WHERE %')"
        )
        unanalysed = {table for table, index in cursor.fetchall() if index not in with_stats}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            try:
                cursor.execute(f"SELECT MAX(rowid) FROM {quoted}")  # O(log n): a size estimate
                rows = cursor.fetchone()[0] or 0
            except Exception:  # a WITHOUT ROWID table or a view
                continue
            before = analysed.get(table)
            if force:
                stale = rows > 0
            elif before is None or table in unanalysed:
                stale = rows >= STATS_MIN_ROWS
            else:
                stale = abs(rows - before) >= STATS_MIN_ROWS and not (
                    before / STATS_STALE_FACTOR <= rows <= before * STATS_STALE_FACTOR
                )
            if stale:
                done.append(table)
        if done:
            for table in done:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute("PRAGMA optimize")
    if done:
        logger.info("planner statistics refreshed: %s", ", ".join(done))
    return done


def _after_migrate(sender, using="default", **kwargs):
    """After every migrate (and flush): SQLite has statistics. (The apps hook their own
    post_migrate work in their ready(), e.g. the order counters' triggers.)"""
    refresh_sqlite_statistics(connections[using])


class CoreConfig(AppConfig):
    name = "tokodesk.core"
    label = "core"

    def ready(self):
        post_migrate.connect(
            _after_migrate, sender=self, dispatch_uid="tokodesk.core.after_migrate"
        )
        from tokodesk.core import jobs, outbox, shop_profile

        # The shop profile, the first section of the settings page (the apps add theirs).
        shop_profile.register_section()
        # Region and languages (country, currency, staff language, time zone, phone region).
        from tokodesk.core import shop_locale

        shop_locale.register_section()

        # The outbox's dispatch, first of the worker's jobs (core is the first app): the apps'
        # consumers (webhooks' fan-out, notifications' e-mails) then see each new event.
        jobs.register("outbox.dispatch", outbox.dispatch, summary=outbox.dispatch_summary)
        from tokodesk.core import retention

        # Old dispatched events go (TOKODESK_OUTBOX_RETENTION_DAYS), at most once an hour.
        jobs.register("outbox.prune", retention.prune_job, summary=retention.prune_summary)
