"""The PWA's checker (pwa/js/forms/check.js, run under node) and the server's checker must give
the same result for every fixture: a phone must never call a visit complete that the server then
refuses, nor the other way round."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.services.forms import check_answers

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def js_results():
    node = shutil.which("node")
    if node is None:
        # Not a skip: without node nobody has checked that the two checkers agree.
        pytest.fail("node is not on PATH, so the PWA's form checker cannot be run. Install Node.js 20+.")
    completed = subprocess.run(
        [node, str(HERE / "run_js_checker.mjs"), str(HERE / "fixtures.json")],
        capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, f"the JS checker failed:\n{completed.stderr}"
    return json.loads(completed.stdout)


def test_the_pwa_and_the_server_checks_agree(fixture_case, form_for, js_results):
    server_result = check_answers(form_for(fixture_case), fixture_case["payload"])
    assert js_results[fixture_case["name"]] == server_result
    assert server_result == fixture_case["expected"]
