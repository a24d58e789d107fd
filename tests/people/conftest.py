import pytest

from ..factories import add_member, make_user, make_workspace


@pytest.fixture
def team(db) -> dict:
    """A workspace with one person per role, and an outsider who is admin elsewhere."""
    workspace = make_workspace("team")
    people = {"workspace": workspace}
    for role, name in [
        ("viewer", "vic"),
        ("author", "ada"),
        ("reviewer", "rita"),
        ("admin", "adam"),
    ]:
        people[name] = make_user(name, email=f"{name}@example.com")
        people[f"{name}_membership"] = add_member(workspace, people[name], role)
    other = make_workspace("other")
    people["olga"] = make_user("olga")
    add_member(other, people["olga"], "admin")
    return people
