"""The server's answer checker (server.services.forms.check_answers) against the shared
fixtures, plus a few rules spelled out as their own tests."""
import copy
from collections import Counter

from server.services.forms import ERROR_CODES, check_answers, get_form, visible_item_keys


def test_the_server_checker_returns_exactly_the_expected_errors(fixture_case, form_for):
    assert check_answers(form_for(fixture_case), fixture_case["payload"]) == fixture_case["expected"]


def test_every_form_has_several_valid_and_several_invalid_fixtures(fixture_cases):
    valid = Counter(case["form"] for case in fixture_cases if "form" in case and not case["expected"])
    invalid = Counter(case["form"] for case in fixture_cases if "form" in case and case["expected"])
    for form_id in ("provider_check", "qa_visit", "welfare_check", "review_meeting", "part_time_review",
                    "flexi_review"):
        assert valid[f"{form_id}/v1"] >= 2, form_id
        assert invalid[f"{form_id}/v1"] >= 3, form_id


def test_fixtures_expect_only_known_error_codes_in_sorted_order(fixture_cases):
    for case in fixture_cases:
        for codes in case["expected"].values():
            assert set(codes) <= set(ERROR_CODES), case["name"]
            assert codes == sorted(set(codes)), case["name"]


def _valid_payload(fixture_cases, name):
    return copy.deepcopy(next(case["payload"] for case in fixture_cases if case["name"] == name))


def test_a_no_to_seeing_the_child_requires_a_note(fixture_cases):
    form = get_form("welfare_check", 1)
    payload = _valid_payload(fixture_cases, "welfare_check: a home visit where the child was seen and safe is valid")
    payload["answers"]["child_seen"] = {"value": "no"}
    payload["actions"] = [{"uuid": "a1", "item_key": "child_seen"}]
    assert check_answers(form, payload) == {"child_seen": ["note_required"]}

    payload["answers"]["child_seen"]["note"] = "Curtains drawn, nobody answered."
    assert check_answers(form, payload) == {}


def test_a_raised_concern_item_needs_the_concern_itself(fixture_cases):
    form = get_form("qa_visit", 1)
    payload = _valid_payload(fixture_cases, "qa_visit: a complete visit is valid")
    payload["answers"]["concern_raised"] = {"value": "yes"}
    assert check_answers(form, payload) == {"concern_raised": ["concern_required"]}

    payload["concern"] = {"text": "Pupil disclosed something at lunch."}
    assert check_answers(form, payload) == {}


def test_premises_are_only_asked_about_on_an_in_person_check():
    form = get_form("provider_check", 1)
    premises = {"site_security", "fire_safety", "toilets_washing", "protective_equipment", "catering",
                "general_condition", "other_premises_photos"}
    assert premises <= visible_item_keys(form, {"mode": "in_person", "answers": {}})
    for mode in ("phone", "online"):
        shown = visible_item_keys(form, {"mode": mode, "answers": {}})
        assert not premises & shown
        assert "online_only_provider" in shown


def test_a_hidden_item_is_not_required_and_may_not_be_answered(fixture_cases):
    form = get_form("flexi_review", 1)
    payload = _valid_payload(fixture_cases, "flexi_review: a review that continues the agreement is valid")
    payload["answers"]["agreement_decision"] = {"value": "end", "note": "Family moving away."}
    payload["actions"] = [{"uuid": "a1", "item_key": "agreement_decision"}]
    assert check_answers(form, payload) == {"next_review_date": ["hidden_item_answered"]}

    del payload["answers"]["next_review_date"]
    assert check_answers(form, payload) == {}
