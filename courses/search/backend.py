"""The search backend: Wagtail's database backend, with the query text made
safe for SQLite's FTS5.

Upstream (django-modelsearch's SQLite backend, as used by Wagtail 8) puts
each search term inside "..." in the FTS5 MATCH expression without doubling a
double quote in the term, so a search for `"` or `ab"c` is an FTS5 syntax
error: an OperationalError, which the site takes for a lost database (503
and an outage log line). Terms here have their double quotes doubled, as
FTS5 reads them, before the upstream compiler sees them. PostgreSQL's backend
builds its query with to_tsquery functions and needs nothing.
"""

from __future__ import annotations

import functools

from django.db import connection
from modelsearch.backends import database
from modelsearch.query import PlainText


def fts5_term_text(text: str) -> str:
    # FTS5 reads "" inside a quoted string as one literal quote.
    return text.replace('"', '""')


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    backend = database.SearchBackend(params)
    if connection.vendor != "sqlite":
        return backend
    # Imported here, and only on SQLite: the module looks up modelsearch's
    # FTS model, which exists only there and is not ready when the settings
    # name this module.
    from modelsearch.backends.database.sqlite import sqlite

    if isinstance(backend, sqlite.SQLiteSearchBackend):
        return _quoted_sqlite_backend()(params)
    return backend


@functools.cache
def _quoted_sqlite_backend():
    from modelsearch.backends.database.sqlite import sqlite

    class QuotedSQLiteSearchBackend(sqlite.SQLiteSearchBackend):
        query_compiler_class = _quoted(sqlite.SQLiteSearchQueryCompiler)
        autocomplete_query_compiler_class = _quoted(sqlite.SQLiteAutocompleteQueryCompiler)

    return QuotedSQLiteSearchBackend


def _quoted(compiler):
    class QuotedCompiler(compiler):
        def build_search_query_content(self, query, config=None):
            if isinstance(query, PlainText):
                query = PlainText(fts5_term_text(query.query_string), operator=query.operator)
            return super().build_search_query_content(query, config=config)

    QuotedCompiler.__name__ = QuotedCompiler.__qualname__ = f"Quoted{compiler.__name__}"
    return QuotedCompiler
