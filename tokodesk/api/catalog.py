"""Read endpoints for the reference data integrators need: customers, couriers and landing
pages. Products, variants and warehouses are in tokodesk/catalog/api.py."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from tokodesk.core.api.common import ERRORS
from tokodesk.core.errors import NotFound, PermissionDenied
from tokodesk.core.models import ShopSettings
from tokodesk.customers.models import Customer
from tokodesk.customers.phones import phone_search_key
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage

router = Router(tags=["catalog"])


def _need(request, perm):
    if not request.auth.has_perm(perm):
        raise PermissionDenied("permission_denied", _("You are not allowed to see this."))


class CourierOut(Schema):
    code: str
    name: str
    services: list[str]
    tracking_url: str
    active: bool


class LandingPageOut(Schema):
    slug: str
    name: str
    product: str
    warehouse: str | None
    agents: list[str]
    payment_methods: list[str]
    active: bool


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    address: str


class CustomerDetailOut(CustomerOut):
    store_credit: int = Field(
        description="Store-credit balance: the sum of the customer's ledger (see /store-credit/{customer_id}), "
        "in minor units of `currency` like every amount of the API."
    )
    store_credit_balance: int = Field(
        description="The same balance under its explicit name (issue 12): what the customer can spend "
        "on an order (orders' `store_credit`), in minor units of `currency`."
    )
    currency: str = Field(
        description="ISO 4217 code of the shop currency the store credit is kept in."
    )


class CustomerQuery(Schema):
    q: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


@router.get("/couriers", response={200: list[CourierOut], **ERRORS})
def list_couriers(request):
    _need(request, "shipping.view_courier")
    return list(Courier.objects.order_by("name"))


@router.get("/landing-pages", response={200: list[LandingPageOut], **ERRORS})
def list_landing_pages(request):
    _need(request, "storefront.view_landingpage")
    pages = (
        LandingPage.objects.select_related("product", "warehouse")
        .prefetch_related("agents")
        .order_by("name")
    )
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "product": p.product.slug,
            "warehouse": p.warehouse.code if p.warehouse else None,
            "agents": sorted(a.username for a in p.agents.all()),
            "payment_methods": p.payment_methods,
            "active": p.active,
        }
        for p in pages
    ]


@router.get("/customers", response={200: list[CustomerOut], **ERRORS})
def list_customers(request, query: Query[CustomerQuery]):
    """Customers; agents see only the customers of their orders."""
    _need(request, "customers.view_customer")
    qs = Customer.objects.all()
    if not request.auth.has_perm("orders.view_all_orders"):
        qs = qs.filter(pk__in=order_queryset_for(request.auth).values("customer_id"))
    if query.q:
        phone = phone_search_key(query.q)
        qs = qs.filter(phone=phone) if phone else qs.filter(name__icontains=query.q)
    return list(qs.order_by("name", "id")[: query.limit])


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, **ERRORS})
def get_customer(request, customer_id: int):
    """One customer, with their store-credit balance."""
    _need(request, "customers.view_customer")
    qs = Customer.objects.all()
    if not request.auth.has_perm("orders.view_all_orders"):
        qs = qs.filter(pk__in=order_queryset_for(request.auth).values("customer_id"))
    customer = qs.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("not_found", _("Not found."))
    return {
        "id": customer.id,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "address": customer.address,
        "store_credit": (balance := StoreCreditEntry.objects.balance_of(customer.id)),
        "store_credit_balance": balance,
        "currency": ShopSettings.get().currency,
    }
