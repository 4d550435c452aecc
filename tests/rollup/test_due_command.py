"""`flask due`: what the to-do and each placement record show as due or overdue on a given day,
as a table and as the stable JSON list docs/rollup.md documents, from the same rules."""
import json
import re
from datetime import date, timedelta

import pytest

from server.demo import seed_demo
from server.extensions import db
from server.services.deadlines import KIND_LABELS, POLICY_SECTIONS, placement_due_items
from server.services.todo import HORIZON_DAYS, build_todo
from tests.conftest import PROJECT_ROOT, DemoData

# The demo's term dates and history are laid out around the day it is built: build it on a
# fixed school day, then look from the last day of the autumn term.
BUILT_ON = date(2026, 12, 1)
LAST_DAY_OF_TERM = date(2026, 12, 18)
FIELDS = {"placement_id", "provider_id", "subject", "kind", "label", "due_date", "overdue", "policy_section"}


@pytest.fixture
def fixed_demo(app, england_clock):
    england_clock.set(BUILT_ON)
    seed_demo(with_history=True)
    db.session.commit()
    return DemoData()


def run_due(app, *args):
    return app.test_cli_runner().invoke(args=["due", *args])


def due_json(app, day, urn="990001"):
    result = run_due(app, "--school", urn, "--as-of", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_json_list_has_the_documented_shape_overdue_first_then_by_date(app, fixed_demo):
    items = due_json(app, LAST_DAY_OF_TERM)
    assert items and any(item["overdue"] for item in items) and not all(item["overdue"] for item in items)
    for item in items:
        assert set(item) == FIELDS
        assert (item["placement_id"] is None) != (item["provider_id"] is None)
        assert item["policy_section"] == POLICY_SECTIONS[item["kind"]]
        assert item["overdue"] == (date.fromisoformat(item["due_date"]) < LAST_DAY_OF_TERM)
    assert items == sorted(items, key=lambda i: (not i["overdue"], i["due_date"], i["kind"], i["label"]))


def test_it_lists_what_the_to_do_lists_and_what_falls_due_after_its_horizon(app, fixed_demo):
    items = due_json(app, LAST_DAY_OF_TERM)
    listed = {(i["kind"], i["label"], i["due_date"], i["overdue"]) for i in items}
    todo = build_todo(fixed_demo.school().id, LAST_DAY_OF_TERM)
    on_todo = {(e.due.kind, e.due.label, e.due.due_on.isoformat(), e.due.overdue)
               for group in todo.groups for e in group.items}
    horizon = (LAST_DAY_OF_TERM + timedelta(days=HORIZON_DAYS)).isoformat()
    assert on_todo == {item for item in listed if item[3] or item[2] <= horizon}
    assert any(item[2] > horizon for item in listed), "beyond the to-do's two weeks too"


def test_it_lists_what_each_placement_record_shows(app, fixed_demo):
    items = due_json(app, LAST_DAY_OF_TERM)
    placements = fixed_demo.placements()
    record = placement_due_items(placements, LAST_DAY_OF_TERM)
    for placement in placements:
        shown = {(i["kind"], i["label"], i["due_on"].isoformat(), i["overdue"]) for i in record[placement.id]}
        listed = {(i["kind"], i["label"], i["due_date"], i["overdue"]) for i in items
                  if i["placement_id"] == str(placement.uuid)
                  or (i["provider_id"] and placement.provider and i["provider_id"] == str(placement.provider.uuid))}
        assert shown <= listed, placement.kind


def test_the_date_decides_what_is_overdue(app, fixed_demo):
    before = {(i["kind"], i["label"]): i for i in due_json(app, LAST_DAY_OF_TERM)}
    after = {(i["kind"], i["label"]): i for i in due_json(app, date(2027, 1, 4))}
    passed = [key for key, item in before.items()
              if not item["overdue"] and item["due_date"] < "2027-01-04" and key in after]
    assert passed and all(after[key]["overdue"] for key in passed)


def test_the_table_shows_each_item_with_its_section_and_the_counts(app, fixed_demo):
    items = due_json(app, LAST_DAY_OF_TERM)
    result = run_due(app, "--school", "990001", "--as-of", LAST_DAY_OF_TERM.isoformat())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    overdue = sum(1 for i in items if i["overdue"])
    assert lines[0] == f"Riverside Academy (URN 990001) on 2026-12-18: {len(items)} due, {overdue} overdue."
    rows = lines[2:]
    assert len(rows) == len(items)
    for row, item in zip(rows, items):
        assert row.startswith(item["due_date"]) and item["policy_section"] in row and item["label"] in row
        assert ("OVERDUE" in row) == item["overdue"]


def test_another_school_lists_only_its_own(app, fixed_demo):
    riverside = {i["placement_id"] for i in due_json(app, LAST_DAY_OF_TERM) if i["placement_id"]}
    hillcrest = {i["placement_id"] for i in due_json(app, LAST_DAY_OF_TERM, urn="990002") if i["placement_id"]}
    assert riverside and hillcrest and not riverside & hillcrest
    assert riverside <= {str(p.uuid) for p in fixed_demo.placements("riverside")}


@pytest.mark.parametrize("args", [["--school", "000000"], ["--school", "990001", "--as-of", "18/12/2026"],
                                  ["--school", "990001", "--as-of", "2026-02-30"]])
def test_an_unknown_school_or_a_bad_date_is_refused(app, fixed_demo, args):
    result = run_due(app, *args)
    assert result.exit_code != 0 and not result.output.lstrip().startswith("[")


def test_every_due_kind_has_its_policy_section_as_docs_rollup_states_it():
    table = (PROJECT_ROOT / "docs" / "rollup.md").read_text(encoding="utf-8")
    documented = {kind: source.strip() for kind, source in
                  re.findall(r"^\| [^|]*\(`([a-z_]+)`\) \|[^\n]*\| ([^|\n]+) \|$", table, flags=re.M)}
    assert set(POLICY_SECTIONS) == set(KIND_LABELS) == set(documented)
    assert POLICY_SECTIONS == documented
