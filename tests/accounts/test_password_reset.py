import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse


def test_it_emails_a_link_that_sets_a_new_password(client, team):
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    path = re.search(r"https?://[^/]+(/password/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a much longer passphrase", "new_password2": "a much longer passphrase"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert get_user_model().objects.get(username="ada").check_password("a much longer passphrase")


def test_it_says_the_same_for_an_unknown_address(client, team):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_it_explains_a_used_link(client, team):
    page = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]))

    assert "This link no longer works" in page.content.decode()


def test_the_sign_in_page_links_to_it(client, db):
    page = client.get(reverse("login")).content.decode()

    assert reverse("accounts:password_reset") in page


def test_it_sends_at_most_five_links_an_address_in_fifteen_minutes(client, team):
    url = reverse("accounts:password_reset")
    for _ in range(5):
        client.post(url, {"email": "ada@example.com"}, REMOTE_ADDR="10.0.0.1")

    refused = client.post(url, {"email": "ada@example.com"}, REMOTE_ADDR="10.0.0.1")

    assert (
        refused.status_code == 200
        and "Too many password reset requests" in refused.content.decode()
    )
    assert len(mail.outbox) == 5
    elsewhere = client.post(url, {"email": "ada@example.com"}, REMOTE_ADDR="10.0.0.2")
    assert elsewhere.status_code == 302 and len(mail.outbox) == 6
