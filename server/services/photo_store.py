"""Where photo files live, behind one small interface: `put(key, data)`, `read(key)`,
`exists(key)`, `delete(key)`. The local folder is the default; keys are made by the server,
never by a client, so no upload can choose a path."""
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")


class LocalPhotoStore:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if not KEY_PATTERN.match(key) or ".." in key:
            raise ValueError(f"bad photo key {key!r}")
        return self.root / key

    def put(self, key, data):
        """Write atomically: a temporary file in the same folder, flushed, then renamed."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def read(self, key):
        return self._path(key).read_bytes()

    def exists(self, key):
        return self._path(key).is_file()

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


def get_photo_store():
    return LocalPhotoStore(current_app.config["PHOTO_DIR"])
