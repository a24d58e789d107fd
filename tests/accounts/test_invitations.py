"""Members join by invitation only: an exact email, a link the person accepts, no disclosure."""

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse

from apps.accounts.models import INVITATIONS_PER_HOUR, Invitation
from apps.workspaces.models import Membership

from ..factories import PASSWORD, make_user

HX = {"HTTP_HX_REQUEST": "true"}
INVITE = reverse("accounts:invite", args=["team"])
SIGN_UP = {
    "full_name": "Nora Nkemelu",
    "username": "nora",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def invite(client, email, role="reviewer", **extra):
    return client.post(INVITE, {"email": email, "role": role}, **extra)


def link_in_mail(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


def without_secrets(response, email) -> tuple[int, str]:
    body = response.content.decode().replace(email, "EMAIL")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", body)
    body = re.sub(r"invitations/\d+/", "invitations/N/", body)  # the row's own number
    body = re.sub(r"invitation-\d+", "invitation-N", body)
    return response.status_code, body


def test_it_answers_the_same_for_an_account_and_an_unknown_address(client, team):
    make_user("nina", email="nina@example.com")
    client.force_login(team["adam"])

    known = invite(client, "nina@example.com", **HX)
    Invitation.objects.all().delete()
    unknown = invite(client, "nora@example.com", **HX)

    assert known.status_code == 200
    assert without_secrets(known, "nina@example.com") == without_secrets(
        unknown, "nora@example.com"
    )
    assert "nina" not in known.content.decode().replace("nina@example.com", "")
    plain = [invite(client, email) for email in ["nina@example.com", "nora@example.com"]]
    assert [(r.status_code, r["Location"], r.content) for r in plain] == [
        (302, "/w/team/members/", b"")
    ] * 2


def test_it_makes_no_member_and_no_account_before_acceptance(client, team):
    make_user("nina", email="nina@example.com")
    client.force_login(team["adam"])

    invite(client, "nina@example.com")
    invite(client, "nora@example.com")

    assert not Membership.objects.filter(user__username="nina").exists()
    assert not Membership.objects.filter(user__email="nora@example.com").exists()
    assert not type(team["adam"]).objects.filter(email="nora@example.com").exists()
    assert [m.to for m in mail.outbox] == [["nina@example.com"], ["nora@example.com"]]


def test_it_refuses_a_username_or_a_partial_address(client, team):
    make_user("nina", email="nina@example.com")
    client.force_login(team["adam"])

    for who in ["nina", "nina@", "@example.com"]:
        response = invite(client, who, **HX)
        assert response.status_code == 400 and "Enter a valid email" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_it_lets_the_invited_account_accept_while_signed_in(client, team):
    nina = make_user("nina", email="Nina@Example.com")
    client.force_login(team["adam"])
    invite(client, "nina@example.com", role="reviewer")
    link = link_in_mail(mail.outbox[0])

    client.force_login(nina)
    page = client.get(link)
    assert page.status_code == 200 and "Join Team" in page.content.decode()
    response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(user=nina, workspace=team["workspace"]).role == "reviewer"
    assert client.post(link).status_code == 404  # used once only


def test_it_lets_a_new_person_sign_up_through_the_link(client, team):
    client.force_login(team["adam"])
    invite(client, "nora@example.com", role="author")
    link = link_in_mail(mail.outbox[0])
    client.logout()

    response = client.post(link, SIGN_UP)

    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nora", workspace=team["workspace"])
    assert membership.role == "author" and membership.user.email == "nora@example.com"
    assert client.session["_auth_user_id"] == str(membership.user.pk)


def test_it_refuses_someone_elses_invitation(client, team):
    client.force_login(team["adam"])
    invite(client, "nina@example.com")
    link = link_in_mail(mail.outbox[0])

    client.force_login(team["olga"])
    response = client.post(link)

    assert response.status_code == 403 and "another email address" in response.content.decode()
    assert not Membership.objects.filter(user=team["olga"], workspace=team["workspace"]).exists()
    assert Invitation.objects.pending().count() == 1


def test_it_refuses_an_expired_a_revoked_or_an_unknown_link(client, team):
    nina = make_user("nina", email="nina@example.com")
    client.force_login(team["adam"])
    invite(client, "nina@example.com")
    expired = link_in_mail(mail.outbox[0])
    Invitation.objects.update(expires_at=Invitation.objects.get().created_at - timedelta(1))
    invite(client, "nina@example.com")
    revoked = link_in_mail(mail.outbox[1])
    pending = Invitation.objects.pending().get()
    client.post(reverse("accounts:revoke", args=["team", pending.pk]))

    client.force_login(nina)
    for link in [expired, revoked, "/invitations/made-up/"]:
        response = client.post(link)
        assert response.status_code == 404 and "cannot be used" in response.content.decode()
    assert not Membership.objects.filter(user=nina).exists()


def test_it_lists_pending_invitations_to_admins_only(client, team):
    client.force_login(team["adam"])
    invite(client, "nora@example.com")
    members = reverse("workspaces:members", args=["team"])

    assert "nora@example.com" in client.get(members).content.decode()
    client.force_login(team["rita"])
    page = client.get(members).content.decode()
    assert "nora@example.com" not in page and "Add a member" not in page
    assert invite(client, "x@example.com").status_code == 403


def test_it_limits_invitations_per_hour(client, team):
    client.force_login(team["adam"])
    for n in range(INVITATIONS_PER_HOUR):
        assert invite(client, f"p{n}@example.com").status_code == 302

    refused = invite(client, "one.more@example.com", **HX)

    assert refused.status_code == 429 and "wait a while" in refused.content.decode()
    assert len(mail.outbox) == INVITATIONS_PER_HOUR
    # Revoking does not give the sends back.
    for invitation in Invitation.objects.all():
        invitation.revoke(by=team["adam"])
    assert invite(client, "one.more@example.com").status_code == 429


def test_it_rejects_get_on_invite_and_revoke(client, team):
    client.force_login(team["adam"])

    assert client.get(INVITE).status_code == 405
    assert client.get(reverse("accounts:revoke", args=["team", 1])).status_code == 405


def test_it_refuses_an_invitation_whose_sender_is_no_longer_admin(client, team):
    nina = make_user("nina", email="nina@example.com")
    client.force_login(team["adam"])
    invite(client, "nina@example.com")
    link = link_in_mail(mail.outbox[0])
    Membership.objects.filter(user=team["adam"]).update(role="viewer")

    client.force_login(nina)
    response = client.post(link)

    assert response.status_code == 403 and "no longer manages" in response.content.decode()
    assert not Membership.objects.filter(user=nina).exists()


def test_it_makes_no_account_when_signing_up_through_a_dead_invitation(client, team):
    client.force_login(team["adam"])
    invite(client, "nora@example.com")
    link = link_in_mail(mail.outbox[0])
    Membership.objects.filter(user=team["adam"]).update(role="viewer")
    client.logout()

    response = client.post(link, SIGN_UP)

    assert response.status_code == 403 and "no longer manages" in response.content.decode()
    assert not type(team["adam"]).objects.filter(username="nora").exists()


def test_it_lists_invitations_in_the_admin_without_adding_them_there(client, team):
    client.force_login(team["adam"])
    invite(client, "nora@example.com")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))

    assert "nora@example.com" in client.get("/admin/accounts/invitation/").content.decode()
    assert client.get("/admin/accounts/invitation/add/").status_code == 403
