"""Fixtures for the form tests: the shared fixtures file (tests/forms/fixtures.json), one test
per entry via `fixture_case`, and the form each entry is checked against. Pure functions only:
no app, no database."""
import json
from pathlib import Path

import pytest

from server.services import forms

HERE = Path(__file__).resolve().parent
FIXTURES_PATH = HERE / "fixtures.json"
FIXTURE_CASES = json.loads(FIXTURES_PATH.read_text(encoding="utf-8"))["fixtures"]


def pytest_generate_tests(metafunc):
    # One test per fixture entry, named after it, wherever a test asks for `fixture_case`.
    if "fixture_case" in metafunc.fixturenames:
        metafunc.parametrize("fixture_case", FIXTURE_CASES, ids=[case["name"] for case in FIXTURE_CASES])


@pytest.fixture(scope="session")
def fixture_cases():
    return FIXTURE_CASES


@pytest.fixture(scope="session")
def form_for():
    """The definition a fixture entry is checked against: a published form, or its own test form."""
    def form_for(case):
        if "definition" in case:
            return case["definition"]
        form_id, version = case["form"].split("/v")
        form = forms.get_form(form_id, int(version))
        assert form is not None, f"{case['name']}: no form {case['form']}"
        return form
    return form_for
