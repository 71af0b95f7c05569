"""Makes `npv_site` and `home` unimportable in the minimal host's process.

They are installed in the project's virtualenv (editable), so an import of the site
from a plugin would otherwise succeed here and hide the very dependency this host
is there to catch. The error names the plugin module that tried."""

import importlib.abc
import sys
from pathlib import Path

SITE_PACKAGES = ("npv_site", "home")
PLUGIN_DIRS = tuple(
    str(Path(__file__).resolve().parents[2] / app) for app in ("courses", "certificates")
)


def _plugin_importer() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(PLUGIN_DIRS):
            return f"{Path(filename).relative_to(Path(PLUGIN_DIRS[0]).parent)}:{frame.f_lineno}"
        frame = frame.f_back
    return "an unknown module"


class SiteImportBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in SITE_PACKAGES:
            raise ModuleNotFoundError(
                f"The minimal host has no Net Pracharat site: {_plugin_importer()} imports "
                f"{fullname!r}. A plugin (courses, certificates) must not import npv_site or home.",
                name=fullname,
            )
        return None


def install() -> None:
    if not any(isinstance(finder, SiteImportBlocker) for finder in sys.meta_path):
        sys.meta_path.insert(0, SiteImportBlocker())
    for name in list(sys.modules):
        if name.split(".")[0] in SITE_PACKAGES:
            del sys.modules[name]
