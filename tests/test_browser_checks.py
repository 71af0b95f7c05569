"""The browser fixtures catch what they promise to catch (tests/browser.py):
a page that breaks its Content-Security-Policy or throws fails its test."""

import contextlib

import pytest

from tests.browser import assert_no_console_errors, expect_console_error

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_inline_script_blocked_by_the_csp_is_reported(phone):
    phone.goto("/accounts/login/")
    assert_no_console_errors(phone)
    with contextlib.suppress(Exception):  # Playwright also reports the refused script
        phone.add_script_tag(content="document.title = 'injected'")
    phone.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="script-src"):
        assert_no_console_errors(phone)
    assert phone.title() != "injected"


def test_an_uncaught_exception_is_reported_unless_expected(phone):
    phone.goto("/accounts/login/")
    phone.evaluate("setTimeout(() => { throw new Error('พัง') })")
    phone.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="พัง"):
        assert_no_console_errors(phone)
    with expect_console_error(phone, "status of 404"):
        phone.goto("/no-such-page/")
    assert_no_console_errors(phone)
