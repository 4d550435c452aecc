"""The rules the phone repeats give the server's answer for every shared fixture
(tests/fixtures/*.json): which photos of a visit are missing and whether it is complete, and
when a follow-up action or a safeguarding concern is whole. The form-answer checks have their
own fixtures (tests/forms/test_form_checks_agree.py)."""
import json
import shutil
import subprocess
import uuid
from datetime import datetime, timezone

import pytest

from server.dates import school_today
from server.models import Photo, Visit, VisitVersion
from server.schemas.visits import ActionEntrySchema, ConcernEntrySchema
from server.services import completeness
from server.vocabulary import LIMITS
from tests.conftest import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
COMPLETENESS = json.loads((FIXTURES / "completeness.json").read_text(encoding="utf-8"))["cases"]
ENTRIES = json.loads((FIXTURES / "visit_entries.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def phone():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH, so the phone's rules cannot be run. Install Node.js 20+.")
    run = subprocess.run([node, str(FIXTURES / "run_js_rules.mjs")], capture_output=True, text=True, timeout=60,
                         check=False)
    assert run.returncode == 0, f"the phone's rules failed to run:\n{run.stderr}"
    return json.loads(run.stdout)


def photo_uuid(name):
    return uuid.uuid5(uuid.NAMESPACE_URL, f"photo:{name}")


@pytest.mark.parametrize("case", COMPLETENESS, ids=[case["name"] for case in COMPLETENESS])
def test_the_server_and_the_phone_agree_on_missing_photos(case, phone):
    names = {str(photo_uuid(name)): name for name in case["manifest"] + case.get("held_not_declared", [])}
    visit = Visit(complete=False)
    visit.versions = [VisitVersion(photo_manifest=[{"uuid": str(photo_uuid(name))} for name in case["manifest"]])]
    visit.photos = [Photo(uuid=photo_uuid(name), stored_at=datetime.now(timezone.utc) if name in case["stored"] else None)
                    for name in case["manifest"] + case.get("held_not_declared", [])]
    missing = sorted(names[found] for found in completeness.missing_photos(visit))
    assert {"complete": not missing, "missing_photos": missing} == {
        key: case["expected"][key] for key in ("complete", "missing_photos")}
    assert phone["completeness"][case["name"]] == {key: case["expected"][key] for key in ("complete", "to_send")}


def text(value):
    if isinstance(value, str):
        return value
    return value["repeat"] * (LIMITS[value["times"]] + value.get("plus", 0))


def server_accepts(case):
    """Would the server take the actions and concern the phone sends for this case?"""
    for action in case["actions"]:
        errors = ActionEntrySchema().validate({
            "uuid": str(uuid.uuid4()), "item_key": None, "description": text(action["description"]),
            "owner_name": text(action["owner_name"]),
            "due_on": school_today().isoformat() if action["due_on"] else ""})
        if errors:
            return False
    concern = case["concern"]
    written = concern and (text(concern["text"]).strip() or text(concern["immediate_action"]).strip())
    if written:   # an untouched concern box is sent as no concern
        errors = ConcernEntrySchema().validate({
            "uuid": str(uuid.uuid4()), "text": text(concern["text"]),
            "immediate_action": text(concern["immediate_action"]) or None,
            "raised_at": datetime.now(timezone.utc).isoformat()})
        if errors:
            return False
    return True


@pytest.mark.parametrize("case", ENTRIES, ids=[case["name"] for case in ENTRIES])
def test_the_server_and_the_phone_agree_on_actions_and_concerns(case, phone):
    assert server_accepts(case) == case["valid"]
    assert phone["visit_entries"][case["name"]] == case["valid"]
