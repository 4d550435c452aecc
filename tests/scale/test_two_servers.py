"""Two app servers behind one load balancer keep nothing in their own process that the other
would miss: sessions are database rows, the cookie is signed with the shared SECRET_KEY, visits
are in the shared database and photos in the shared store (a folder both can see, or S3)."""
import uuid

import pytest
import requests

from server.services.sealed_secrets import development_key
from tests import payloads
from tests.conftest import LiveServer, sign_in_over_http

SHARED_SECRET = "two-servers-share-this-secret-key-0123456789"


@pytest.fixture(params=["local_folder", "s3"])
def store_env(request):
    """The photo store both servers share: one folder on shared disk, or one S3 bucket."""
    if request.param == "local_folder":
        return {"PHOTO_STORE": "local"}
    return request.getfixturevalue("s3_settings")


@pytest.fixture
def two_servers(app, demo, database_uri, tmp_path, store_env):
    # The demo's authenticator secrets were sealed with the test app's key: both servers share it,
    # as every server of a deployment shares MFA_ENCRYPTION_KEY.
    env = {"SECRET_KEY": SHARED_SECRET, "MFA_ENCRYPTION_KEY": development_key(app.config["SECRET_KEY"]), **store_env}
    servers = []
    try:
        for _ in range(2):
            servers.append(LiveServer(database_uri, tmp_path, extra_env=env).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def _sign_in(http, server, email):
    response = sign_in_over_http(http, server.url, email)
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def test_a_phone_signed_in_on_one_server_syncs_on_the_other_and_reads_on_either(two_servers, demo):
    first, second = two_servers
    phone = requests.Session()  # cookies are per host, not per port: both servers get the cookie
    csrf = _sign_in(phone, first, demo.email("visiting_staff"))

    image = payloads.jpeg_bytes(1600, 1200, colour=(30, 140, 90))
    entry = payloads.manifest_entry(image)
    visit_id = str(uuid.uuid4())
    sent = phone.put(f"{second.url}/api/visits/{visit_id}", headers={"X-CSRFToken": csrf}, timeout=30,
                     json=payloads.qa_visit(demo.placements()[0].uuid, photos=[entry]))
    assert sent.status_code == 201, sent.text
    assert sent.json()["missing_photos"] == [entry["uuid"]]
    photo = phone.put(f"{second.url}/api/visits/{visit_id}/photos/{entry['uuid']}", data=image, timeout=30,
                      headers={"X-CSRFToken": csrf, "Content-Type": "image/jpeg",
                               "X-Content-SHA256": payloads.sha256(image)})
    assert photo.status_code == 201, photo.text

    receipts = [phone.get(f"{server.url}/api/visits/{visit_id}", timeout=10).json() for server in two_servers]
    assert receipts[0] == receipts[1]
    assert receipts[0]["complete"] is True and receipts[0]["missing_photos"] == []
    snapshots = [phone.get(f"{server.url}/api/bootstrap", timeout=10).json() for server in two_servers]
    assert snapshots[0]["cursor"] == snapshots[1]["cursor"]
    for snapshot in snapshots:
        assert [visit["id"] for visit in snapshot["my_visits"]] == [visit_id]
    # The same cursor and day mean "unchanged" on the other server too: the cursor lives in the database.
    held = {"since": snapshots[1]["cursor"], "due_as_of": snapshots[1]["due_as_of"]}
    unchanged = phone.get(f"{first.url}/api/bootstrap", params=held, timeout=10)
    assert unchanged.json()["unchanged"] is True

    # The AP leader, signed in on the second server, sees the photo streamed by the first.
    office = requests.Session()
    _sign_in(office, second, demo.email("ap_leader"))
    streamed = office.get(f"{first.url}/office/photos/{entry['uuid']}/full", timeout=10, allow_redirects=False)
    assert streamed.status_code == 200 and streamed.headers["Content-Type"] == "image/jpeg"
    assert streamed.content[:3] == b"\xff\xd8\xff" and streamed.headers["Cache-Control"] == "private, no-store"

    # Signing out on one server ends the session on both, even for a copy of the old cookie.
    old_cookie = phone.cookies.copy()
    assert phone.delete(f"{first.url}/api/session", headers={"X-CSRFToken": csrf}, timeout=10).status_code == 204
    for server in two_servers:
        replay = requests.get(f"{server.url}/api/visits/{visit_id}", cookies=old_cookie, timeout=10)
        assert replay.status_code == 401
