"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

They run in their own pytest process (`pytest -m browser`): Playwright's event loop makes
Django's sync ORM refuse to run in the same thread unless told it is safe, which it is here
because the test thread and the live server never share a connection.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# axe-core, vendored from its npm package (static/vendor/axe-core-*/, with its licence).
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
AXE = next(VENDOR.glob("axe-core-*/axe.min.js"))
# WCAG 2.1 levels A and AA, which GB/T 37668-2019 follows.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Runs axe in every page the browser shows: after each load and after each htmx swap
# (boosted forms replace the body without a load). Results go back through a binding.
# axe refuses a second run while one is going, so every run (the test's last one too)
# waits in one queue for the one before it.
AXE_RUNNER = """
(() => {
  const tags = AXE_TAGS;
  let last = Promise.resolve();
  window.__axeRunQueued = () => {
    const run = last.then(() => window.axe.run(document, {runOnly: {type: "tag", values: tags}}))
      .then((result) => result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
      })));
    last = run.catch(() => null);
    return run;
  };
  let queued = false;
  function check() {
    if (queued) { return; }
    queued = true;
    setTimeout(() => {
      queued = false;
      window.__axeRunQueued().then((found) => window.__axeReport(location.href, found));
    }, 0);
  }
  window.addEventListener("load", check);
  document.addEventListener("htmx:afterSettle", check);
})();
""".replace("AXE_TAGS", json.dumps(AXE_TAGS))


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; `make test` installs it (apt chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # Reduced motion: Bootstrap then skips colour transitions, so axe never measures a
    # button half-way between two colours.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    checked: dict[str, list] = {}

    def report(_source, url, violations):
        checked.setdefault(url, []).extend(violations)

    context.expose_binding("__axeReport", report)
    context.add_init_script(path=str(AXE))
    context.add_init_script(script=AXE_RUNNER)
    page = context.new_page()
    page.base_url = live_server.url
    page.axe_checked = checked
    # Confirmations (submitting for review) are answered yes and kept for the test to read.
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
    # Every page must work under the enforced Content Security Policy.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text[:60]} @ {message.location}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    # The page the test ended on is checked too, whatever state it was left in.
    final = page.evaluate("() => window.__axeRunQueued()")
    checked.setdefault(page.url, []).extend(final)
    context.close()
    assert violations == [], violations
    failures = {url: found for url, found in checked.items() if found}
    assert checked, "axe-core checked no page"
    assert failures == {}, _axe_summary(failures)


def _axe_summary(failures: dict[str, list]) -> str:
    lines = ["WCAG 2.1 A/AA violations found by axe-core:"]
    for url, found in failures.items():
        for violation in found:
            lines.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def visit(page, url: str, *, status: int = 200) -> None:
    """Open `url`, expect `status`, and wait until axe-core has checked the page (a page left
    at once may otherwise go unchecked)."""
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    for _ in range(200):
        if page.url in page.axe_checked:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"axe-core did not check {page.url}")


def login(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def press(page, name: str, *, exact: bool = True, nth: int = 0) -> None:
    """Click a submit button and wait until its POST has been answered and htmx has
    swapped the result in (boosted forms do not navigate, so load states alone race)."""
    button = page.get_by_role("button", name=name, exact=exact).nth(nth)
    with page.expect_response(lambda response: response.request.method == "POST"):
        button.click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.wait_for_load_state("networkidle")


def add_row(page, name: str, *, nth: int = 0) -> None:
    """Click an add-row button: rows.js clones the formset's empty row in the page, so there
    is no request to wait for — only the new row's focus."""
    page.get_by_role("button", name=name, exact=True).nth(nth).click()
    page.wait_for_function("() => document.activeElement.closest('[data-row]') !== null")


def outside_the_event_loop(function, *args, **kwargs):
    """Run `function` in a thread of its own and return its result.

    pyHanko's synchronous API calls asyncio.run(), which refuses to run in a thread where
    Playwright's event loop is running — the test thread here.
    """
    import threading

    outcome = {}

    def target():
        from django.db import connections

        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread below
            outcome["error"] = exc
        finally:
            # This thread's own database connection would otherwise keep the test
            # database busy, and PostgreSQL would refuse to drop it at the end.
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
