"""CSV exports open cleanly in a spreadsheet (UTF-8 with a BOM, a header row, ISO dates), never
carry a formula from a phone into the office, stream as they are written, and are audited."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rollup.factories import make_action
from server.extensions import db
from server.models import Provider
from server.services.documents import csv_exports
from tests.documents.conftest import audit_rows

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMULAS = ['=HYPERLINK("https://evil.example","Click")', "+44 7700 900123", "-1+2", "@SUM(A1:A9)",
            "\tTabbed note", "\rCarriage return"]


def read_csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, so Excel reads accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_could_run_as_a_formula_is_neutralised(text):
    assert csv_exports.cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Plain words", "2 photos", "Café — £95", "", "A=B"])
def test_ordinary_text_is_left_alone(text):
    assert csv_exports.cell(text) == text


def test_typed_formulas_come_out_neutralised_in_the_export(riverside_record, office_as, demo):
    placement = riverside_record["placement"]
    for number, text in enumerate(FORMULAS):
        make_action(demo.school(), date.today() + timedelta(days=number), placement=placement, description=text,
                    owner="@owner" if number == 0 else "AP leader")
    db.session.commit()
    rows = read_csv(office_as("ap_leader").get("/office/reports/exports/actions.csv", buffered=True))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Action ID", "Action", "Owner", "Due", "State"]
    written = {row[1] for row in body}
    for text in FORMULAS:
        assert "'" + text in written
    assert "'@owner" in {row[2] for row in body}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in body for cell in row)


@pytest.mark.parametrize("name, first_column, date_columns", [
    ("visits", "Visit ID", ["Visit date"]),
    ("actions", "Action ID", ["Due"]),
    ("placements", "Placement ID", ["Date of birth", "Start"]),
    ("provider-checks", "Provider", []),
])
def test_each_export_has_a_header_row_and_iso_dates(riverside_record, office_as, name, first_column, date_columns):
    rows = read_csv(office_as("ap_leader").get(f"/office/reports/exports/{name}.csv", buffered=True))
    header, body = rows[0], rows[1:]
    assert header[0] == first_column
    assert body, name
    assert all(len(row) == len(header) for row in body)
    for column in date_columns:
        index = header.index(column)
        assert all(ISO_DATE.match(row[index]) for row in body), (name, column)


def test_the_visits_export_has_one_row_per_visit(riverside_record, office_as):
    rows = read_csv(office_as("headteacher").get("/office/reports/exports/visits.csv", buffered=True))
    ids = [row[0] for row in rows[1:]]
    assert sorted(ids) == sorted(str(v.uuid) for v in riverside_record["visits"])
    assert {row[2] for row in rows[1:]} == {"Quality-assurance visit"}


def test_providers_without_a_check_in_the_period_still_have_a_row(riverside_record, office_as, demo):
    rows = read_csv(office_as("ap_leader").get("/office/reports/exports/provider-checks.csv", buffered=True))
    names = db.session.execute(sa.select(Provider.name).where(Provider.school_id == demo.school().id)).scalars()
    assert {row[0] for row in rows[1:]} == set(names)
    assert all(row[4] == "No check in this period" for row in rows[1:])


def test_an_export_streams_its_rows(riverside_record, office_as):
    """The response is a stream: the browser's download starts at once and shows progress."""
    response = office_as("ap_leader").client.get("/office/reports/exports/placements.csv")
    assert response.status_code == 200 and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    chunks = list(csv_exports.stream(["A"], ([n] for n in range(2 * csv_exports.BATCH + 1))))
    assert len(chunks) == 4 and chunks[0] == "\ufeffA\r\n"


def test_an_export_is_audited_with_its_period(riverside_record, office_as, demo):
    office_as("admin").get("/office/reports/exports/visits.csv?from=2026-01-01&to=2026-12-31", buffered=True)
    row = audit_rows("export.csv")[-1]
    assert row.actor_id == demo.user("admin").id
    assert row.details == {"export": "visits", "from": "2026-01-01", "to": "2026-12-31"}


def test_an_unknown_export_or_a_bad_period_changes_nothing(riverside_record, office_as):
    client = office_as("ap_leader")
    assert client.get("/office/reports/exports/pupils.csv").status_code == 404
    response = client.get("/office/reports/exports/visits.csv?from=2026-12-01&to=2026-01-01")
    assert response.status_code == 422
    assert "The end date is before the start date." in response.get_data(as_text=True)
    assert audit_rows("export.csv") == []
