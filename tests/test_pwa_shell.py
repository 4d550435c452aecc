"""The service worker's list of shell files and its version are made by the server from the
files on disk: any changed file is a new version (phones offer "Update ready"), an unchanged
deploy is the same version, and nothing outside the app's folder is precached or served."""
import json
import re
import shutil

import pytest

from server.config import PROJECT_ROOT

PWA = PROJECT_ROOT / "pwa"


def worker(client):
    source = client.get("/sw.js").get_data(as_text=True)
    version = json.loads(re.search(r"const VERSION = (.+);", source).group(1))
    shell = json.loads(re.search(r"const SHELL = (.+);", source).group(1))
    return version, shell


@pytest.fixture
def app_copy(app, tmp_path):
    """The app served from a copy of `pwa/`, as a deployment would put it."""
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    app.config["PWA_DIR"] = str(copy)
    return copy


def test_every_shell_file_is_listed_and_every_listed_file_is_served(client):
    _, shell = worker(client)
    on_disk = {"/" + path.relative_to(PWA).as_posix()
               for path in PWA.rglob("*") if path.is_file()} - {"/sw.js"}
    assert set(shell) == on_disk | {"/", "/shared_schemas/vocabulary.json"}
    assert "/js/update.js" in shell and "/css/app.css" in shell
    for url in shell:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_an_unchanged_deploy_keeps_the_version_and_a_changed_file_makes_a_new_one(client, app_copy):
    version, _ = worker(client)
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert worker(client)[0] == version   # served again, or by another server of the same deploy

    css = app_copy / "css" / "app.css"
    css.write_text(css.read_text() + "\n/* a new release */\n")
    changed, _ = worker(client)
    assert changed != version

    (app_copy / "js" / "extra.js").write_text("export const added = true;\n")
    added, shell = worker(client)
    assert added != changed and "/js/extra.js" in shell


def test_the_worker_itself_and_hidden_files_are_not_precached(client, app_copy):
    (app_copy / ".DS_Store").write_bytes(b"\0")
    version, shell = worker(client)
    assert "/sw.js" not in shell and "/.DS_Store" not in shell
    (app_copy / ".DS_Store").write_bytes(b"\1")
    assert worker(client)[0] == version


def test_pdf_fonts_are_not_served_to_browsers(client):
    assert client.get("/vendor/dejavu-fonts-2.37/DejaVuSans.ttf").status_code == 404
