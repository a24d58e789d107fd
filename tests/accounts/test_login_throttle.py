import threading
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import LOGIN_ADDRESS_LIMIT, LOGIN_FAILURE_LIMIT, LoginFailure

from ..factories import PASSWORD, make_user
from ..threads import at_once

THROTTLED = "Too many failed sign-ins"


class CountingHasher(MD5PasswordHasher):
    """The fast hasher, counting how many passwords it was asked to check."""

    checked = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.checked += 1
        return super().verify(password, encoded)


def sign_in(client, username, password, ip="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_it_refuses_the_right_password_after_five_failures(client, team):
    for _ in range(5):
        page = sign_in(client, "ada", "wrong").content.decode()
        assert "did not match" in page

    refused = sign_in(client, "ada", PASSWORD)

    assert refused.status_code == 200 and THROTTLED in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_lets_the_owner_in_from_another_address_however_many_failures_elsewhere(client, team):
    # A stranger guessing from 10.6.6.6, and others from many addresses, cannot lock ada out.
    for _ in range(10):
        sign_in(client, "ada", "wrong", ip="10.6.6.6")
    for n in range(10):
        sign_in(client, "ada", "wrong", ip=f"10.0.1.{n}")

    assert THROTTLED in sign_in(client, "ada", PASSWORD, ip="10.6.6.6").content.decode()
    assert sign_in(client, "ada", PASSWORD, ip="10.9.9.9").status_code == 302


def test_it_throttles_an_address_trying_many_usernames(client, team):
    for n in range(LOGIN_ADDRESS_LIMIT):
        sign_in(client, f"name{n}", "wrong", ip="10.6.6.6")

    assert THROTTLED in sign_in(client, "ada", PASSWORD, ip="10.6.6.6").content.decode()
    assert sign_in(client, "ada", PASSWORD, ip="10.7.7.7").status_code == 302


def test_it_forgets_failures_after_fifteen_minutes(client, team):
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    LoginFailure.objects.update(at=LoginFailure.objects.first().at - timedelta(minutes=16))

    assert sign_in(client, "ada", PASSWORD).status_code == 302


def test_it_clears_the_count_of_its_own_address_on_success(client, team):
    for _ in range(4):
        sign_in(client, "ada", "wrong", ip="10.0.0.1")
    sign_in(client, "ada", "wrong", ip="10.0.0.2")

    assert sign_in(client, "ada", PASSWORD, ip="10.0.0.2").status_code == 302
    assert list(LoginFailure.objects.values_list("ip", flat=True).distinct()) == ["10.0.0.1"]


def test_it_does_not_count_a_form_without_a_password(client, team):
    for _ in range(4):
        sign_in(client, "ada", "wrong")

    sign_in(client, "ada", "")

    assert LoginFailure.objects.count() == 4
    assert sign_in(client, "ada", PASSWORD).status_code == 302


def test_it_throttles_the_admin_sign_in_with_the_same_count(client, team):
    staff = team["adam"]
    staff.is_staff = True
    staff.save()
    for _ in range(3):
        sign_in(client, "adam", "wrong")
    for _ in range(2):
        sign_in(client, "adam", "wrong", url="/admin/login/")

    refused = sign_in(client, "adam", PASSWORD, url="/admin/login/")

    assert refused.status_code == 200 and THROTTLED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="adam").count() == 5


def test_it_signs_staff_in_to_the_admin_and_keeps_others_out(client, team):
    team["adam"].is_staff = True
    team["adam"].save()

    refused = client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    assert "_auth_user_id" not in client.session and refused.status_code == 200
    client.post("/admin/login/", {"username": "adam", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(team["adam"].pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_it_checks_at_most_the_limit_of_twenty_parallel_guesses(settings, url):
    """Not wrapped in a test transaction: each thread signs in through its own connection."""
    make_user("ada", is_staff=True)
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.checked = 0
    answers = []

    def guess():
        answers.append(sign_in(Client(), "ada", "wrong", url=url).content.decode())

    errors = at_once([guess] * 20)

    assert errors == []
    assert CountingHasher.checked <= LOGIN_FAILURE_LIMIT
    assert sum(THROTTLED in page for page in answers) >= 20 - LOGIN_FAILURE_LIMIT
    assert LoginFailure.objects.count() <= LOGIN_FAILURE_LIMIT


def test_it_refuses_a_locked_out_guess_without_writing(client, team):
    for _ in range(5):
        sign_in(client, "ada", "wrong")

    with CaptureQueriesContext(connection) as queries:
        refused = sign_in(client, "ada", "wrong again")

    assert THROTTLED in refused.content.decode()
    # On SQLite each write blocks every reader while it commits: a flood must only read.
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "DELETE", "UPDATE"))]
    assert not [sql for sql in writes if "loginfailure" in sql]
    assert LoginFailure.objects.count() == 5
