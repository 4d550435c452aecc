"""Nothing is lost and nothing doubles under real conditions: many phones racing on one UUID,
and a server killed mid-request. Real gunicorn (two workers), real HTTP, real database."""
import http.client
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from server.extensions import db
from server.models import Photo, Visit, VisitVersion
from tests import payloads
from tests.conftest import LiveServer

TCP_ESTABLISHED = "01"  # the state column of /proc/net/tcp


def signed_in(base_url, email="visiting.staff@riverside.example"):
    session = requests.Session()
    token = session.get(base_url + "/api/csrf").json()["csrf_token"]
    response = session.post(base_url + "/api/session", headers={"X-CSRFToken": token},
                            json={"email": email, "password": "demo-password-2026"})
    assert response.status_code == 200
    session.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return session


@pytest.fixture
def two_worker_server(app, demo, database_uri, tmp_path):
    server = LiveServer(database_uri, tmp_path, workers=2).start()
    yield server
    server.stop()


def unread_bytes_per_connection(port):
    """For each open TCP connection to 127.0.0.1:`port`, the bytes its client has sent that the
    server has not read yet: still in the client's send queue or in the server's receive queue
    (the kernel's own counts, from /proc/net/tcp)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == TCP_ESTABLISHED:
            send_queue, receive_queue = (int(n, 16) for n in fields[4].split(":"))
            rows.append((int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), send_queue,
                         receive_queue))
    unsent = {local: send for local, remote, send, _ in rows if remote == port}
    return [receive + unsent.get(remote, 0) for local, remote, _, receive in rows if local == port]


def wait_until_server_has_read_everything_sent(port, within_seconds=30):
    """Until the one open connection to the server has nothing left unread: a worker has accepted
    it and read the headers and the body so far, and is waiting for the rest."""
    deadline = time.monotonic() + within_seconds
    while time.monotonic() < deadline:
        if unread_bytes_per_connection(port) == [0]:
            return
        time.sleep(0.01)
    raise AssertionError(f"the server did not read the upload: {unread_bytes_per_connection(port)}")


def counts():
    db.session.rollback()  # a fresh snapshot: the server wrote in other processes
    return tuple(db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
                 for model in (Visit, VisitVersion, Photo))


def test_the_same_visit_sent_concurrently_many_times_is_stored_once(two_worker_server, demo):
    image = payloads.jpeg_bytes()
    entry = payloads.manifest_entry(image)
    body = payloads.qa_visit(demo.placements()[0].uuid, photos=[entry], concern=payloads.concern())
    visit_id = str(uuid.uuid4())
    sessions = [signed_in(two_worker_server.url) for _ in range(4)]
    url = f"{two_worker_server.url}/api/visits/{visit_id}"

    def send(index):
        return sessions[index % len(sessions)].put(url, json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(send, range(24)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and statuses.count(200) == 23, [(r.status_code, r.text[:200]) for r in responses if r.status_code not in (200, 201)]
    assert len({r.json()["received_at"] for r in responses}) == 1

    photo_url = f"{url}/photos/{entry['uuid']}"
    headers = {"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]}
    with ThreadPoolExecutor(max_workers=8) as pool:
        photo_responses = list(pool.map(
            lambda i: sessions[i % len(sessions)].put(photo_url, data=image, headers=headers, timeout=60), range(16)))
    assert all(r.status_code in (200, 201) for r in photo_responses)
    assert [r.json()["complete"] for r in photo_responses].count(True) == 16
    assert counts() == (1, 1, 1)


def test_a_server_killed_mid_upload_keeps_what_it_acknowledged_and_half_of_nothing(app, demo, database_uri, tmp_path):
    server = LiveServer(database_uri, tmp_path).start()
    try:
        session = signed_in(server.url)
        images = [payloads.jpeg_bytes(1600, 1200, colour=(10 * i, 80, 160)) for i in range(2)]
        entries = [payloads.manifest_entry(image) for image in images]
        visit_id = str(uuid.uuid4())
        url = f"{server.url}/api/visits/{visit_id}"
        receipt = session.put(url, json=payloads.qa_visit(demo.placements()[0].uuid, photos=entries))
        assert receipt.status_code == 201
        first = session.put(f"{url}/photos/{entries[0]['uuid']}", data=images[0],
                            headers={"Content-Type": "image/jpeg", "X-Content-SHA256": entries[0]["sha256"]})
        assert first.status_code == 201

        # Half the second photo's body is sent, then the phone holds the rest back (http.client,
        # because requests adds "Transfer-Encoding: chunked" beside a streamed body's Content-Length,
        # which the server refuses at once). When the server has read all it was sent, it is
        # inside the upload: kill it there.
        upload = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        upload.putrequest("PUT", f"/api/visits/{visit_id}/photos/{entries[1]['uuid']}", skip_accept_encoding=True)
        for name, value in {"Content-Type": "image/jpeg", "Content-Length": str(len(images[1])),
                            "X-Content-SHA256": entries[1]["sha256"], "X-CSRFToken": session.headers["X-CSRFToken"],
                            "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies)}.items():
            upload.putheader(name, value)
        upload.endheaders()
        upload.send(images[1][:len(images[1]) // 2])
        wait_until_server_has_read_everything_sent(server.port)
        server.kill()
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            upload.getresponse()  # no answer came: the server died mid-body
        upload.close()

        server.start()
        state = session.get(url).json()
        assert state["complete"] is False and state["missing_photos"] == [entries[1]["uuid"]]
        assert counts() == (1, 1, 2)
        db.session.rollback()
        stored = {str(p.uuid): p.stored_at for p in db.session.execute(sa.select(Photo)).scalars()}
        assert stored[entries[0]["uuid"]] is not None and stored[entries[1]["uuid"]] is None

        retry = session.put(f"{url}/photos/{entries[1]['uuid']}", data=images[1],
                            headers={"Content-Type": "image/jpeg", "X-Content-SHA256": entries[1]["sha256"]})
        assert retry.status_code == 201 and retry.json()["complete"] is True
        assert counts() == (1, 1, 2)
    finally:
        server.stop()


def test_office_pages_that_audit_reads_and_phones_syncing_at_once_never_fail(two_worker_server, demo):
    office = requests.Session()
    token = office.get(two_worker_server.url + "/api/csrf").json()["csrf_token"]
    office.post(two_worker_server.url + "/office/sign-in",
                data={"email": "dsl@riverside.example", "password": "demo-password-2026", "csrf_token": token})
    phone = signed_in(two_worker_server.url)
    placement = demo.placements()[0]
    record = f"{two_worker_server.url}/office/placements/{placement.uuid}/record"

    def read(_):
        return office.get(record, timeout=60).status_code

    def sync(_):
        body = payloads.qa_visit(placement.uuid, concern=payloads.concern())
        return phone.put(f"{two_worker_server.url}/api/visits/{uuid.uuid4()}", json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        reads = pool.map(read, range(20))
        syncs = pool.map(sync, range(20))
        statuses = list(reads) + list(syncs)
    assert statuses.count(200) == 20 and statuses.count(201) == 20, statuses
