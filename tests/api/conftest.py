"""Fixtures the sync tests share: the visiting member of staff's phone, signed in through the
API, and the first Riverside placement it visits."""
import pytest


@pytest.fixture
def staff(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    return api


@pytest.fixture
def placement(demo):
    return demo.placements("riverside")[0]
