import os

import pytest

from .factories import add_member, make_user, make_workspace

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def workspace(db):
    return make_workspace("team")


@pytest.fixture
def author(workspace):
    user = make_user("ada")
    add_member(workspace, user, "author")
    return user


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def example(db):
    from apps.accounts.management.commands.load_example import load_example

    return load_example(password="demo")
