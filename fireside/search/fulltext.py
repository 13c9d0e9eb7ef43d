"""Full-text search over communities and posts.

SQLite searches FTS5 tables (porter stemmer), PostgreSQL a weighted tsvector column
(english configuration); the database derives both from `SearchEntry` rows (see
models.py and migration 0001). A query is read as words, never as query syntax, so
nothing a person types can cause a syntax error: all words must match, stop words are
ignored as PostgreSQL would, and the last word also matches as a prefix while typing.
"""

import itertools
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from django.db import connection
from django.db.models import QuerySet

from .models import SearchEntry

Kind = Literal["community", "post"]

# Ranking every match of a common word is slow at scale: at 1M posts bm25 over all
# matches of a common term takes ≈ 290 ms p50, while reading the newest matches takes
# ≈ 0.2 ms (FIELD-NOTES.md, "Full-text search at 1M posts"). So only the CANDIDATE_CAP
# newest matches (highest ids: ids grow with time) are ranked, and the best `limit` of
# those are returned; an older, better match of a common word is not found until the
# query is narrowed. On 300K synthetic posts in SQLite a common term took ≈ 9 ms this
# way against ≈ 310 ms uncapped. A module constant so that tests can lower it.
CANDIDATE_CAP = 2000
# Words after the first MAX_TERMS are ignored: each costs one more index lookup.
MAX_TERMS = 12
# Longer runs of letters are pasted tokens or unspaced sentences, not words: ignored.
MAX_TERM_LENGTH = 100
# Very short prefixes match a large part of the vocabulary (one letter took ≈ 180 ms at
# 300K synthetic posts on SQLite), so a shorter last word matches as a whole word.
MIN_PREFIX_LENGTH = 3

# Sequences of letters and digits; everything else, including "_", separates words, as
# in both FTS5's unicode61 tokenizer and PostgreSQL's default parser.
_WORD = re.compile(r"[^\W_]+")

# PostgreSQL's english.stop. PostgreSQL drops these words from queries and documents;
# dropping them from queries on SQLite too keeps results alike on both databases.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
"""
_STOP_WORDS = frozenset(_ENGLISH_STOP.split())

_FTS_TABLES: dict[str, str] = {kind: f"search_{kind}_fts" for kind in get_args(Kind)}

# bm25 weights of the FTS5 columns (title, topics, body); PostgreSQL weighs them A, B, C.
_BM25_WEIGHTS = "10.0, 5.0, 1.0"


@dataclass(frozen=True)
class _Query:
    words: list[str]
    last_is_prefix: bool


def index(
    kind: Kind, object_id: int, *, title: str, body: str, topics: list[str]
) -> None:
    """Add or replace the searchable text of one object."""
    entry = SearchEntry(
        kind=kind, object_id=object_id, title=title, body=body, topics=" ".join(topics)
    )
    # One upsert statement: concurrent calls for one object cannot both insert.
    SearchEntry.objects.bulk_create(
        [entry],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "topics", "body"],
    )


def unindex(kind: Kind, object_id: int) -> None:
    """Remove one object from the index (deleted posts)."""
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def search_ids(
    kind: Kind,
    query: str,
    *,
    limit: int = 500,
    among: QuerySet[Any, Any] | None = None,
) -> list[int]:
    """Return the ids of objects of KIND matching QUERY, best first, at most LIMIT.

    QUERY is read as words (see the module docstring); one without any returns [].
    Only the CANDIDATE_CAP newest matches are ranked. AMONG, a queryset of the model
    behind KIND, restricts the search to its rows before the cap is applied: searching
    one community must not depend on how busy the others are."""
    if kind not in _FTS_TABLES:
        raise ValueError(f"Unknown search kind: {kind!r}")
    parsed = _parse(query)
    if parsed is None or limit <= 0:
        return []
    scope: tuple[str, list[Any]] = ("", [])
    if among is not None:
        among_sql, among_params = among.values("pk").query.sql_with_params()
        scope = (f" IN ({among_sql})", list(among_params))
    if connection.vendor == "postgresql":
        return _search_postgresql(kind, parsed, limit, scope)
    return _search_sqlite(kind, parsed, limit, scope)


def _parse(query: str) -> _Query | None:
    words = [
        match.group()
        for match in itertools.islice(_WORD.finditer(query), MAX_TERMS)
        if len(match.group()) <= MAX_TERM_LENGTH
    ]
    if not words:
        return None
    *leading, last = words
    kept = [word for word in leading if not _is_stop_word(word)]
    last_is_prefix = len(last) >= MIN_PREFIX_LENGTH
    # A last stop word may be the start of a longer word ("the" → "theatre"), so it
    # stays as a prefix. A short one is dropped like the others, and the word before it
    # then counts as finished: matched whole, not as a prefix.
    if last_is_prefix or not _is_stop_word(last):
        kept.append(last)
    else:
        last_is_prefix = False
    if not kept:
        return None
    return _Query(words=kept, last_is_prefix=last_is_prefix)


def _is_stop_word(word: str) -> bool:
    return word.lower() in _STOP_WORDS


def _search_sqlite(
    kind: Kind, query: _Query, limit: int, scope: tuple[str, list[Any]]
) -> list[int]:
    # Every word is quoted, so FTS5 reads it as a string and never as an operator.
    phrases = [f'"{word}"' for word in query.words]
    if query.last_is_prefix:
        phrases[-1] += " *"
    match = " AND ".join(phrases)
    table = _FTS_TABLES[kind]
    # The subquery finds the oldest of the newest CANDIDATE_CAP matches by walking the
    # index newest first; bm25 is then computed only for matches from there on.
    within, within_params = ("", [])
    if scope[0]:
        within, within_params = f" AND rowid{scope[0]}", scope[1]
    sql = f"""
        SELECT rowid FROM {table}
        WHERE {table} MATCH %s{within} AND rowid >= (
            SELECT min(rowid) FROM (
                SELECT rowid FROM {table} WHERE {table} MATCH %s{within}
                ORDER BY rowid DESC LIMIT %s
            )
        )
        ORDER BY bm25({table}, {_BM25_WEIGHTS}), rowid DESC
        LIMIT %s
    """
    params = [match, *within_params, match, *within_params, CANDIDATE_CAP, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _search_postgresql(
    kind: Kind, query: _Query, limit: int, scope: tuple[str, list[Any]]
) -> list[int]:
    *leading, last = query.words
    # Words hold only letters and digits, so quoted they never read as operators.
    # english would discard a stop word as a prefix, while simple keeps it to prefix
    # longer words. Documents hold no stop words here, unlike FTS5, so "the" finds
    # "theatre" on both databases but the word "the" itself only on SQLite.
    last_config = "simple" if _is_stop_word(last) else "english"
    tsquery = f"to_tsquery('{last_config}'::regconfig, %s)"
    params = [f"'{last}'" + (":*" if query.last_is_prefix else "")]
    if leading:
        tsquery = f"to_tsquery('english'::regconfig, %s) && {tsquery}"
        params.insert(0, " & ".join(f"'{word}'" for word in leading))
    within = f" AND object_id{scope[0]}" if scope[0] else ""
    sql = f"""
        SELECT candidate.object_id FROM (
            SELECT object_id, vector FROM search_searchentry
            WHERE kind = %s AND vector @@ ({tsquery}){within}
            ORDER BY object_id DESC
            LIMIT %s
        ) AS candidate
        ORDER BY ts_rank_cd(candidate.vector, {tsquery}, 1) DESC, candidate.object_id DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *params, *scope[1], CANDIDATE_CAP, *params, limit])
        return [row[0] for row in cursor.fetchall()]
