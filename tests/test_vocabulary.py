"""One vocabulary: codes and their labels live in shared_schemas/vocabulary.json, read by the
server (server/vocabulary.py, the `label` filter) and the phone (js/labels.js), and nowhere else."""
import re

from flask import render_template_string

from server.vocabulary import (ANSWER_LABELS, OPEN_PLACEMENT_STATUSES, PLACEMENT_STATUSES, codes, label,
                               labels)
from tests.conftest import PROJECT_ROOT

# The shapes the copies took: the open statuses as a tuple, the yes/no/n.a. labels, a mode's label.
COPIES = re.compile(r"""\(["']planned["'], ["']active["']\)|["']N/A["']|Phone call|Online meeting""")


def copies_under(*folders):
    for folder in folders:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".js", ".html"}:
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                    if COPIES.search(line):
                        yield f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"


def test_codes_and_labels_are_written_once():
    found = list(copies_under("server", "pwa/js"))
    assert not found, "read these from shared_schemas/vocabulary.json instead:\n" + "\n".join(found)


def test_open_statuses_and_answer_labels_come_from_the_shared_file():
    assert OPEN_PLACEMENT_STATUSES == ("planned", "active")
    assert set(OPEN_PLACEMENT_STATUSES) <= set(PLACEMENT_STATUSES)
    assert ANSWER_LABELS == {"yes": "Yes", "no": "No", "na": "N/A"}
    assert "$comment" not in codes("answer_options") and "$comment" not in labels("limits")


def test_the_label_filter_writes_a_codes_label_as_the_phone_does(app):
    assert render_template_string('{{ "phone"|label("visit_modes") }}') == "Phone call"
    assert render_template_string('{{ "in_person"|label("visit_modes") }}') == "In person"
    # An unknown code is made readable, the same rule as labels.js label().
    assert label("home_tutor", "visit_modes") == "home tutor"
    assert label(None, "visit_modes") == ""
