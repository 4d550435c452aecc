"""Fixtures for running at trust and national scale: an S3-compatible object store (moto's
server, over real HTTP on a free loopback port) and the settings that point the app at it; a
small and a large school side by side, for the office lists."""
import os
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.dates import school_today
from server.dev.synthetic import Size, synthesize
from server.extensions import db
from server.models import Provider, Pupil, School, Visit

from tests.conftest import free_port

# moto accepts any credentials; boto3 needs some to sign requests. Set for this process and
# handed to every gunicorn the tests start.
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "scale-tests", "AWS_SECRET_ACCESS_KEY": "scale-tests-secret"}
S3_REGION = "eu-west-2"


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server, running for the whole test session."""
    from moto.server import ThreadedMotoServer
    saved = {name: os.environ.get(name) for name in S3_CREDENTIALS}
    os.environ.update(S3_CREDENTIALS)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def s3_settings(s3_endpoint):
    """A fresh, empty bucket; the settings (as environment variables) that name it."""
    from server.services.photo_store import make_s3_client
    bucket = f"ap-photos-{uuid.uuid4().hex[:12]}"
    make_s3_client(endpoint_url=s3_endpoint, region=S3_REGION).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return {"PHOTO_STORE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": S3_REGION,
            "S3_PREFIX": "photos", **S3_CREDENTIALS}


@pytest.fixture
def s3_store(s3_settings):
    from server.services.photo_store import store_from_settings
    return store_from_settings(s3_settings)


EXTRA_PUPILS = 220
EXTRA_PROVIDERS = 55


def _school(size):
    return db.session.execute(sa.select(School).where(School.name.like("Synthetic School %"))
                              .order_by(School.id.desc() if size == "large" else School.id)).scalars().first()


@pytest.fixture
def schools(app):
    """A small school (4 placements) and a large one (80 placements of 25 visits; 300 pupils,
    60 providers; a month of visits awaiting review): {"small": School, "large": School}."""
    synthesize(Size(schools=1, placements_per_school=4, visits_per_placement=25), seed=11)
    synthesize(Size(schools=1, placements_per_school=80, visits_per_placement=25), seed=12)
    large = _school("large")
    db.session.add_all(Pupil(school_id=large.id, first_name=f"Extra{n:03d}", last_name=("Ainsworth", "Zed")[n % 2],
                             year_group=7 + n % 5, date_of_birth=date(2012, 1 + n % 12, 1 + n % 28),
                             mis_id=f"X{n:04d}", ehcp=n % 7 == 0) for n in range(EXTRA_PUPILS))
    db.session.add_all(Provider(school_id=large.id, name=f"Extra Provider {n:02d}", full_time_pupils=0,
                                registration_status=("registered_other", "unregistered")[n % 2])
                       for n in range(EXTRA_PROVIDERS))
    # A month's backlog waiting for review, so the review queue spans pages.
    db.session.execute(sa.update(Visit).where(
        Visit.school_id == large.id, Visit.visit_date >= school_today() - timedelta(days=30),
        Visit.review_status == "signed_off").values(review_status="awaiting_review", reviewed_by_id=None,
                                                  reviewed_at=None))
    db.session.commit()
    return {"small": _school("small"), "large": large}
