from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _apply_customer_changes() -> dict:
    from tokodesk.exports.kept import apply_customer_changes

    return {"applied": apply_customer_changes(connections["default"])}


def _after_migrate(sender, using="default", **kwargs):
    """After every migrate (and flush): the kept rows' triggers and revision column are in
    place and current (SQLite loses them when a migration rebuilds a table)."""
    from tokodesk.exports import kept_schema

    kept_schema.ensure(connections[using])


class ExportsConfig(AppConfig):
    name = "tokodesk.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self):
        from django.db.backends.signals import connection_created

        from tokodesk.exports.sqltz import register_sqlite_functions

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="tokodesk.exports.after_migrate")
        # Every worker pass: the customers changed since move their orders' kept lines'
        # revisions (exports/kept.py), so the queue stays short between exports.
        from tokodesk.core import jobs

        jobs.register("kept_customer_changes", _apply_customer_changes)
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="exports-sqlite-functions"
        )
        for connection in connections.all(initialized_only=True):  # opened before ready()
            if connection.connection is not None:
                register_sqlite_functions(None, connection)
