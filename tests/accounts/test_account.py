"""Your account: people whose account has no name yet give it themselves."""

import pytest
from django.urls import reverse

from ..factories import make_user

ACCOUNT = reverse("accounts:account")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def vic(db):
    return make_user("vic", email="vic@example.com")


def test_it_shows_the_username_until_a_name_is_given(client, vic):
    client.force_login(vic)

    page = client.get(ACCOUNT).content.decode()

    assert 'title="Your account">vic</a>' in page and "vic@example.com" in page


def test_it_saves_the_name_shown_everywhere(client, vic):
    client.force_login(vic)

    response = client.post(ACCOUNT, {"full_name": "  Victor   Ivanov "})

    assert response.status_code == 302
    vic.refresh_from_db()
    assert (vic.first_name, vic.last_name) == ("Victor", "Ivanov")
    page = client.get(response["Location"]).content.decode()
    assert "colleagues now see you as Victor Ivanov" in page
    assert 'title="Your account">Victor Ivanov</a>' in page


@pytest.mark.parametrize("name", ["", " ", "Vic\rtor", "V" * 151])
def test_it_refuses_a_name_that_is_not_one(client, vic, name):
    client.force_login(vic)

    response = client.post(ACCOUNT, {"full_name": name})

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    vic.refresh_from_db()
    assert vic.get_full_name() == ""


def test_it_changes_only_the_signed_in_persons_name(client, vic):
    other = make_user("olga", first_name="Olga")
    client.force_login(vic)

    client.post(ACCOUNT, {"full_name": "Victor Ivanov", "user": other.pk, "username": "olga"})

    other.refresh_from_db()
    assert other.first_name == "Olga" and other.get_username() == "olga"


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    assert client.get(ACCOUNT)["Location"].startswith(reverse("login"))


def test_it_refuses_other_methods(client, vic):
    client.force_login(vic)

    assert client.put(ACCOUNT).status_code == 405


def test_it_answers_htmx_with_the_whole_page(client, vic):
    # No region of it is swapped: an htmx request (a boosted link) gets the page itself.
    client.force_login(vic)

    assert "<h1>Your account</h1>" in client.get(ACCOUNT, **HX).content.decode()
