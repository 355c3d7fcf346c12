from tokodesk.customers.models import Customer
from tokodesk.customers.phones import normalize_phone


def customer_upsert(*, name: str, phone: str, email: str = "", address: str = "", postcode: str = "") -> Customer:
    """Find the customer by phone (any form) or create them; keeps the latest name,
    e-mail, address and postcode the buyer gave."""
    e164 = normalize_phone(phone)
    customer, created = Customer.objects.select_for_update().get_or_create(
        phone=e164, defaults={"name": name, "email": email, "address": address, "postcode": postcode}
    )
    if not created:
        changed = False
        for field, value in (("name", name), ("email", email), ("address", address), ("postcode", postcode)):
            if value and getattr(customer, field) != value:
                setattr(customer, field, value)
                changed = True
        if changed:
            customer.save()
    return customer
