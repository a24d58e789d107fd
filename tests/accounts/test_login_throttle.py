from datetime import timedelta

from django.urls import reverse

from apps.accounts.models import LoginFailure

from ..factories import PASSWORD

THROTTLED = "Too many failed sign-ins"


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_it_refuses_the_right_password_after_five_failures(client, team):
    for _ in range(5):
        page = sign_in(client, "ada", "wrong").content.decode()
        assert "did not match" in page

    refused = sign_in(client, "ada", PASSWORD)

    assert refused.status_code == 200 and THROTTLED in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_throttles_a_username_from_any_address(client, team):
    for n in range(5):
        sign_in(client, "ada", "wrong", ip=f"10.0.0.{n}")

    assert THROTTLED in sign_in(client, "ada", PASSWORD, ip="10.9.9.9").content.decode()


def test_it_throttles_an_address_trying_many_usernames(client, team):
    for name in ["vic", "rita", "adam", "olga", "nobody"]:
        sign_in(client, name, "wrong", ip="10.6.6.6")

    assert THROTTLED in sign_in(client, "ada", PASSWORD, ip="10.6.6.6").content.decode()
    assert sign_in(client, "ada", PASSWORD, ip="10.7.7.7").status_code == 302


def test_it_forgets_failures_after_fifteen_minutes(client, team):
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    LoginFailure.objects.update(at=LoginFailure.objects.first().at - timedelta(minutes=16))

    assert sign_in(client, "ada", PASSWORD).status_code == 302


def test_it_clears_the_count_on_success(client, team):
    for _ in range(4):
        sign_in(client, "ada", "wrong", ip="10.0.0.1")

    assert sign_in(client, "ada", PASSWORD, ip="10.0.0.2").status_code == 302
    assert not LoginFailure.objects.filter(username="ada").exists()


def test_it_throttles_the_admin_sign_in_with_the_same_count(client, team):
    staff = team["adam"]
    staff.is_staff = True
    staff.save()
    for _ in range(3):
        sign_in(client, "adam", "wrong")
    for _ in range(2):
        client.post(
            "/admin/login/", {"username": "adam", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )

    refused = client.post(
        "/admin/login/", {"username": "adam", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

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
