"""Flask extensions, created unbound; `create_app()` binds each one to the app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from server.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: memory for one process, Redis when several
# gunicorn workers or servers must share the counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
