"""Redirects stay on this site: ``next`` (sign-in, notifications) never sends anyone to
another host, to an internal address, or to a script.

The basic cases (absolute URLs, //host, /\\host, javascript:, CR LF) are in
tests/test_accounts.py (test_next_refuses_other_sites); here the internal-address and
parser-confusion cases, every way ``next`` arrives, and a check of every redirect the
suite's own requests produce.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import csrf_token
from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.accounts.views import safe_next
from tracker.extensions import db
from tracker.inputs import control_character_problem

PASSWORD = "correct horse battery staple"
EVIL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8080/admin",
    "http://localhost/",
    "http://[::1]/",
    "https:evil.example",
    "https:/evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\x00//evil.example",
    " //evil.example",
    "http://evil.example@127.0.0.1/",
    "/login?next=//evil.example",  # on-site, but its own next must not escape either
    "data:text/html,<script>alert(1)</script>",
    "jAvAsCrIpT:alert(1)",
    "/" + "a" * 3000,
]


@pytest.fixture
def account(app, make_user):
    with app.app_context():
        user = db.session.get(User, make_user("editor", email="redirect@example.org").id)
        user.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
        return user


def on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
    )


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_redirects_off_site(app, client, account, target):
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(app, client),
            "email": "redirect@example.org",
            "password": PASSWORD,
            "next": target,
        },
    )
    if control_character_problem(target):
        # Refused at the edge (tracker/inputs.py) before any view: no redirect at all.
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert on_site(location), location
    # Following on-site redirects to the end never leaves the site either.
    for _ in range(5):
        if response.status_code not in (301, 302, 303, 307, 308):
            break
        assert on_site(response.headers["Location"]), response.headers["Location"]
        response = client.get(response.headers["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_the_sign_in_page_never_carries_an_off_site_next(app, client, target):
    html = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    carried = html.split('name="next"', 1)[1].split(">", 1)[0]
    if safe_next(target) is None:
        assert 'value=""' in carried, carried
    else:
        assert on_site(target)  # the nested /login?next=//evil.example: a path here, refused there


@pytest.mark.parametrize("target", EVIL)
def test_a_signed_in_visit_to_sign_in_goes_home(app, client, login, target):
    login(client, "editor")
    response = client.get("/login", query_string={"next": target})
    hops = []
    while response.status_code in (301, 302, 303, 307, 308) and len(hops) < 5:
        hops.append(response.headers["Location"])
        response = client.get(hops[-1])
    assert all(on_site(h) for h in hops), hops
    assert hops[-1] == "/" or (safe_next(target) and hops[-1] == target[:2000]), hops


@pytest.mark.parametrize("target", EVIL + ["/review/"])
def test_marking_notifications_read_only_returns_to_review_pages(app, client, login, target):
    login(client, "editor")
    response = client.post(
        "/review/notifications/read", data={"csrf_token": csrf_token(app, client), "next": target}
    )
    if control_character_problem(target):
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert response.headers["Location"] in ("/review/", "/review/notifications")


@pytest.mark.parametrize(
    "path",
    [
        "/measures/new?x=//evil.example",
        "/measures/new?next=http://169.254.169.254/",
        "/review/?a=%0d%0aLocation:%20http://evil.example",
    ],
)
def test_the_sign_in_redirect_for_staff_pages_carries_a_path_only(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=/") and "\r" not in location and "\n" not in location
