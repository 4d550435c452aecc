"""The form definitions in shared_schemas/forms: they load, every visit kind has one, keys are
unique, published versions never change, and a broken definition is refused with a clear message."""
import copy
import hashlib
import json
import re
from pathlib import Path

import pytest

from server import vocabulary
from server.services import forms

HERE = Path(__file__).resolve().parent
PUBLISHED = json.loads((HERE / "published_hashes.json").read_text(encoding="utf-8"))["hashes"]
DEFINITION_FILES = sorted(forms.FORMS_DIR.glob("*/v*.json"))


def _sha256(path):
    # Normalised line endings, so a Windows checkout does not look like an edit.
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _name(path):
    return path.relative_to(forms.FORMS_DIR).as_posix()


def test_every_definition_loads():
    loaded = forms.load_forms()
    assert sorted(f"{form_id}/v{version}.json" for form_id, version in loaded) == [_name(p) for p in DEFINITION_FILES]


def test_forms_are_read_once_and_cached():
    assert forms.load_forms() is forms.load_forms()


def test_every_visit_kind_has_a_form_of_the_same_name():
    current = {form["form_id"]: form for form in forms.current_forms()}
    for kind in vocabulary.VISIT_KINDS:
        assert kind in current, f"no form for visit kind {kind}"
        assert current[kind]["visit_kind"] == kind


def test_forms_only_allow_known_visit_modes():
    for form in forms.all_forms():
        assert set(form["modes"]) <= set(vocabulary.VISIT_MODES), form["form_id"]


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=_name)
def test_every_item_key_is_unique_in_its_form(path):
    # Read the raw file, so this holds even if the loader's own check were wrong.
    form = json.loads(path.read_text(encoding="utf-8"))
    keys = [item["key"] for section in form["sections"] for item in section["items"]]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=_name)
def test_a_published_form_version_never_changes(path):
    assert _name(path) in PUBLISHED, (
        f"{_name(path)} has no recorded hash: add it to tests/forms/published_hashes.json when publishing")
    assert _sha256(path) == PUBLISHED[_name(path)], (
        f"{_name(path)} was edited after it was published. Put it back and add the change as a new version file.")


def test_no_published_form_version_has_been_deleted():
    assert sorted(PUBLISHED) == [_name(p) for p in DEFINITION_FILES]


def test_labels_and_help_are_short_enough_for_a_phone():
    for form in forms.all_forms():
        for item in forms.form_items(form):
            assert len(item["label"]) <= 80, item["key"]
            assert len(item.get("help", "")) <= 200, item["key"]


def test_every_form_ends_by_asking_about_a_safeguarding_concern():
    for form in forms.current_forms():
        last = forms.form_items(form)[-1]
        assert last["key"] == "concern_raised" and last["requires"]["concern"] == ["yes"], form["form_id"]


def test_premises_items_on_a_provider_check_need_photos_and_only_show_in_person():
    form = forms.get_form("provider_check", 1)
    premises = next(section for section in form["sections"] if section["key"] == "premises")["items"]
    assert len(premises) >= 6
    for item in premises:
        assert item["show_if"] == {"item": "@mode", "in": ["in_person"]}, item["key"]
        if item["type"] != "photo":
            assert item["requires"]["photo"], item["key"]


def test_get_form_returns_none_for_an_unknown_form_or_version():
    assert forms.get_form("qa_visit", 1)["form_id"] == "qa_visit"
    assert forms.get_form("qa_visit", 999) is None
    assert forms.get_form("tea_break", 1) is None


def test_callers_cannot_change_the_cached_definitions():
    with pytest.raises(TypeError):
        forms.get_form("qa_visit", 1)["title"] = "Changed"
    with pytest.raises(TypeError):
        forms.get_form("qa_visit", 1)["modes"].append("by_pigeon")
    assert forms.get_form("qa_visit", 1)["title"] == "Quality-assurance visit"


def test_older_versions_stay_available_while_new_visits_use_the_latest(tmp_path, monkeypatch):
    v1 = json.loads((forms.FORMS_DIR / "qa_visit" / "v1.json").read_text(encoding="utf-8"))
    v2 = copy.deepcopy(v1)
    v2["version"] = 2
    v2["title"] = "Quality-assurance visit (new)"
    (tmp_path / "qa_visit").mkdir()
    (tmp_path / "qa_visit" / "v1.json").write_text(json.dumps(v1), encoding="utf-8")
    (tmp_path / "qa_visit" / "v2.json").write_text(json.dumps(v2), encoding="utf-8")
    monkeypatch.setattr(forms, "FORMS_DIR", tmp_path)

    assert [form["version"] for form in forms.current_forms()] == [2]
    assert [form["version"] for form in forms.all_forms()] == [1, 2]
    assert forms.get_form("qa_visit", 1)["title"] == "Quality-assurance visit"


def test_the_test_only_definitions_in_the_fixtures_are_valid(fixture_cases):
    for case in fixture_cases:
        if "definition" in case:
            forms.check_definition(case["definition"], case["name"])


def _qa_form():
    return json.loads((forms.FORMS_DIR / "qa_visit" / "v1.json").read_text(encoding="utf-8"))


def _item(form, key):
    return next(item for item in forms.form_items(form) if item["key"] == key)


def _duplicate_key(form):
    _item(form, "findings")["key"] = "spoke_with_staff"


def _unknown_type(form):
    _item(form, "findings")["type"] = "essay"


def _show_if_looks_forward(form):
    _item(form, "spoke_with_staff")["show_if"] = {"item": "findings_agreed", "in": ["yes"]}
    form["sections"][-1]["items"].append({"key": "findings_agreed", "type": "yes_no", "label": "Agreed?"})


def _show_if_names_a_missing_item(form):
    _item(form, "pupil_voice")["show_if"] = {"item": "spoke_to_pupil", "in": ["yes"]}


def _show_if_value_not_an_option(form):
    _item(form, "pupil_voice")["show_if"] = {"item": "spoke_with_pupil", "in": ["maybe"]}


def _show_if_mode_not_allowed(form):
    _item(form, "pupil_voice")["show_if"] = {"item": "@mode", "in": ["phone"]}


def _requires_value_not_an_option(form):
    _item(form, "spoke_with_pupil")["requires"]["note"] = ["No"]


def _requires_on_a_text_item(form):
    _item(form, "findings")["requires"] = {"note": ["yes"]}


def _choice_without_options(form):
    _item(form, "spoke_with_staff")["type"] = "choice"


def _unknown_visit_kind(form):
    form["visit_kind"] = "home_tutoring"


def _unknown_item_field(form):
    _item(form, "findings")["placeholder"] = "Type here"


@pytest.mark.parametrize("breakage, message", [
    (_duplicate_key, "'spoke_with_staff': the key is used twice"),
    (_unknown_type, "unknown type 'essay'"),
    (_show_if_looks_forward, "earlier yes/no, rating or choice item (found 'findings_agreed')"),
    (_show_if_names_a_missing_item, "(found 'spoke_to_pupil')"),
    (_show_if_value_not_an_option, "show_if.in must list values from yes, no"),
    (_show_if_mode_not_allowed, "show_if.in must list values from in_person"),
    (_requires_value_not_an_option, "requires.note must list values from yes, no"),
    (_requires_on_a_text_item, "requires is only allowed on"),
    (_choice_without_options, "options must be a non-empty list"),
    (_unknown_visit_kind, "visit_kind 'home_tutoring' is not one of"),
    (_unknown_item_field, "unknown fields placeholder"),
])
def test_a_broken_definition_is_refused_with_a_clear_message(breakage, message):
    form = _qa_form()
    breakage(form)
    with pytest.raises(forms.FormDefinitionError, match="^qa_visit/v1.json: .*" + re.escape(message)):
        forms.check_definition(form, "qa_visit/v1.json")


def test_a_broken_definition_file_stops_loading(tmp_path):
    form = _qa_form()
    _duplicate_key(form)
    (tmp_path / "qa_visit").mkdir()
    (tmp_path / "qa_visit" / "v1.json").write_text(json.dumps(form), encoding="utf-8")
    with pytest.raises(forms.FormDefinitionError, match="qa_visit/v1.json: .*used twice"):
        forms.load_forms(tmp_path)


def test_a_definition_in_the_wrong_file_is_refused(tmp_path):
    (tmp_path / "qa_visit").mkdir()
    (tmp_path / "qa_visit" / "v2.json").write_text(json.dumps(_qa_form()), encoding="utf-8")
    with pytest.raises(forms.FormDefinitionError, match="must match the folder and file name"):
        forms.load_forms(tmp_path)


def test_a_definition_that_is_not_json_is_refused(tmp_path):
    (tmp_path / "qa_visit").mkdir()
    (tmp_path / "qa_visit" / "v1.json").write_text("{", encoding="utf-8")
    with pytest.raises(forms.FormDefinitionError, match="qa_visit/v1.json: not valid JSON"):
        forms.load_forms(tmp_path)
