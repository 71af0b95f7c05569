"""The search page in headless Chromium on a 360 px phone: suggestions as
the volunteer types, and the same search without JavaScript."""

import pytest

from npv_site.demo.loader import DemoLoader


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_suggests_as_you_type_and_works_without_javascript(
    phone, new_page, screenshot
):
    DemoLoader().load()
    phone.goto("/")
    screenshot(phone, "home-header-360", full_page=False)
    phone.click(".site-nav__search")
    phone.wait_for_url("**/learn/search/")
    # Typed letter by letter, as on a phone: อุปก is an unfinished word.
    phone.locator("#search-q").press_sequentially("อุปก", delay=60)
    first = phone.locator("#search-suggestions a").first
    first.wait_for(state="visible", timeout=10_000)
    suggestion = first.inner_text()
    status = phone.locator("#search-suggestions-status").inner_text()
    screenshot(phone, "search-suggestions-360")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/learn/search/?q=*")
    marked = phone.locator(".search-hit mark").first.inner_text()
    overflow = phone.evaluate("document.documentElement.scrollWidth")
    screenshot(phone, "search-results-360")

    plain = new_page("phone", java_script_enabled=False)
    plain.goto("/learn/search/")
    plain.fill("#search-q", "ไฟสถานะ")
    plain.click(".search-form button[type=submit]")
    plain.wait_for_url("**/learn/search/?q=*")
    plain_titles = plain.locator(".search-hit__title").all_inner_texts()

    assert "อุปกรณ์" in suggestion
    assert status.startswith("มี ")
    assert marked == "อุปกรณ์"
    assert overflow <= 360
    assert plain_titles[0] == "อ่านไฟสถานะ LED ให้เป็น"
