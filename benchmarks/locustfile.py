"""Locust drives the product over HTTP (issue 11), run by `benchmarks/scale_bench.py --http`
or by hand against a gunicorn on 127.0.0.1:

    BENCH_PASSWORD=… BENCH_ASSESSMENT=<id> BENCH_TOKEN=<token> BENCH_SESSIONS=<key>,… \
    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 8 -r 8 -t 30s \
        --host http://127.0.0.1:18310 LoginPage|ListPage|Mix

LoginPage: the login page, anonymous — the cheap page every figure is compared with.
ListPage: a logged-in reviewer of the big unit reading the first page of the list.
Mix: what a day looks like — list, search, deeper pages, detail, review, the public
verification page, and a login (and logout) now and then.

Sessions: a reading user holds one of the sessions scale_bench.py made (BENCH_SESSIONS; a
password check costs a core for a while and is measured apart), one per user while there are
enough. A login is done by a client of its own — its own cookie jar, starting empty — so it
makes a new session and its logout deletes only that one: logging in with a cookie jar that
held a pre-made session would rotate (delete) it under every user sharing it.

Every request checks its answer: a page must answer 200 itself (a redirect to the login
page is a failure, not a fast page), a login and a logout must redirect, and any failure
makes Locust exit non-zero, which fails the bench.
"""

import itertools
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import urlsplit

from locust import FastHttpUser, between, task
from locust.contrib.fasthttp import FastHttpSession

USERNAME = os.environ.get("BENCH_USERNAME", "bench_reviewer")
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
ASSESSMENT = os.environ.get("BENCH_ASSESSMENT", "")
TOKEN = os.environ.get("BENCH_TOKEN", "")
SESSIONS = [key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key]
TERMS = ["道路", "道路改造", "王建国", "滨河 住房", "公园", "棚户区改造"]
NEXT = re.compile(r'rel="next" href="\?([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN_PATH = "/accounts/login/"
_next_session = itertools.count()


def own_client(user) -> FastHttpSession:
    """A client with a cookie jar of its own (empty), beside the user's reading client."""
    return FastHttpSession(
        base_url=user.host,
        request_event=user.environment.events.request,
        user=user,
        network_timeout=user.network_timeout,
        connection_timeout=user.connection_timeout,
    )


def expect(client, method: str, url: str, name: str, status: int, *, to_login=False, **kwargs):
    """One request that fails (in Locust's figures and exit code) unless it answers `status`
    — redirects are not followed, so a lost session shows as a 302 to the login page; a
    redirect there is a failure unless `to_login` (a logout lands there)."""
    with client.request(
        method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
    ) as response:
        if response.status_code != status:
            where = response.headers.get("Location", "") if response.headers else ""
            response.failure(f"answered {response.status_code} {where}, not {status}")
        elif (
            status == 302
            and not to_login
            and urlsplit(response.headers.get("Location", "")).path == LOGIN_PATH
        ):
            response.failure("redirected to the login page")
        return response


def csrf_token(response) -> str | None:
    found = CSRF.search(response.text or "")
    return found.group(1) if found else None


def log_in_and_out(user) -> None:
    """A real login (Argon2id, as production) and a logout, by a client of its own."""
    client = own_client(user)
    page = expect(client, "GET", LOGIN_PATH, "login page", 200)
    token = csrf_token(page)
    if token is None:
        return  # the page's failure is already counted
    headers = {"Referer": f"{user.host}{LOGIN_PATH}"}
    landed = expect(
        client,
        "POST",
        LOGIN_PATH,
        "log in (POST)",
        302,
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers=headers,
    )
    if landed.status_code != 302:
        return
    home = expect(client, "GET", "/", "home (after login)", 200)
    token = csrf_token(home)
    if token is None:
        home.failure("no CSRF token to log out with")
        return
    expect(
        client,
        "POST",
        "/accounts/logout/",
        "log out (POST)",
        302,
        to_login=True,
        data={"csrfmiddlewaretoken": token},
        headers=headers,
    )


def session_cookie(key: str, host: str) -> Cookie:
    """The session cookie as the server sets it (path /, this host only)."""
    return Cookie(
        version=0,
        name="sessionid",
        value=key,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=False,
        comment=None,
        comment_url=None,
        rest={},
    )


def hold_session(user) -> None:
    """Put a pre-made session in the user's reading client, or log in to make one."""
    if not SESSIONS:
        client = user.client
        page = expect(client, "GET", LOGIN_PATH, "login page", 200)
        expect(
            client,
            "POST",
            LOGIN_PATH,
            "log in (POST)",
            302,
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page) or "",
            },
            headers={"Referer": f"{user.host}{LOGIN_PATH}"},
        )
        return
    key = SESSIONS[next(_next_session) % len(SESSIONS)]
    user.client.cookiejar.set_cookie(session_cookie(key, urlsplit(user.host).hostname))


class LoginPage(FastHttpUser):
    wait_time = between(0, 0)

    @task
    def login_page(self):
        expect(self.client, "GET", LOGIN_PATH, "login page", 200)


class ListPage(FastHttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        hold_session(self)

    @task
    def list_page(self):
        expect(self.client, "GET", "/assessments/", "list page 1", 200)


class Mix(FastHttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        hold_session(self)
        self.anonymous = own_client(self)

    def get(self, url: str, name: str, **kwargs):
        return expect(self.client, "GET", url, name, 200, **kwargs)

    @task(6)
    def list_pages(self):
        page = self.get("/assessments/", name="list page 1")
        for _ in range(random.randint(0, 3)):
            following = NEXT.search(page.text or "")
            if not following:
                break
            page = self.get(
                "/assessments/?" + following.group(1).replace("&amp;", "&"), name="list next page"
            )

    @task(4)
    def search(self):
        self.get("/assessments/", params={"q": random.choice(TERMS)}, name="search")

    @task(2)
    def review_queue(self):
        self.get("/review/", name="review queue")

    @task(2)
    def detail(self):
        if ASSESSMENT:
            self.get(f"/assessments/{ASSESSMENT}/", name="detail")

    @task(2)
    def review(self):
        if ASSESSMENT:
            self.get(f"/assessments/{ASSESSMENT}/review/", name="review page")

    @task(2)
    def verify(self):
        if TOKEN:
            expect(self.anonymous, "GET", f"/verify/{TOKEN}/", "verify (public)", 200)

    @task(1)
    def login(self):
        log_in_and_out(self)
