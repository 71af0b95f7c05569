"""Browser tests in headless Chromium: Debian's /usr/bin/chromium driven by
Playwright for Python (Playwright's own browser download cannot work here).

Fixtures (a pytest plugin, listed in tests/conftest.py):
- `browser`: one Chromium for the whole session.
- `phone` (360×740, touch, mobile) and `desktop` (1280×800): a page in a fresh
  context (own cookies) on the live server, in Thai. `@on_phone_and_desktop`
  runs a test twice, with `device` = "phone" then "desktop", and
  `device_page` = a page of that device.
- `new_page(device, **context_options)`: more pages, e.g. a second person.
- `screenshot(page, step)`: test-artifacts/screenshots/<test>/<step>.png.
Every page these fixtures open fails its test on a console error, an
uncaught exception or a Content-Security-Policy violation, unless the test
says it expects one (`expect_console_error(page, "status of 404")`).
A failing test leaves a screenshot of each of its pages (failure-<n>.png).

Tests that drive the live server see its data only through committed
transactions: mark them `@pytest.mark.django_db(transaction=True,
serialized_rollback=True)` (serialized_rollback restores the rows the
migrations made, such as the default site and the Trainers group).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("NPV_CHROMIUM", "/usr/bin/chromium"))
# Headless as root in a container: no sandbox, no GPU, /tmp instead of a small
# /dev/shm, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# The language and clock of a volunteer in Thailand: Playwright's default
# en-US would make Django's LocaleMiddleware answer in English.
COMMON = {"locale": "th-TH", "timezone_id": "Asia/Bangkok"}
DEVICES = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

# Chromium reports a blocked resource twice: the violation event (logged by
# WATCH_SCRIPT) and its own console error starting "Refused to".
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked "
                + (event.blockedURI || "inline") + " in " + event.sourceFile
                + ":" + event.lineNumber);
});
"""


def on_phone_and_desktop(test):
    """Run `test` on a phone and on a desktop: it gets `device` ("phone" or
    "desktop") and may ask for `device_page`, a page of that device."""
    return pytest.mark.parametrize("device", list(DEVICES))(test)


class ConsoleWatch:
    """What went wrong on a page: console errors, uncaught exceptions, CSP violations."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.expected: list[re.Pattern] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.add_init_script(WATCH_SCRIPT)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        location = message.location or {}
        if location.get("url"):
            text += f" ({location['url']})"
        if not any(pattern.search(text) for pattern in self.expected):
            self.problems.append(text)

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


def _watch(page) -> ConsoleWatch:
    return page._npv_console_watch


def assert_no_console_errors(page) -> None:
    """Fail now on anything the page reported since the last check."""
    problems = _watch(page).take()
    assert not problems, f"Errors on {page.url}:\n" + "\n".join(problems)


@contextlib.contextmanager
def expect_console_error(page, pattern: str) -> Iterator[None]:
    """Within the block, console errors matching `pattern` (a regular
    expression) are expected, e.g. the 403 of a page the user may not see."""
    watch = _watch(page)
    compiled = re.compile(pattern)
    watch.expected.append(compiled)
    try:
        yield
    finally:
        watch.expected.remove(compiled)


def _check_playwright():
    from tests.plugin_fixtures import skip_or_fail

    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("Playwright for Python is not installed (pip install -e '.[test]')")


def pytest_collection_modifyitems(config, items):
    """Browser tests run last. Playwright's sync API keeps an asyncio loop
    running in the main thread from the browser's launch to the end of the
    session, which would break other tests' `asyncio.run` or `async_to_sync`."""
    browser_tests, others = [], []
    for item in items:
        uses_browser = "browser" in getattr(item, "fixturenames", ())
        if uses_browser:
            item.add_marker(pytest.mark.browser)
        (browser_tests if uses_browser else others).append(item)
    items[:] = others + browser_tests


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_npv_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    _check_playwright()
    from playwright.sync_api import sync_playwright

    # The ORM refuses to run in a thread with a running event loop, and
    # Playwright's sync API runs one; the tests themselves are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Once Playwright's event loop runs, `connections` hands this thread new
    # connection objects, which lack the copy of the migrations' rows that
    # serialized_rollback restores after each transactional test: carry it over.
    from django.db import connections

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        from tests.plugin_fixtures import skip_or_fail

        skip_or_fail(f"Chromium did not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _test_folder(request) -> Path:
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    return SCREENSHOTS / name


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable]:
    """Open a watched page in a context of its own: `new_page("phone")`."""
    contexts = []
    pages = []

    def open_page(device: str = "phone", **context_options):
        options = {"base_url": live_server.url, **COMMON, **DEVICES[device], **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page._npv_console_watch = ConsoleWatch(page)
        page._npv_base_url = options["base_url"]
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "_npv_report_call", None)
    if report is not None and report.failed:
        folder = _test_folder(request)
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages, 1):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(folder / f"failure-{number}.png"), full_page=True)
    left = [(page.url, _watch(page).take()) for page in pages]
    for context in contexts:
        context.close()
    left = [(url, problems) for url, problems in left if problems]
    if left and not (report is not None and report.failed):
        pytest.fail("Errors in the browser:\n" + json.dumps(left, ensure_ascii=False, indent=1))


@pytest.fixture
def phone(new_page):
    return new_page("phone")


@pytest.fixture
def desktop(new_page):
    return new_page("desktop")


@pytest.fixture
def device_page(device, new_page):
    return new_page(device)


@pytest.fixture
def screenshot(request) -> Callable:
    """`screenshot(page, "03-quiz")` saves the whole page under
    test-artifacts/screenshots/<test>/ and checks the page for errors."""
    folder = _test_folder(request)
    if folder.exists():
        for old in folder.glob("*.png"):
            old.unlink()

    def take(page, step: str, *, full_page: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert_no_console_errors(page)
        return path

    return take


def admin_log_in(page, username: str, password: str | None = None) -> None:
    """Sign in through the Wagtail admin's own login form (the factories'
    password unless another is given), as a trainer does."""
    from tests.factories import FACTORY_PASSWORD

    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or FACTORY_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url("**/admin/")


def log_in(page, user) -> None:
    """Sign `user` in on the page's context without the login form (the
    journeys use the form): a session made by Django's test client."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    host = urlsplit(page._npv_base_url).hostname
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}]
    )


# --------------------------------------------------------------------------
# Accessibility (axe-core, tests/vendor/axe-core)
# --------------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page (its context must be opened with
    bypass_csp=True: the script is injected inline) and return the
    violations of the given impacts."""
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        """async () => {
             const results = await axe.run(document, {resultTypes: ["violations"]});
             return results.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                         summary: n.failureSummary}))}));
           }"""
    )
    return [violation for violation in results if violation["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append(f"      {node['summary']}".replace("\n", " "))
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------


def tab_to(page, selector: str, *, max_presses: int = 80, reverse: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    key = "Shift+Tab" if reverse else "Tab"
    for _ in range(max_presses):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press(key)
    focused = page.evaluate("document.activeElement?.outerHTML.slice(0, 200)")
    raise AssertionError(f"{max_presses} × {key} did not reach {selector}; focus on {focused}")


def focus_is_visible(page) -> bool:
    """The focused element draws an outline or a focus shadow."""
    return page.evaluate(
        """() => {
             const style = getComputedStyle(document.activeElement);
             return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== "none";
           }"""
    )
