"""Round robin: a landing page's orders go to its agents in turn, fairly, also when buyers
submit at the same moment (PostgreSQL: threads, each on its own connection, race through
the real view; the page's row lock queues them)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from tokodesk.orders.models import Order
from tokodesk.storefront import services
from tokodesk.storefront.models import LandingPage, LandingSubmission
from tokodesk.storefront.tests.test_landing import make_agents, make_page, order_data, submit

SUBMITS = 30


@pytest.mark.django_db
def test_three_agents_thirty_submits_ten_each_in_turn(shop):
    agents = make_agents(3)
    make_page(shop, agents=agents)
    for i in range(SUBMITS):
        response = submit(Client(REMOTE_ADDR=f"10.1.0.{i}"), "kaos")
        assert response.status_code == 303, response.status_code
    assigned = [o.assigned_agent for o in Order.objects.order_by("pk")]
    assert Counter(a.username for a in assigned) == {a.username: 10 for a in agents}
    assert assigned == agents * 10  # strictly in turn


@pytest.mark.django_db
def test_turns_continue_across_pages_independently(shop):
    a1, a2, a3 = make_agents(3)
    make_page(shop, agents=[a1, a2])
    make_page(shop, slug="kaos-2", agents=[a2, a3])
    for i in range(4):
        submit(Client(REMOTE_ADDR=f"10.2.0.{i}"), "kaos")
        submit(Client(REMOTE_ADDR=f"10.2.1.{i}"), "kaos-2")
    by_page = Counter((o.landing_page.slug, o.assigned_agent.username) for o in Order.objects.all())
    assert by_page == {("kaos", a1.username): 2, ("kaos", a2.username): 2,
                       ("kaos-2", a2.username): 2, ("kaos-2", a3.username): 2}


def pg_only(test):
    """Real concurrency: PostgreSQL only. SQLite has no row locks (its IMMEDIATE
    transactions serialize writers instead, which the sequential tests above cover)."""
    marks = [
        pytest.mark.postgres_only,
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason="needs real concurrent writers and row locks (SELECT … FOR UPDATE); "
                   "run with DATABASE_URL=postgresql://…",
        ),
        pytest.mark.django_db(transaction=True),
    ]
    for mark in marks:
        test = mark(test)
    return test


def _race(posts: list[tuple[str, dict]]) -> list:
    """Each POST in its own thread (so on its own connection), released together."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(i):
        ip, data = posts[i]
        try:
            client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
            barrier.wait(timeout=30)
            results[i] = client.post("/p/kaos/", data)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


@pg_only
@pytest.mark.parametrize("_round", range(2))
def test_concurrent_submits_stay_fair_on_postgresql(shop, _round):
    agents = make_agents(3)
    page = make_page(shop, agents=agents)
    posts = [(f"10.3.0.{i}", order_data(services.new_form_token(page))) for i in range(SUBMITS)]
    results = _race(posts)
    assert [getattr(r, "status_code", r) for r in results] == [303] * SUBMITS
    assert Order.objects.count() == SUBMITS
    counts = Counter(Order.objects.values_list("assigned_agent__username", flat=True))
    assert counts == {a.username: 10 for a in agents}
    assert LandingPage.objects.get(pk=page.pk).last_agent_index == (SUBMITS - 1) % 3


@pg_only
def test_concurrent_double_submit_makes_one_order_on_postgresql(shop):
    page = make_page(shop, agents=make_agents(2))
    data = order_data(services.new_form_token(page))
    results = _race([("10.4.0.1", data)] * 6)  # one impatient buyer tapping six times
    assert [getattr(r, "status_code", r) for r in results] == [303] * 6
    assert len({r["Location"] for r in results}) == 1
    assert Order.objects.count() == 1 and LandingSubmission.objects.count() == 1
    assert LandingPage.objects.get(pk=page.pk).last_agent_index == 0
