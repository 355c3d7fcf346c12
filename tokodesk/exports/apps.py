from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "tokodesk.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from tokodesk.exports.sqltz import register_sqlite_functions

        connection_created.connect(
            register_sqlite_functions, dispatch_uid="exports-sqlite-functions"
        )
        for connection in connections.all(initialized_only=True):  # opened before ready()
            if connection.connection is not None:
                register_sqlite_functions(None, connection)
