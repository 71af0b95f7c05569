"""Keeps Thai vowel and tone marks inside SQLite FTS5 tokens.

Wagtail creates its FTS5 table with the unicode61 tokenizer's default
character classes (letters L*, numbers N*, private use Co). Thai vowel and
tone marks are combining marks (Mn), so FTS5 cuts every Thai word at each of
them: อุปกรณ์ becomes อ + ปกรณ, and a prefix such as อุปก matches nonsense.
Adding M* to the token characters keeps the words the segmenter produced.

The table belongs to wagtail.search and serves the whole host, so the courses
app rebuilds it only when the host asks (COURSES_SQLITE_THAI_TOKENIZER = True):
then after every `migrate` (a post_migrate handler) rather than by a migration
of this app, which also repairs it should a future Wagtail migration create it
afresh. It changes no data: the rows are copied back from Wagtail's index entries.
"""

from __future__ import annotations

import logging

from django.db import connections, transaction

from courses import conf

logger = logging.getLogger(__name__)

FTS_TABLE = "wagtailsearch_indexentry_fts"
ENTRY_TABLE = "wagtailsearch_indexentry"
TOKENIZER = "unicode61 categories 'L* M* N* Co'"


def fts_table_sql(using: str = "default") -> str | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        row = cursor.fetchone()
    return row[0] if row else None


def ensure_thai_tokenizer(using: str = "default") -> bool:
    """Rebuilds the FTS5 table with Thai-aware token characters if it lacks
    them, refilling it from the index entries. Returns True if it rebuilt."""
    if connections[using].vendor != "sqlite":
        return False
    sql = fts_table_sql(using)
    if sql is None or "categories" in sql:
        return False
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE {FTS_TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            f'autocomplete, body, title, tokenize="{TOKENIZER}")'
        )
        # Wagtail's triggers copy each index entry into the FTS table by name,
        # so they keep working on the new table.
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, autocomplete) "  # noqa: S608
            f"SELECT id, title, body, autocomplete FROM {ENTRY_TABLE}"
        )
    logger.info("Rebuilt %s with the tokenizer %s", FTS_TABLE, TOKENIZER)
    return True


def ensure_thai_tokenizer_after_migrate(sender, using: str = "default", **kwargs) -> None:
    if conf.sqlite_thai_tokenizer():
        ensure_thai_tokenizer(using)
