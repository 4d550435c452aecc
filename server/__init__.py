"""The AP visits server. `create_app()` reads as a table of contents: config → extensions →
blueprints → error handlers → CLI. Nothing else happens here."""
import os

from flask import Flask

from server.config import load_config


def create_app(test_config=None):
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.config["DATA_DIR"], exist_ok=True)
    from server import proxies
    proxies.init_app(app)

    from server import models  # noqa: F401  (registers every table before the extensions bind)
    from server.extensions import csrf, db, limiter, login_manager, migrate
    db.init_app(app)
    from server.database import configure_engine
    with app.app_context():
        configure_engine(db.engine, connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT"])
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    from server import input_guard
    input_guard.init_app(app)  # before the CSRF check, which is the first to read a form body
    csrf.init_app(app)
    limiter.init_app(app)

    from server import security  # registers the session loader
    app.after_request(security.note_session_last_use)
    from server.api import api
    from server.health import health
    from server.office import office
    from server.office.nav import url_if_allowed, visible_nav
    from server.pwa_shell import pwa_shell
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(office)
    app.register_blueprint(pwa_shell)
    app.jinja_env.globals.update(visible_nav=visible_nav, url_if_allowed=url_if_allowed)
    from server.vocabulary import label
    app.add_template_filter(label, "label")

    from server import errors, security_headers
    errors.init_app(app)
    security_headers.init_app(app)

    from server import cli
    cli.init_app(app)
    return app
