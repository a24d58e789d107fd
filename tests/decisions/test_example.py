from apps.accounts.management.commands.load_example import load_example
from apps.decisions.models import Decision
from apps.reviews.models import ReviewRound


def test_it_loads_the_api_gateway_decision_fully(example):
    decision = Decision.objects.with_record().get(title="Decide on API Gateway Requirements")
    record = decision.to_record()
    assert [s.title for s in record.scenarios] == ["REST API", "HTTP API", "WebSocket API"]
    assert all(s.choose_when for s in record.scenarios)
    auth = record.considerations[0]
    assert auth.title == "Authentication" and not auth.is_open
    assert [o.title for o in auth.options] == [
        "IAM authentication",
        "Amazon Cognito",
        "API key",
        "Lambda authorizer",
    ]
    assert all(cell.level != "unknown" for o in auth.options for cell in o.support)
    assert [c.title for c in record.open_considerations()] == [
        "Monitoring and Tracing",
        "Web Application Firewall (WAF)",
    ]
    assert [(r.kind, r.title) for r in record.relations] == [
        ("see_also", "Decide on WAF Requirements/Strategy")
    ]
    assert len(record.references) == 2


def test_it_loads_a_log_in_several_statuses_once(example):
    assert set(Decision.objects.values_list("status", flat=True)) >= {
        "accepted",
        "superseded",
        "rejected",
        "draft",
    }
    assert load_example() is None
    assert Decision.objects.count() == 6


def test_it_creates_the_demo_login(example, client):
    assert client.login(username="demo", password="demo")


def test_it_opens_the_review_of_an_example_decision_that_is_in_review(example):
    in_review = example.decisions.filter(status="in_review")
    assert in_review.exists()
    for decision in in_review:
        round = ReviewRound.objects.open().get(decision=decision)
        reviewers = set(round.reviewers.values_list("username", flat=True))
        assert reviewers and decision.owner.username not in reviewers


def test_it_prints_the_demo_login_it_made_with_the_password_of_demo_password(
    db, client, settings, monkeypatch
):
    from io import StringIO

    from django.core.management import call_command

    settings.DEMO_PASSWORD = "s3cret-pass"
    monkeypatch.setenv("PORT", "8123")
    before = StringIO()
    call_command("demo_login", stdout=before)
    call_command("load_example", stdout=StringIO())
    call_command("load_example", stdout=StringIO())  # make run again: loaded once
    printed = StringIO()
    call_command("demo_login", stdout=printed)

    assert "No demo user" in before.getvalue()
    assert "http://127.0.0.1:8123/" in printed.getvalue()
    assert "user: demo   password: s3cret-pass" in printed.getvalue()
    assert client.login(username="demo", password="s3cret-pass")
    assert not client.login(username="demo", password="demo")
    assert Decision.objects.count() == 6
