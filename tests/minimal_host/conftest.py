"""The minimal host's pytest runs without the site's tests/conftest.py
(--confcutdir=tests/minimal_host): it takes the fixtures the plugins' tests need in any
host from tests/plugin_fixtures.py, as the site's conftest does."""

pytest_plugins = ["tests.plugin_fixtures"]
