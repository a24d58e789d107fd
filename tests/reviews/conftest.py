import pytest

from .helpers import team


@pytest.fixture
def people(db):
    return team()
