"""Behind a TLS proxy: X-Forwarded-* are trusted only as configured
(ONEGRID_PROXIES), and then external URLs and redirects follow them."""

from __future__ import annotations

import pytest

from onegrid.errors import UsageError

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "grid.example.cn",
    "X-Forwarded-Prefix": "/grid",
}


def endpoint(client) -> str:
    discovery = client.get("/open311/v2/discovery.json", headers=FORWARDED).get_json()
    return discovery["endpoints"][0]["url"]


def test_behind_one_proxy_discovery_and_redirects_say_https(app_factory):
    client = app_factory(ONEGRID_PROXIES=1).test_client()
    assert endpoint(client) == "https://grid.example.cn/grid/open311/v2"
    r = client.get("/", headers=FORWARDED)
    assert r.status_code == 302
    # relative, under the proxy's prefix: the browser resolves it on https://grid.example.cn
    assert r.headers["Location"].startswith("/grid/auth/login?next=")


def test_without_a_proxy_the_headers_are_not_believed(app_factory, monkeypatch):
    monkeypatch.delenv("ONEGRID_PROXIES", raising=False)
    client = app_factory().test_client()
    assert endpoint(client) == "http://localhost/open311/v2"
    assert client.get("/", headers=FORWARDED).headers["Location"].startswith("/auth/login")


def test_a_bad_proxy_count_is_a_usage_error(app_factory):
    with pytest.raises(UsageError) as caught:
        app_factory(ONEGRID_PROXIES="one")
    assert caught.value.problems[0].code == "proxies-invalid"
