from django.db import connections, router
from django.utils import timezone

from tokodesk.customers.models import Customer
from tokodesk.customers.phones import normalize_phone

# What customer_upsert keeps of the buyer's latest order: each replaces the stored value
# when given (not "") and different.
_KEPT = ("name", "email", "address", "postcode")
_COLUMNS = ("created_at", "updated_at", "phone", *_KEPT)
_RETURNED = ("id", *_COLUMNS)
_SQL: dict[str, str] = {}


def _upsert_sql(connection) -> str:
    """INSERT … ON CONFLICT (phone) DO UPDATE … RETURNING (SQLite ≥ 3.35, PostgreSQL): the
    customer created, or updated with each value given that differs (updated_at moved only
    then), in one statement that takes the row's lock as the old SELECT … FOR UPDATE did."""
    q = connection.ops.quote_name
    table = q(Customer._meta.db_table)
    changed = " OR ".join(
        f"(EXCLUDED.{q(c)} <> '' AND EXCLUDED.{q(c)} <> {table}.{q(c)})" for c in _KEPT
    )
    sets = [
        f"{q(c)} = CASE WHEN EXCLUDED.{q(c)} <> '' THEN EXCLUDED.{q(c)} ELSE {table}.{q(c)} END"
        for c in _KEPT
    ]
    sets.append(
        f"{q('updated_at')} = CASE WHEN {changed} THEN EXCLUDED.{q('updated_at')} "
        f"ELSE {table}.{q('updated_at')} END"
    )
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in _COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
        f"ON CONFLICT ({q('phone')}) DO UPDATE SET {', '.join(sets)} "
        f"RETURNING {', '.join(f'{table}.{q(c)}' for c in _RETURNED)}"
    )


def customer_upsert(
    *,
    name: str,
    phone: str,
    email: str = "",
    address: str = "",
    postcode: str = "",
    normalized: bool = False,
) -> Customer:
    """Find the customer by phone (any form) or create them; keeps the latest name,
    e-mail, address and postcode the buyer gave. `normalized`: `phone` is E.164 already
    (normalize_phone's), not parsed again.

    One statement (issue 16: it was a SELECT … FOR UPDATE, then a savepoint, an INSERT and
    its release for a new customer, or an UPDATE of every column for a changed one)."""
    e164 = phone if normalized else normalize_phone(phone)
    using = router.db_for_write(Customer)
    connection = connections[using]
    values = {"name": name, "email": email, "address": address, "postcode": postcode}
    if (
        any(v is None for v in values.values())
        or not connection.features.can_return_columns_from_insert
    ):
        return _customer_upsert_orm(e164, values)
    sql = _SQL.get(using)
    if sql is None:
        sql = _SQL[using] = _upsert_sql(connection)
    now = timezone.now()
    values |= {"created_at": now, "updated_at": now, "phone": e164}
    fields = [Customer._meta.get_field(c) for c in _COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(values[f.name], connection) for f in fields])
        row = cursor.fetchone()
    table = Customer._meta.db_table
    by_name = {}
    for column, value in zip(_RETURNED, row, strict=True):
        col = Customer._meta.get_field(column).get_col(table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        by_name[column] = value
    names = [f.attname for f in Customer._meta.concrete_fields]  # from_db's order
    return Customer.from_db(using, names, [by_name[n] for n in names])


def _customer_upsert_orm(e164: str, values: dict) -> Customer:
    """The same with the ORM: a None among the values (the database refuses it for a new
    customer, as before), or a database whose INSERT returns nothing."""
    customer, created = Customer.objects.select_for_update().get_or_create(
        phone=e164, defaults=values
    )
    if not created:
        changed = False
        for field, value in values.items():
            if value and getattr(customer, field) != value:
                setattr(customer, field, value)
                changed = True
        if changed:
            customer.save()
    return customer
