"""Who may see and do what (SPEC 1): agents only their assigned orders, the viewer reads,
the warehouse ships, finance handles payments; and each order's `actions` list offers
only what the caller may do."""

import pytest

from conftest import order_payload
from tokodesk.orders.models import Order, OrderEvent, OrderNote, Payment

URL = "/api/v1/orders"


def unchanged(ref):
    o = Order.objects.get(reference=ref)
    return (o.status, o.version, o.assigned_agent_id, o.recipient_name, o.paid_total,
            sorted(t.name for t in o.tags.all()), OrderEvent.objects.filter(order=o).count(),
            OrderNote.objects.filter(order=o).count(), Payment.objects.filter(order=o).count())


@pytest.fixture
def orders(shop, api_as):
    """Three orders by the owner: one for each agent and one unassigned, each with its
    own customer."""
    owner = api_as("owner")
    made = {}
    for key, agent, name, phone in [("mine", "agent", "Siti Rahayu", "081234567890"),
                                    ("theirs", "agent2", "Budi Santoso", "081298765432"),
                                    ("nobody", None, "Dewi Lestari", "081311112222")]:
        r = owner.post(URL, order_payload(agent=agent, customer={"name": name, "phone": phone, "address": "Jl. A"}))
        assert r.status_code == 201, r.content
        made[key] = r.json()["reference"]
    return made


# --- agents ---------------------------------------------------------------------------------


def test_agent_lists_only_assigned_orders(orders, api_as):
    agent = api_as("agent")
    r = agent.get(URL)
    assert r.status_code == 200
    assert [o["reference"] for o in r.json()["items"]] == [orders["mine"]]
    # Filters cannot widen the scope.
    assert agent.get(URL, {"agent": "agent2"}).json()["items"] == []
    assert agent.get(URL, {"q": orders["theirs"]}).json()["items"] == []
    assert agent.get(URL, {"q": "081298765432"}).json()["items"] == []
    assert agent.get(URL, {"agent": "none"}).json()["items"] == []
    other = api_as("agent2").get(URL).json()["items"]
    assert [o["reference"] for o in other] == [orders["theirs"]]
    everyone = api_as("viewer").get(URL).json()["items"]
    assert {o["reference"] for o in everyone} == set(orders.values())


def test_agent_tab_counts_are_scoped(orders, api_as):
    assert api_as("agent").get(f"{URL}/tab-counts").json()["all"] == 1
    assert api_as("agent").get(f"{URL}/tab-counts").json()["pending"] == 1
    assert api_as("agent2").get(f"{URL}/tab-counts").json()["all"] == 1
    assert api_as("finance").get(f"{URL}/tab-counts").json()["all"] == 3


def test_agent_cannot_see_or_touch_anothers_order(orders, api_as):
    agent = api_as("agent")
    ref = orders["theirs"]
    before = unchanged(ref)
    calls = [
        agent.get(f"{URL}/{ref}"),
        agent.get(f"{URL}/{ref}/timeline"),
        agent.post(f"{URL}/{ref}/actions/confirm"),
        agent.post(f"{URL}/{ref}/actions/cancel", {"reason": "x"}),
        agent.patch(f"{URL}/{ref}", {"recipient_name": "Hacked"}),
        agent.post(f"{URL}/{ref}/tags", {"add": ["x"]}),
        agent.post(f"{URL}/{ref}/notes", {"body": "x"}),
        agent.get(f"{URL}/{orders['nobody']}"),
        agent.post(f"{URL}/{orders['nobody']}/actions/confirm"),
    ]
    for r in calls:
        assert r.status_code == 404, (r.request["PATH_INFO"], r.content)
        assert r.json()["code"] == "not_found"
    # 404 looks exactly like an order that does not exist.
    ghost = agent.get(f"{URL}/ORD-999999")
    assert ghost.status_code == 404 and ghost.json()["code"] == calls[0].json()["code"]
    assert unchanged(ref) == before


def test_agent_works_their_own_order(orders, api_as):
    agent = api_as("agent")
    ref = orders["mine"]
    d = agent.get(f"{URL}/{ref}").json()
    assert d["assigned_agent"] == "agent"
    assert set(d["actions"]) == {"confirm", "prepay_store_credit", "request_cancellation", "cancel"}
    assert agent.get(f"{URL}/{ref}/timeline").status_code == 200
    assert agent.post(f"{URL}/{ref}/actions/confirm").json()["status"] == "confirmed"
    assert agent.patch(f"{URL}/{ref}", {"recipient_name": "Siti R."}).status_code == 200
    assert agent.post(f"{URL}/{ref}/tags", {"add": ["vip"]}).status_code == 200
    assert agent.post(f"{URL}/{ref}/notes", {"body": "sudah ditelepon"}).status_code == 201
    # But not the payment, the warehouse's work, or reassigning.
    for action, body in [("confirm_payment", {"amount": 168000}), ("mark_ready", None)]:
        r = agent.post(f"{URL}/{ref}/actions/{action}", body)
        assert r.status_code == 403 and r.json()["code"] == "permission_denied", action
    r = agent.post(f"{URL}/{ref}/assign", {"agent": "agent2"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert Order.objects.get(reference=ref).assigned_agent.username == "agent"


def test_agent_loses_the_order_when_reassigned(orders, api_as):
    agent = api_as("agent")
    ref = orders["mine"]
    assert agent.get(f"{URL}/{ref}").status_code == 200
    api_as("owner").post(f"{URL}/{ref}/assign", {"agent": "agent2"})
    assert agent.get(f"{URL}/{ref}").status_code == 404
    assert agent.get(URL).json()["items"] == []
    assert api_as("agent2").get(f"{URL}/{ref}").status_code == 200


def test_agent_customers_are_scoped(orders, api_as):
    agent = api_as("agent")
    r = agent.get("/api/v1/customers")
    assert r.status_code == 200
    assert [c["name"] for c in r.json()] == ["Siti Rahayu"]
    assert agent.get("/api/v1/customers", {"q": "081298765432"}).json() == []
    assert agent.get("/api/v1/customers", {"q": "Budi"}).json() == []
    theirs = Order.objects.get(reference=orders["theirs"]).customer_id
    mine = Order.objects.get(reference=orders["mine"]).customer_id
    r = agent.get(f"/api/v1/customers/{theirs}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert agent.get(f"/api/v1/customers/{mine}").status_code == 200
    everyone = api_as("viewer").get("/api/v1/customers").json()
    assert {c["name"] for c in everyone} == {"Siti Rahayu", "Budi Santoso", "Dewi Lestari"}


def test_agents_manual_order_is_theirs(shop, api_as):
    agent = api_as("agent")
    r = agent.post(URL, order_payload(channel="manual"))
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    assert r.json()["assigned_agent"] == "agent"
    assert [o["reference"] for o in agent.get(URL).json()["items"]] == [ref]
    assert agent.get(f"{URL}/{ref}").status_code == 200
    # Naming themselves is fine; naming someone else is not theirs to decide.
    assert agent.post(URL, order_payload(agent="agent")).json()["assigned_agent"] == "agent"
    r = agent.post(URL, order_payload(agent="agent2"))
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert Order.objects.count() == 2


# --- viewer, warehouse, finance -------------------------------------------------------------


def test_viewer_reads_but_cannot_write(orders, api_as):
    viewer = api_as("viewer")
    ref = orders["nobody"]
    d = viewer.get(f"{URL}/{ref}")
    assert d.status_code == 200 and d.json()["actions"] == []
    assert viewer.get(f"{URL}/{ref}/timeline").status_code == 200
    before = unchanged(ref)
    count = Order.objects.count()
    r = viewer.post(URL, order_payload())
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    for action, body in [("confirm", None), ("cancel", {"reason": "x"}), ("confirm_payment", {"amount": 1}),
                         ("ship", {"awb": "X"})]:
        r = viewer.post(f"{URL}/{ref}/actions/{action}", body)
        assert r.status_code == 403 and r.json()["code"] == "permission_denied", action
    for r in [viewer.patch(f"{URL}/{ref}", {"recipient_name": "X"}),
              viewer.post(f"{URL}/{ref}/tags", {"add": ["x"]}),
              viewer.post(f"{URL}/{ref}/notes", {"body": "x"}),
              viewer.post(f"{URL}/{ref}/assign", {"agent": None})]:
        assert r.status_code == 403 and r.json()["code"] == "permission_denied", r.content
    assert unchanged(ref) == before and Order.objects.count() == count


def _to_paid(owner, ref):
    for action, body in [("confirm", None), ("confirm_payment", {"amount": 168000})]:
        assert owner.post(f"{URL}/{ref}/actions/{action}", body).status_code == 200


def test_warehouse_ships_but_cannot_confirm_payment(orders, api_as):
    owner, wh = api_as("owner"), api_as("warehouse")
    ref = orders["nobody"]
    assert owner.post(f"{URL}/{ref}/actions/confirm").status_code == 200
    before = unchanged(ref)
    r = wh.post(f"{URL}/{ref}/actions/confirm_payment", {"amount": 168000})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = wh.post(f"{URL}/{ref}/actions/unconfirm")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert unchanged(ref) == before
    assert owner.post(f"{URL}/{ref}/actions/confirm_payment", {"amount": 168000}).status_code == 200
    for action, body, status in [("mark_ready", None, "ready_to_ship"),
                                 ("ship", {"courier": "jne", "awb": "JNE0001"}, "awaiting_pickup"),
                                 ("cancel_shipment", None, "ready_to_ship"),
                                 ("ship", {"courier": "jne", "awb": "JNE0002"}, "awaiting_pickup"),
                                 ("picked_up", None, "in_transit"), ("delivered", None, "delivered")]:
        r = wh.post(f"{URL}/{ref}/actions/{action}", body)
        assert r.status_code == 200 and r.json()["status"] == status, (action, r.content)
    # Completing records money: finance's.
    r = wh.post(f"{URL}/{ref}/actions/complete")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert wh.post(f"{URL}/{ref}/notes", {"body": "paket diambil"}).status_code == 201
    r = wh.patch(f"{URL}/{ref}", {"recipient_name": "X"})
    assert r.status_code == 403


def test_finance_confirms_payment_but_cannot_ship(orders, api_as):
    owner, fin = api_as("owner"), api_as("finance")
    ref = orders["nobody"]
    assert owner.post(f"{URL}/{ref}/actions/confirm").status_code == 200
    r = fin.post(f"{URL}/{ref}/actions/confirm_payment", {"amount": 168000})
    assert r.status_code == 200 and r.json()["status"] == "paid"
    before = unchanged(ref)
    for action, body in [("mark_ready", None), ("cancel", {"reason": "x"})]:
        r = fin.post(f"{URL}/{ref}/actions/{action}", body)
        assert r.status_code == 403 and r.json()["code"] == "permission_denied", action
    assert unchanged(ref) == before
    assert owner.post(f"{URL}/{ref}/actions/mark_ready").status_code == 200
    r = fin.post(f"{URL}/{ref}/actions/ship", {"courier": "jne", "awb": "JNE0001"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert Order.objects.get(reference=ref).awb == ""
    r = fin.post(URL, order_payload())
    assert r.status_code == 403


def test_permission_is_checked_before_status(orders, api_as):
    """A user without the permission hears 403 whatever the status: no probing."""
    ref = orders["nobody"]
    r = api_as("finance").post(f"{URL}/{ref}/actions/ship", {"awb": "X"})  # order is new
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"


# --- the `actions` list ---------------------------------------------------------------------

EXPECTED_ACTIONS = {
    # (status of a bank-transfer order, role): the actions offered
    ("confirmed", "owner"): {"unconfirm", "confirm_payment", "pay_store_credit", "request_cancellation", "cancel"},
    ("confirmed", "admin"): {"unconfirm", "confirm_payment", "pay_store_credit", "request_cancellation", "cancel"},
    ("confirmed", "agent"): {"unconfirm", "pay_store_credit", "request_cancellation", "cancel"},
    ("confirmed", "warehouse"): set(),  # not paid yet: nothing to prepare
    ("confirmed", "finance"): {"confirm_payment"},
    ("confirmed", "viewer"): set(),
    ("paid", "owner"): {"unconfirm_payment", "mark_ready", "request_cancellation", "cancel"},
    ("paid", "agent"): {"request_cancellation", "cancel"},
    ("paid", "warehouse"): {"mark_ready"},
    ("paid", "finance"): {"unconfirm_payment"},
    ("paid", "viewer"): set(),
    ("in_transit", "owner"): {"delivered", "report_problem", "mark_lost", "return_to_sender"},
    ("in_transit", "agent"): set(),
    ("in_transit", "warehouse"): {"delivered", "report_problem", "mark_lost", "return_to_sender"},
    ("in_transit", "finance"): set(),
    ("delivered", "owner"): {"complete"},
    ("delivered", "warehouse"): set(),
    ("delivered", "finance"): {"complete"},
}


@pytest.fixture
def staged(orders, api_as):
    """The agent's order moved through the statuses of EXPECTED_ACTIONS on demand."""
    owner = api_as("owner")
    ref = orders["mine"]
    path = [("confirm", None, "confirmed"), ("confirm_payment", {"amount": 168000}, "paid"),
            ("mark_ready", None, None), ("ship", {"awb": "JNE1"}, None), ("picked_up", None, "in_transit"),
            ("delivered", None, "delivered")]

    def to(status):
        for action, body, reached in path:
            if Order.objects.get(reference=ref).status == status:
                return ref
            assert owner.post(f"{URL}/{ref}/actions/{action}", body).status_code == 200
            if reached == status:
                return ref
        raise AssertionError(status)

    return to


@pytest.mark.parametrize("status", ["confirmed", "paid", "in_transit", "delivered"])
def test_actions_list_only_what_the_user_may_do(staged, api_as, status):
    ref = staged(status)
    for (st, role), expected in EXPECTED_ACTIONS.items():
        if st != status:
            continue
        client = api_as(role)
        d = client.get(f"{URL}/{ref}").json()
        assert d["status"] == status
        assert set(d["actions"]) == expected, (status, role, d["actions"])
        # The list endpoint offers the same menu.
        listed = {o["reference"]: o for o in client.get(URL).json()["items"]}
        assert set(listed[ref]["actions"]) == expected, (status, role)


def test_every_listed_action_is_permitted(staged, api_as):
    """Nothing offered in `actions` answers 403; everything else this role tries does
    (or is not possible now)."""
    ref = staged("paid")
    for role in ["agent", "warehouse", "finance", "viewer"]:
        offered = set(api_as(role).get(f"{URL}/{ref}").json()["actions"])
        for action in ["unconfirm_payment", "mark_ready", "request_cancellation", "cancel"]:
            if action in offered:
                continue
            body = {"reason": "x"} if action in ("cancel", "request_cancellation") else None
            r = api_as(role).post(f"{URL}/{ref}/actions/{action}", body)
            assert r.status_code in (403, 409), (role, action, r.content)
    assert Order.objects.get(reference=ref).status == "paid"


def test_cod_confirmed_offers_mark_ready_to_warehouse(shop, api_as):
    owner = api_as("owner")
    ref = owner.post(URL, order_payload(payment_method="cod")).json()["reference"]
    owner.post(f"{URL}/{ref}/actions/confirm")
    assert set(api_as("warehouse").get(f"{URL}/{ref}").json()["actions"]) == {"mark_ready"}
    assert api_as("finance").get(f"{URL}/{ref}").json()["actions"] == []
