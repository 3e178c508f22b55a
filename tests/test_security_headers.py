"""Security headers on every response; no-store wherever staff (and drafts) may appear."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path", ["/", "/measures/", "/api/v1/measures", "/no-such-page", "/static/css/site.css"]
)
def test_headers_on_every_response(client, path) -> None:
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    response.close()


def test_hsts_only_over_https(app) -> None:
    client = app.test_client()
    response = client.get("/", base_url="https://tracker.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_for_signed_in_staff_are_never_stored(client, login) -> None:
    public = client.get("/measures/")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    login(client, "editor")
    for path in ("/", "/measures/", "/measures/new"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Cookie" in response.headers.get("Vary", "")


def test_proxy_fix_is_off_by_default_and_trusts_one_hop_when_on(database_url) -> None:
    from tests.conftest import standalone_app

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with standalone_app(database_url) as app:
        assert (
            "Strict-Transport-Security"
            not in app.test_client().get("/healthz", headers=headers).headers
        )
    with standalone_app(database_url, PROXY_FIX=True) as app:
        assert (
            "Strict-Transport-Security"
            in app.test_client().get("/healthz", headers=headers).headers
        )


def test_oversized_request_is_refused_with_413(client, login) -> None:
    login(client, "editor")
    response = client.post("/measures/new", data={"description": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
