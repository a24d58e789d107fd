import pytest

from apps.publishing.models import Repository

from ..factories import make_team
from .gitrepos import Engineer, make_remote


@pytest.fixture
def people(workspace):
    return make_team(workspace, ada="author", rita="reviewer", root="admin", first_names=True)


@pytest.fixture
def remote(tmp_path):
    return make_remote(tmp_path)


@pytest.fixture
def engineer(remote, tmp_path):
    """Eve's clone, with one ADR of her own already pushed: the team's existing folder."""
    eve = Engineer(remote, tmp_path / "eve")
    eve.write(
        "0001-record-architecture-decisions.md",
        "# 1. Record architecture decisions\n\nDate: 2024-01-10\n\n## Status\n\nAccepted\n\n"
        "## Context\n\nWe need to record decisions.\n\n## Decision\n\nWe will use ADRs.\n\n"
        "## Consequences\n\nSee Michael Nygard's article.\n",
    )
    eve.commit("Start the ADR log")
    eve.push()
    return eve


@pytest.fixture
def repository(workspace, remote):
    return Repository.objects.create(
        workspace=workspace, url=str(remote), branch="main", folder="docs/adr", format="madr"
    )
