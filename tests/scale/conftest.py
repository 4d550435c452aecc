"""Fixtures for running at trust and national scale: an S3-compatible object store (moto's
server, over real HTTP on a free loopback port) and the settings that point the app at it."""
import os
import uuid

import pytest

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
