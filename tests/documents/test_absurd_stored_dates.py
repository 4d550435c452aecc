"""A date or time already in the database at either end of the calendar (year 1, year 9999)
never stops a document: the placement record as a PDF and as a printable page, the visit PDF and
the CSV exports are all produced, with the value written out."""
import pytest

from office_review.scenario import ABSURD, absurd_dates_stored, qa_visit_with_concern
from tests.documents.conftest import pdf_text

# Year 1 cannot be moved into UK time, so it is written as the ISO text stored; 31 December 9999
# is in GMT, so it is written as usual.
PHONE_TIME_WRITTEN = {"year 1": "0001-01-01T00:00:00+00:00", "year 9999": "31 Dec 9999, 23:59"}


@pytest.fixture(params=sorted(ABSURD))
def absurd_visit(request, demo, staff):
    """(placement, visit uuid, end): a QA visit with a concern and an action, synced from the
    phone, whose dates were then moved to one end of the calendar."""
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(staff, placement)
    absurd_dates_stored(visit_uuid, request.param)
    return placement, visit_uuid, request.param


def produced(client, path, mimetype):
    response = client.get(path, buffered=True)
    assert response.status_code == 200, path
    assert response.mimetype == mimetype
    return response


def test_the_record_pdf_writes_the_phones_time(absurd_visit, office_as):
    placement, _, end = absurd_visit
    data = produced(office_as("dsl"), f"/office/placements/{placement.uuid}/record.pdf", "application/pdf").data
    assert PHONE_TIME_WRITTEN[end] in " ".join(pdf_text(data).split())


def test_the_printable_record_writes_the_phones_time(absurd_visit, office_as):
    placement, _, end = absurd_visit
    page = produced(office_as("dsl"), f"/office/placements/{placement.uuid}/record/print", "text/html")
    assert PHONE_TIME_WRITTEN[end] in page.get_data(as_text=True)


def test_the_visit_pdf_writes_the_phones_time(absurd_visit, office_as):
    _, visit_uuid, end = absurd_visit
    data = produced(office_as("dsl"), f"/office/visits/{visit_uuid}/visit.pdf", "application/pdf").data
    assert PHONE_TIME_WRITTEN[end] in " ".join(pdf_text(data).split())


@pytest.mark.parametrize("name", ["visits", "actions"])
def test_the_csv_exports_write_the_iso_date(absurd_visit, office_as, name):
    _, _, end = absurd_visit
    day = ABSURD[end][1]
    period = f"from={day.replace(month=1, day=1).isoformat()}&to={day.replace(month=12, day=31).isoformat()}"
    response = produced(office_as("ap_leader"), f"/office/reports/exports/{name}.csv?{period}", "text/csv")
    assert day.isoformat() in response.get_data(as_text=True)
