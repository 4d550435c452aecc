"""Believing the client's address and scheme from the proxies in front of the app.

Sign-in limits are kept per client address. Behind nginx or a load balancer every request
arrives from the proxy, so without this everyone would share one budget. With
`TRUSTED_PROXIES=N`, Werkzeug's ProxyFix takes the address and scheme the last N proxies
appended to `X-Forwarded-For` and `X-Forwarded-Proto`; with 0 (the default) the headers are
ignored, so a client cannot name a fresh address for itself.
"""
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app):
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
