import pytest

from ..reviews.helpers import team


@pytest.fixture
def people(db):
    return team()
