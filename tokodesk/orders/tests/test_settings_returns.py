"""The Returns section of the settings page (SPEC 3.3): the owner saves each return
setting, the values are checked (reference pattern like the order pattern, window 0..365)
by the service the page calls, saving one section leaves the other alone, and nobody but
the owner gets in. A few effects show the saved values are the ones the returns code reads."""

import pytest
from django.test import Client
from django.utils import timezone

from tokodesk.core import settings_pages
from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.services import settings_update
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import paid_order, return_data

URL = "/orders/settings/"
RETURN_FIELDS = (
    "returns_enabled",
    "return_reference_pattern",
    "require_responsible",
    "edit_completed_returns",
    "return_window_days",
    "store_credit_automatic",
)
DEFAULTS = {
    "returns_enabled": True,
    "return_reference_pattern": "RMA-{seq:05d}",
    "require_responsible": False,
    "edit_completed_returns": False,
    "return_window_days": 14,
    "store_credit_automatic": True,
}


def client_for(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def returns_post(**values):
    """The Returns form as a browser sends it: unchecked boxes are simply absent."""
    data = {
        "section": "returns",
        "return_reference_pattern": "RMA-{seq:05d}",
        "return_window_days": "14",
        "returns_enabled": "on",
        "store_credit_automatic": "on",
    }
    for name, value in values.items():
        if value is False:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def section_form(r, key):
    """The form of the settings page's section `key` (the sections are the apps' own)."""
    return next(s["form"] for s in r.context["sections"] if s["key"] == key)


def current() -> dict:
    s = ReturnSettings.get()
    return {name: getattr(s, name) for name in RETURN_FIELDS}


def test_every_return_setting_of_the_spec_is_editable():
    assert set(RETURN_FIELDS) <= set(settings_pages.editable())
    # Each app's settings are its own: returns registers the section, with its own model.
    assert {settings_pages.editable()[name][0].key for name in RETURN_FIELDS} == {"returns"}
    assert settings_pages.section("returns").model is ReturnSettings


def test_page_shows_the_returns_section_with_current_values(shop, users):
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(
        return_window_days=30, require_responsible=True
    )
    r = client_for(users["owner"]).get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="returns"' in html and 'name="section" value="returns"' in html
    for name in RETURN_FIELDS:
        assert f'name="{name}"' in html, name
    assert 'name="return_window_days" value="30"' in html
    assert 'name="return_reference_pattern" value="RMA-{seq:05d}"' in html
    form = section_form(r, "returns")
    assert (
        form.initial["require_responsible"] is True
        and form.initial["edit_completed_returns"] is False
    )


@pytest.mark.parametrize(
    "name, posted, saved",
    [
        ("returns_enabled", False, False),
        ("return_reference_pattern", "RET-{year}-{seq:04d}", "RET-{year}-{seq:04d}"),
        ("require_responsible", True, True),
        ("edit_completed_returns", True, True),
        ("return_window_days", "30", 30),
        ("return_window_days", "0", 0),
        ("return_window_days", "365", 365),
        ("store_credit_automatic", False, False),
    ],
)
def test_owner_saves_each_return_setting(shop, users, name, posted, saved):
    before = OrderSettings.get()
    order_values = (
        before.order_reference_pattern,
        before.shipping_deadline_hours,
        before.cancellation_window_hours,
    )
    r = client_for(users["owner"]).post(URL, returns_post(**{name: posted}))
    assert r.status_code == 302 and r["Location"].endswith("/orders/settings/#returns")
    assert current() == {**DEFAULTS, name: saved}
    after = OrderSettings.get()
    assert (
        after.order_reference_pattern,
        after.shipping_deadline_hours,
        after.cancellation_window_hours,
    ) == order_values


def test_owner_turns_everything_round_and_back(shop, users):
    c = client_for(users["owner"])
    flipped = {
        "returns_enabled": False,
        "return_reference_pattern": "R{seq}",
        "require_responsible": True,
        "edit_completed_returns": True,
        "return_window_days": "7",
        "store_credit_automatic": False,
    }
    r = c.post(URL, returns_post(**flipped), follow=True)
    assert r.redirect_chain == [("/orders/settings/#returns", 302)]
    assert [str(m) for m in r.context["messages"]] == ["Settings saved."]
    assert current() == {**flipped, "return_window_days": 7}
    r = c.post(
        URL, returns_post(require_responsible=False, edit_completed_returns=False), follow=True
    )
    assert current() == DEFAULTS
    assert [str(m) for m in r.context["messages"]] == ["Settings saved."]


def test_saving_the_order_section_keeps_the_return_settings(shop, users):
    """The order form (without `section`, as before) never unticks a return checkbox."""
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(
        require_responsible=True, edit_completed_returns=True
    )
    r = client_for(users["owner"]).post(
        URL,
        {
            "order_reference_pattern": "ORD-{seq:06d}",
            "shipping_deadline_hours": 24,
            "cancellation_window_hours": 12,
            "auto_complete_days": 5,
        },
    )
    assert r.status_code == 302
    assert current() == {**DEFAULTS, "require_responsible": True, "edit_completed_returns": True}
    assert OrderSettings.get().shipping_deadline_hours == 24


@pytest.mark.parametrize(
    "pattern",
    [
        "RMA-{nope}",  # unknown placeholder
        "RMA-00001",  # no {seq}
        "RMA-{seq",  # does not format
        "RMA/{year}/{seq}",  # a slash would break /returns/<reference>/
        "rma-{seq:05d}",  # searches compare references in capitals
        "RMA {seq}",  # a space
        "RMA-{seq:040d}",  # too long
        "ORD-{seq:06d}",  # the same references as the orders
    ],
)
def test_bad_return_pattern_is_a_field_error(shop, users, pattern):
    r = client_for(users["owner"]).post(
        URL,
        returns_post(
            return_reference_pattern=pattern, return_window_days="30", require_responsible=True
        ),
    )
    assert r.status_code == 200
    form = section_form(r, "returns")
    assert list(form.errors) == ["return_reference_pattern"], form.errors
    html = r.content.decode()
    assert (
        'class="has-error" data-setting="return_reference_pattern"' in html
        and "field-error" in html
    )
    # Nothing of that post is saved, and the order section shows no error.
    assert current() == DEFAULTS
    assert not section_form(r, "orders").errors


@pytest.mark.parametrize("days", ["-1", "366", "abc", ""])
def test_return_window_out_of_range_is_a_field_error(shop, users, days):
    r = client_for(users["owner"]).post(URL, returns_post(return_window_days=days))
    assert r.status_code == 200
    assert "return_window_days" in section_form(r, "returns").errors
    assert current() == DEFAULTS


def test_order_pattern_may_not_copy_the_return_pattern(shop, users):
    r = client_for(users["owner"]).post(
        URL,
        {
            "order_reference_pattern": "RMA-{seq:05d}",
            "shipping_deadline_hours": 24,
            "cancellation_window_hours": 12,
            "auto_complete_days": 5,
        },
    )
    assert r.status_code == 200
    assert list(section_form(r, "orders").errors) == ["order_reference_pattern"]
    assert OrderSettings.get().order_reference_pattern == "ORD-{seq:06d}"


@pytest.mark.parametrize("role", ["admin", "agent", "warehouse", "finance", "viewer"])
def test_only_the_owner(shop, users, role):
    c = client_for(users[role])
    assert c.get(URL).status_code == 403
    assert (
        c.post(URL, returns_post(returns_enabled=False, return_window_days="1")).status_code == 403
    )
    assert current() == DEFAULTS
    with pytest.raises(PermissionDenied):
        settings_update(actor=users[role], changes={"returns_enabled": False})


def test_logged_out_goes_to_login(db):
    r = Client().post(URL, returns_post(returns_enabled=False))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert ReturnSettings.get().returns_enabled is True


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"return_window_days": 366}, "return_window_days"),
        ({"return_window_days": -1}, "return_window_days"),
        ({"return_window_days": True}, "return_window_days"),
        ({"return_window_days": "14"}, "return_window_days"),
        ({"returns_enabled": "no"}, "returns_enabled"),
        ({"store_credit_automatic": 0}, "store_credit_automatic"),
        ({"return_reference_pattern": None}, "return_reference_pattern"),
        (
            {"require_responsible": True, "return_reference_pattern": "x"},
            "return_reference_pattern",
        ),
        ({"currency": "EUR"}, "currency"),
    ],
)
def test_service_checks_each_value_and_writes_nothing_on_refusal(shop, users, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        settings_update(actor=users["owner"], changes=changes)
    assert field in exc.value.fields
    assert current() == DEFAULTS and ShopSettings.get().currency == "IDR"


# --- the saved values are the ones the returns code reads ----------------------------------


def test_saved_pattern_numbers_the_next_return(shop, users):
    owner = users["owner"]
    assert (
        client_for(owner)
        .post(URL, returns_post(return_reference_pattern="RET-{year}-{seq:04d}"))
        .status_code
        == 302
    )
    ret = return_create(data=return_data(paid_order(owner)), actor=owner)
    assert ret.reference == f"RET-{timezone.localdate().year}-0001"


def test_returns_disabled_blocks_creating_on_the_page_and_the_api(shop, users, api_as):
    owner = users["owner"]
    order = paid_order(owner)
    assert client_for(owner).post(URL, returns_post(returns_enabled=False)).status_code == 302
    r = api_as("owner").post(
        "/api/v1/returns",
        {
            "order": order.reference,
            "reason": "Ukuran kekecilan",
            "resolution": "refund",
            "lines": [{"sku": "KAOS-M", "qty": 1}],
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "returns_disabled"
    page = client_for(owner).get("/returns/new/", {"order": order.reference})
    assert "Returns are turned off in the shop settings." in page.content.decode()


def test_zero_day_window_closes_returns_for_those_who_cannot_override(shop, users, api_as):
    owner = users["owner"]
    order = paid_order(owner, agent="agent")
    assert client_for(owner).post(URL, returns_post(return_window_days="0")).status_code == 302
    body = {
        "order": order.reference,
        "reason": "Ukuran kekecilan",
        "resolution": "refund",
        "lines": [{"sku": "KAOS-M", "qty": 1}],
    }
    r = api_as("agent").post("/api/v1/returns", body)
    assert r.status_code == 409 and r.json()["code"] == "return_window_closed"
    assert (
        api_as("owner").post("/api/v1/returns", body).status_code == 201
    )  # the owner may override
