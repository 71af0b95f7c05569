"""What the import-linter contracts (pyproject.toml, `make lint-imports`) cannot see:
the plugins naming the site in strings (a dotted path, a model label such as
"home.HomePage", a settings default) and plugin migrations depending on the site's
migrations. Either would break a host that has no npv_site and no home."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

PLUGINS = ("courses", "certificates", "notifications")
# App labels of the site layer (npv_site.accounts, npv_site.cohorts, home).
SITE_LABELS = {"accounts", "cohorts", "home"}
SITE_NAME = re.compile(r"^(npv_site|home)(\.[A-Za-z_]\w*)+$")


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_the_plugins_name_no_module_or_model_of_the_site_in_their_code():
    named = []
    for app in PLUGINS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            skip = docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in skip
                    and SITE_NAME.match(node.value)
                ):
                    rel = path.relative_to(settings.BASE_DIR)
                    named.append(f"{rel}:{node.lineno} {node.value!r}")
    assert named == [], "the plugins name the site:\n" + "\n".join(named)


def test_no_plugin_migration_depends_on_a_migration_of_the_site():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    depends = sorted(
        f"{app}.{name} -> {parent.key[0]}.{parent.key[1]}"
        for (app, name) in graph.nodes
        if app in PLUGINS
        for parent in graph.node_map[(app, name)].parents
        if parent.key[0] in SITE_LABELS
    )
    assert depends == [], "plugin migrations that need the site:\n" + "\n".join(depends)
