"""Thai search across the course.

Thai is written without spaces between words, and both database search
backends (SQLite FTS5 and PostgreSQL full-text search) cut text into tokens
at spaces and punctuation only. So the course's text is cut into words with
PyThaiNLP (newmm) before it reaches the index, and every query is cut the
same way before it reaches the backend.

- `thai`: word segmentation, compound words, query readings (no Django).
- `fields`: the index fields page models declare in `search_fields`.
- `sqlite_fts`: keeps Thai vowel and tone marks inside SQLite FTS5 tokens.
- `snippets`: highlighted titles and snippets.

The search itself, grouped by course and module, is `courses.searching`: it
reads the page models, which declare their index fields with this package,
so it sits above them and this package below.
"""

import os

# newmm's dictionary ships inside the pythainlp wheel, so PyThaiNLP never needs
# to download anything. These must be set before pythainlp is first imported
# (its import creates ~/pythainlp-data otherwise): the submodules import it.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
