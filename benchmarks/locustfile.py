"""Locust drives the product over HTTP (issue 11), run by `benchmarks/scale_bench.py --http`
or by hand against a gunicorn on 127.0.0.1:

    BENCH_PASSWORD=… BENCH_ASSESSMENT=<id> BENCH_TOKEN=<token> \
    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 8 -r 8 -t 30s \
        --host http://127.0.0.1:18310 LoginPage|ListPage|Mix

LoginPage: the login page, anonymous — the cheap page every figure is compared with.
ListPage: a logged-in reviewer of the big unit reading the first page of the list.
Mix: what a day looks like — list, search, deeper pages, detail, review, the public
verification page, and a login now and then.
"""

import os
import random
import re

from locust import FastHttpUser, between, task

USERNAME = os.environ.get("BENCH_USERNAME", "bench_reviewer")
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
ASSESSMENT = os.environ.get("BENCH_ASSESSMENT", "")
TOKEN = os.environ.get("BENCH_TOKEN", "")
# Sessions made by scale_bench.py (a PBKDF2 login costs ~0.4 s of a core: measured apart).
SESSIONS = [key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key]
TERMS = ["道路", "道路改造", "王建国", "滨河 住房", "公园", "棚户区改造"]
NEXT = re.compile(r'rel="next" href="\?([^"]+)"')


def log_in(user) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    user.client.post(
        "/accounts/login/",
        data={
            "username": USERNAME,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="log in (POST)",
    )


class LoginPage(FastHttpUser):
    wait_time = between(0, 0)

    @task
    def login_page(self):
        self.client.get("/accounts/login/", name="login page")


def use_session(user) -> None:
    if SESSIONS:
        user.session_cookie = {"Cookie": f"sessionid={random.choice(SESSIONS)}"}
    else:
        log_in(user)
        user.session_cookie = {}


class ListPage(FastHttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        use_session(self)

    @task
    def list_page(self):
        self.client.get("/assessments/", name="list page 1", headers=self.session_cookie)


class Mix(FastHttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        use_session(self)

    def get(self, url: str, name: str, **kwargs):
        return self.client.get(url, name=name, headers=self.session_cookie, **kwargs)

    @task(6)
    def list_pages(self):
        page = self.get("/assessments/", name="list page 1")
        for _ in range(random.randint(0, 3)):
            following = NEXT.search(page.text)
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
            self.client.get(f"/verify/{TOKEN}/", name="verify (public)")

    @task(1)
    def login(self):
        """A real login now and then (PBKDF2, as production); the page goes on with its own
        session, so the new one is dropped."""
        log_in(self)
        if SESSIONS:
            self.client.cookiejar.clear()
