#!/usr/bin/python3
"""A WebKitGTK browser for WebKitWebDriver that keeps its profile, as an iPhone's Safari does.

MiniBrowser's automation mode always starts with a throwaway profile, so a browser restart
would lose the phone's IndexedDB, service worker and session cookie. WebKitWebDriver starts
this file instead (capability `webkitgtk:browserOptions`), with `--profile=DIR`; WebKit itself
reads WEBKIT_INSPECTOR_SERVER, which the driver sets, to let the driver in.

Runs under the system Python, which has the WebKitGTK bindings (python3-gi,
gir1.2-webkit2-4.1), not under the project's virtualenv.
"""
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

# Off by default in WebKitGTK, on in Safari: the app asks navigator.storage to keep its data.
FEATURES_ON = ("StorageAPI", "StorageAPIEstimate")
PHONE_SIZE = (390, 844)


def profile_dir(argv):
    for arg in argv:
        if arg.startswith("--profile="):
            return Path(arg.split("=", 1)[1])
    raise SystemExit("webkit_launcher: --profile=DIR is required")


def settings():
    chosen = WebKit2.Settings()
    chosen.set_enable_developer_extras(True)
    features = WebKit2.Settings.get_all_features()
    for index in range(features.get_length()):
        feature = features.get(index)
        if feature.get_identifier() in FEATURES_ON:
            chosen.set_feature_enabled(feature, True)
    return chosen


def main():
    profile = profile_dir(sys.argv[1:])
    profile.mkdir(parents=True, exist_ok=True)
    data = WebKit2.WebsiteDataManager(base_data_directory=str(profile / "data"),
                                      base_cache_directory=str(profile / "cache"))
    # Cookies otherwise live in memory only and the session would end with the browser.
    data.get_cookie_manager().set_persistent_storage(str(profile / "cookies.sqlite"),
                                                     WebKit2.CookiePersistentStorage.SQLITE)
    context = WebKit2.WebContext(website_data_manager=data)
    context.set_automation_allowed(True)
    view_settings = settings()
    windows = []

    def create_web_view(_session):
        view = WebKit2.WebView(web_context=context, settings=view_settings, is_controlled_by_automation=True)
        window = Gtk.Window()
        window.set_default_size(*PHONE_SIZE)
        window.add(view)
        window.show_all()
        windows.append(window)
        view.connect("close", lambda _view: window.destroy())
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("webkit_launcher")
        info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)
    Gtk.main()


if __name__ == "__main__":
    main()
