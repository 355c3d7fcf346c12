"""INSERTs of the hot write paths with their SQL compiled once per process (issue 16).

Django compiles every save() and bulk_create() anew: an InsertQuery, its compiler, a
placeholder and a quoted name per column (~0.2-0.5 ms of CPU for an order's 50 columns),
inside the write transaction that SQLite serialises. CompiledInsert keeps the SQL that
Django's compiler wrote for a model and a number of rows, and then only prepares each
row's values as that compiler does (each field's pre_save and get_db_prep_save) and runs
it; what the database returns (the id, generated columns) goes through the same
converters and onto the objects, which are then saved objects as after save().

The SQL is kept only when the compiler's parameters were exactly the values prepared
here (the row-major VALUES form: not, for one, PostgreSQL's UNNEST form of a bulk
insert) and the database returns rows from the INSERT; otherwise every insert is
compiled by Django as before. No signals are sent: for models nothing listens to
(post_save/pre_save), as bulk_create. The related objects must be saved already."""

from __future__ import annotations

from django.db import connections, router
from django.db.models.sql import InsertQuery

_UNCACHED = object()
MAX_ROWS = 32  # more rows at once: compiled by Django (one statement, kept for no row count)


def _same(a, b) -> bool:
    """Two prepared parameters are the same value (adapters such as psycopg's Jsonb have
    no equality of their own: their wrapped object is compared)."""
    if type(a) is not type(b):
        return False
    if a == b:
        return True
    wrapped = getattr(a, "obj", _UNCACHED)
    return wrapped is not _UNCACHED and wrapped == getattr(b, "obj", _UNCACHED)


class CompiledInsert:
    """INSERT of new `model` rows (their primary key from the database), compiled by Django
    once per database and row count."""

    def __init__(self, model):
        meta = model._meta
        self.model = model
        self.fields = [
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        ]
        self.returning = list(meta.db_returning_fields)
        self._sql: dict = {}
        self._converters: dict = {}

    def _values(self, objs, connection) -> list:
        return [
            f.get_db_prep_save(f.pre_save(obj, True), connection)
            for obj in objs
            for f in self.fields
        ]

    def _compiled(self, objs, using, connection, params) -> str | None:
        """Django's SQL for these rows, if it takes exactly `params`; else None."""
        query = InsertQuery(self.model)
        query.insert_values(self.fields, objs, raw=True)  # the values pre_save has just set
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = self.returning
        statements = compiler.as_sql()
        if len(statements) != 1:
            return None
        sql, theirs = statements[0]
        theirs = list(theirs)
        if len(theirs) != len(params) or not all(
            _same(a, b) for a, b in zip(theirs, params, strict=True)
        ):
            return None
        return sql

    def _returns_rows(self, connection, n: int) -> bool:
        features = connection.features
        return (
            features.can_return_rows_from_bulk_insert
            if n > 1
            else features.can_return_columns_from_insert
        )

    def insert(self, objs: list, using: str | None = None) -> None:
        """Insert `objs` (unsaved instances of the model) in one statement; each gets its
        id (and generated columns) and is saved, as after bulk_create."""
        if not objs:
            return
        using = using or router.db_for_write(self.model)
        connection = connections[using]
        key = (using, connection.vendor, len(objs))
        sql = self._sql.get(key, _UNCACHED)
        if sql is None or len(objs) > MAX_ROWS or not self._returns_rows(connection, len(objs)):
            self.model._default_manager.db_manager(using).bulk_create(objs)
            return
        params = self._values(objs, connection)
        if sql is _UNCACHED:
            sql = self._sql[key] = self._compiled(objs, using, connection, params)
            if sql is None:
                self.model._default_manager.db_manager(using).bulk_create(objs)
                return
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = self._converters.get(using)
        if converters is None:
            table = self.model._meta.db_table
            converters = self._converters[using] = []
            for field in self.returning:
                col = field.get_col(table)
                converters.append(
                    (connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
                )
        for obj, row in zip(objs, rows, strict=True):
            for field, value, (convs, col) in zip(self.returning, row, converters, strict=True):
                for convert in convs:
                    value = convert(value, col, connection)
                setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = using


class CompiledSelect:
    """`model`'s rows by equality and IN filters on its own columns, as the instances the
    ORM builds (every concrete column, from_db, the fields' converters), with the row of
    the `related` foreign key joined and set as select_related(related) sets it; or only
    the values of some columns (as values_list). The SQL is written once per database and
    shape of the filters; no ordering (the callers index the rows)."""

    def __init__(self, model, related: str | None = None):
        self.model = model
        self.related = model._meta.get_field(related) if related else None
        if self.related is not None and self.related.null:
            raise ValueError("a nullable foreign key is joined by LEFT OUTER JOIN: not supported")
        self._sql: dict = {}
        self._converters: dict = {}

    def _models(self):
        return [self.model] + ([self.related.related_model] if self.related else [])

    def _columns(self, only):
        if only:
            return [(self.model, self.model._meta.get_field(name)) for name in only]
        return [(m, f) for m in self._models() for f in m._meta.concrete_fields]

    def _compile(self, connection, shape, only) -> str:
        q = connection.ops.quote_name
        table = q(self.model._meta.db_table)
        select = ", ".join(f"{q(m._meta.db_table)}.{q(f.column)}" for m, f in self._columns(only))
        sql = f"SELECT {select} FROM {table}"
        if self.related is not None:
            other = self.related.related_model._meta
            target = self.related.target_field
            sql += (
                f" INNER JOIN {q(other.db_table)} ON ({table}.{q(self.related.column)}"
                f" = {q(other.db_table)}.{q(target.column)})"
            )
        where = []
        for name, n in shape:
            column = f"{table}.{q(self.model._meta.get_field(name).column)}"
            where.append(
                f"{column} = %s" if n is None else f"{column} IN ({', '.join(['%s'] * n)})"
            )
        return sql + " WHERE " + " AND ".join(where)

    def fetch(self, *, using: str | None = None, only: tuple[str, ...] = (), **filters) -> list:
        """The rows matching every filter (`name=value`, or `name=[values]` for IN)."""
        using = using or router.db_for_read(self.model)
        connection = connections[using]
        shape, params = [], []
        for name, value in filters.items():
            field = self.model._meta.get_field(name)
            values = (
                list(dict.fromkeys(value))
                if isinstance(value, (list, tuple, set, frozenset))
                else None
            )
            if values is not None and not values:
                return []  # as the ORM: an empty IN matches nothing, no query
            shape.append((name, None if values is None else len(values)))
            params += [
                field.get_db_prep_value(v, connection, prepared=False) for v in (values or [value])
            ]
        key = (using, tuple(shape), only)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self._compile(connection, shape, only)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = self._converters.get((using, only))
        if converters is None:
            converters = self._converters[(using, only)] = []
            for m, f in self._columns(only):
                col = f.get_col(m._meta.db_table)
                converters.append(
                    (connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
                )
        rows = [
            [
                _converted(value, convs, col, connection)
                for value, (convs, col) in zip(row, converters, strict=True)
            ]
            for row in rows
        ]
        if only:
            return [tuple(row) for row in rows]
        out = []
        split = len(self.model._meta.concrete_fields)
        for row in rows:
            obj = self.model.from_db(
                using, [f.attname for f in self.model._meta.concrete_fields], row[:split]
            )
            if self.related is not None:
                other = self.related.related_model
                rel = other.from_db(
                    using, [f.attname for f in other._meta.concrete_fields], row[split:]
                )
                setattr(obj, self.related.name, rel)  # as select_related: the same id, cached
            out.append(obj)
        return out


def _converted(value, converters, col, connection):
    for convert in converters:
        value = convert(value, col, connection)
    return value
