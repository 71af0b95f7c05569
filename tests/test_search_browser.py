"""The search page in headless Chromium on a 360 px phone: suggestions as
the volunteer types, and the same search without JavaScript."""

import pytest

from courses.demo_course import DemoLoader
from tests.conftest import skip_or_fail

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_suggests_as_you_type_and_works_without_javascript(live_server, tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed")
    DemoLoader().load()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(f"{live_server.url}/")
            page.screenshot(path=str(tmp_path / "home-header-360.png"))
            page.click(".site-nav__search")
            page.wait_for_url(f"{live_server.url}/learn/search/")
            # Typed letter by letter, as on a phone: อุปก is an unfinished word.
            page.locator("#search-q").press_sequentially("อุปก", delay=60)
            first = page.locator("#search-suggestions a").first
            first.wait_for(state="visible", timeout=10_000)
            suggestion = first.inner_text()
            status = page.locator("#search-suggestions-status").inner_text()
            page.screenshot(path=str(tmp_path / "search-suggestions-360.png"))
            page.keyboard.press("Enter")
            page.wait_for_url("**/learn/search/?q=*")
            marked = page.locator(".search-hit mark").first.inner_text()
            overflow = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(tmp_path / "search-results-360.png"), full_page=True)

            plain = browser.new_context(java_script_enabled=False).new_page()
            plain.set_viewport_size({"width": 360, "height": 740})
            plain.goto(f"{live_server.url}/learn/search/")
            plain.fill("#search-q", "ไฟสถานะ")
            plain.click(".search-form button[type=submit]")
            plain.wait_for_url("**/learn/search/?q=*")
            plain_titles = plain.locator(".search-hit__title").all_inner_texts()
            browser.close()
    except Exception as error:  # no browser on this machine
        if "Executable doesn't exist" in str(error) or "No such file" in str(error):
            skip_or_fail(f"Chromium is not available: {error}")
        raise
    assert "อุปกรณ์" in suggestion
    assert status.startswith("มี ")
    assert marked == "อุปกรณ์"
    assert overflow <= 360
    assert plain_titles[0] == "อ่านไฟสถานะ LED ให้เป็น"
