"""The school and the visiting member of staff that most rule tests start from."""
import pytest

from rollup.factories import make_school, make_user


@pytest.fixture
def school(app):
    return make_school()


@pytest.fixture
def visitor(school):
    return make_user(school)
