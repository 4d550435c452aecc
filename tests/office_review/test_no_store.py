"""Nothing that carries pupil or safeguarding data may be kept by a browser's or a proxy's cache
(`Cache-Control: no-store`): a shared office computer's history and disk cache must not hold a
record after its reader signs out. The phone app's shell and the office's stylesheet and script
hold no pupil data and keep their own caching (the service worker relies on it)."""
import sqlalchemy as sa

from server.extensions import db
from server.models import SafeguardingConcern
from tests.office_review.scenario import qa_visit_with_concern


def test_office_pages_and_api_answers_with_pupil_data_are_never_stored(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement)
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    leader = office_as("ap_leader")
    for path in ("/office/", "/office/review", f"/office/review/{visit_uuid}", "/office/concerns",
                 f"/office/concerns/{concern.uuid}", f"/office/placements/{placement.uuid}/record",
                 f"/office/providers/{placement.provider.uuid}/record", "/office/pupils",
                 f"/office/placements/{placement.uuid}/record.pdf", "/office/reports/exports/visits.csv"):
        response = leader.get(path, buffered=True)   # the CSV export streams
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
    for path in ("/api/bootstrap", "/api/me", f"/api/visits/{visit_uuid}"):
        response = phone.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path


def test_the_app_shell_and_office_assets_keep_their_caching(client):
    for path in ("/", "/sw.js", "/js/api.js", "/manifest.webmanifest", "/shared_schemas/vocabulary.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-cache", path   # revalidated, and cached by the service worker
    for path in ("/office/static/office.css", "/office/static/office.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        response.close()
