"""Two people save the same field at the same moment: one wins, the other keeps their text."""

import threading

import pytest
from django.db import connection
from django.test import Client

from apps.decisions.models import Decision

from ..factories import add_member, make_decision, make_user, make_workspace

ROUNDS = 50


def save_context(client: Client, decision: Decision, revision: int, text: str):
    return client.post(
        f"/w/{decision.workspace.slug}/{decision.number}/edit/part/problem/",
        {
            "revision": revision,
            "title": decision.title,
            "context": text,
            "overview": "",
            "drivers": "",
        },
    )


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_saves_win_each_round():
    workspace = make_workspace("race")
    people = [make_user("ana"), make_user("ben")]
    clients = []
    for person in people:
        add_member(workspace, person, "author")
        client = Client()
        client.force_login(person)
        clients.append(client)
    decision = make_decision(workspace, "Race")
    wins = 0
    for round_ in range(ROUNDS):
        revision = Decision.objects.get(pk=decision.pk).revision
        texts = [f"round {round_}: ana's text", f"round {round_}: ben's text"]
        barrier = threading.Barrier(2)
        responses: list = [None, None]

        def save(i: int, revision=revision, texts=texts, barrier=barrier, responses=responses):
            try:
                barrier.wait()
                responses[i] = save_context(clients[i], decision, revision, texts[i])
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [302, 409], (round_, statuses)
        winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
        loser = 1 - winner
        stored = Decision.objects.get(pk=decision.pk)
        assert stored.context == texts[winner]
        # The loser sees their own text, intact, beside the winner's.
        page = responses[loser].content.decode()
        assert texts[loser].replace("'", "&#x27;") in page
        assert texts[winner].replace("'", "&#x27;") in page
        wins += 1
    assert Decision.objects.get(pk=decision.pk).revision == 1 + wins == 1 + ROUNDS
