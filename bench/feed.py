"""Home feed and post search at scale, on SQLite and on PostgreSQL.

Builds a synthetic instance (defaults: 100,000 members, 2,000 communities, 1,000,000 posts;
each sampled member belongs to 50 communities), then for SAMPLES random sampled members
measures fetching and rendering the first page of their home feed (GET / through Django's
full request stack) and a post search across listed communities (GET /search/?q=), and in
the same run a baseline: one indexed primary-key fetch of 20 posts. Prints p50/p95 and one
line per database:

    RESULT db=sqlite feed_p95_ms=… search_p95_ms=… feed_vs_baseline=…

Usage: .venv/bin/python bench/feed.py [--db sqlite|postgresql|both] [--posts N] [...]
The PostgreSQL run uses a throwaway database on 127.0.0.1:5432 (dropped afterwards). Nothing
here asserts on time.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = [
    "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "ri", "so",
    "tu", "va", "we", "xi", "yo", "zu", "bra", "cle", "dro", "fli", "gre", "pla", "stu",
]  # fmt: skip
VOCABULARY_SIZE = 30_000


class Words:
    """A vocabulary of pseudo-words drawn with Zipf's law, like real text: a few words are
    in many posts, most are rare, so searches meet both kinds."""

    def __init__(self, rng: random.Random) -> None:
        vocabulary = sorted(
            {
                "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                for _ in range(VOCABULARY_SIZE * 2)
            }
        )[:VOCABULARY_SIZE]
        rng.shuffle(vocabulary)
        weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
        self.pool = rng.choices(vocabulary, weights=weights, k=2_000_000)
        self.rng = rng

    def word(self) -> str:
        return self.pool[self.rng.randrange(len(self.pool))]

    def sentence(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        start = self.rng.randrange(len(self.pool) - count)
        return " ".join(self.pool[start : start + count])


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def build(args: argparse.Namespace) -> list[int]:
    """Fill the database with raw inserts (the ORM would take hours) and return the ids of
    the sampled members."""
    from django.db import connection, transaction

    rng = random.Random(args.seed)
    words = Words(random.Random(args.seed))
    now = datetime.now(UTC)
    started = time.perf_counter()
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")

    def insert(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20_000):
                cursor.executemany(sql, rows[start : start + 20_000])

    with transaction.atomic():
        insert(
            "accounts_member",
            [
                "id", "password", "handle", "email", "display_name", "bio", "interests",
                "trust_level", "joined_at", "is_active", "is_staff", "is_superuser",
            ],
            [
                (i, "!", f"m{i}", f"m{i}@bench.invalid", f"Member {i}", "", "[]", 1,
                 now, True, False, False)
                for i in range(1, args.members + 1)
            ],
        )  # fmt: skip
        insert(
            "communities_community",
            ["id", "slug", "name", "description", "visibility", "is_listed", "created_at",
             "created_by_id"],
            [
                (i, f"c{i}", f"Community {i}", words.sentence(8, 20), "open", True, now,
                 rng.randint(1, args.members))
                for i in range(1, args.communities + 1)
            ],
        )  # fmt: skip
    sampled = rng.sample(range(1, args.members + 1), args.samples)
    with transaction.atomic():
        insert(
            "communities_membership",
            ["community_id", "member_id", "state", "role", "request_note", "requested_at",
             "joined_at"],
            [
                (community, member, "active", "member", "", now, now)
                for member in sampled
                for community in rng.sample(range(1, args.communities + 1), args.per_member)
            ],
        )  # fmt: skip
    print(f"  members, communities, memberships: {time.perf_counter() - started:.0f} s")
    span = timedelta(days=365).total_seconds()
    batch = 100_000
    for first in range(1, args.posts + 1, batch):
        ids = range(first, min(first + batch, args.posts + 1))
        posts, entries = [], []
        for post_id in ids:
            # Ids grow with time, as they do for real posts.
            created = now - timedelta(seconds=span * (1 - post_id / args.posts))
            title, body = words.sentence(4, 9), words.sentence(20, 60)
            posts.append(
                (post_id, rng.randint(1, args.communities), rng.randint(1, args.members),
                 title, body, created)
            )  # fmt: skip
            entries.append(("post", post_id, title, "", body))
        with transaction.atomic():
            insert(
                "posts_post",
                ["id", "community_id", "author_id", "title", "body", "created_at"],
                posts,
            )
            insert(
                "search_searchentry",
                ["kind", "object_id", "title", "topics", "body"],
                entries,
            )
        print(
            f"  posts: {ids[-1]:,} ({time.perf_counter() - started:.0f} s)", flush=True
        )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ANALYZE")
            for table in ["accounts_member", "communities_community", "posts_post"]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        else:
            cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s")
    return sampled


def measure(args: argparse.Namespace, sampled: list[int]) -> None:
    from django.db import connection
    from django.test import Client

    from fireside.accounts.models import Member
    from fireside.posts.models import Post

    rng = random.Random(args.seed + 1)
    words = Words(random.Random(args.seed))
    members = {m.pk: m for m in Member.objects.filter(pk__in=sampled)}
    feed_ms, search_ms, baseline_ms = [], [], []
    client = Client()
    for member_id in sampled:
        client.force_login(members[member_id])
        start = time.perf_counter()
        response = client.get("/")
        feed_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code

        query = words.word()
        start = time.perf_counter()
        response = client.get("/search/", {"q": query})
        search_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code

        first = rng.randint(1, max(1, args.posts - 20))
        start = time.perf_counter()
        rows = list(Post.objects.filter(pk__gte=first).order_by("pk")[:20])
        baseline_ms.append((time.perf_counter() - start) * 1000)
        assert len(rows) == 20 or args.posts < 20

    vendor = connection.vendor
    p50 = statistics.median
    print(f"  baseline (20 posts by primary key): p50 {p50(baseline_ms):.2f} ms, "
          f"p95 {percentile(baseline_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"  feed page (GET /):                  p50 {p50(feed_ms):.2f} ms, "
          f"p95 {percentile(feed_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"  post search (GET /search/?q=):      p50 {p50(search_ms):.2f} ms, "
          f"p95 {percentile(search_ms, 0.95):.2f} ms")  # fmt: skip
    print(
        f"RESULT db={vendor} feed_p95_ms={percentile(feed_ms, 0.95):.1f} "
        f"search_p95_ms={percentile(search_ms, 0.95):.1f} "
        f"feed_vs_baseline={p50(feed_ms) / p50(baseline_ms):.1f}"
    )


def run_one(args: argparse.Namespace) -> None:
    """Inside a child process whose environment names the database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fireside.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    sampled = build(args)
    measure(args, sampled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=2_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--per-member", type=int, default=50)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args)
        return
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for database in databases:
        print(f"== {database}", flush=True)
        work = tempfile.mkdtemp(prefix="fireside-bench-")
        env = {
            **os.environ,
            "FIRESIDE_VAR_DIR": work,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": "",
            "REDIS_URL": "",
        }
        name = f"fireside_bench_{os.getpid()}"
        if database == "postgresql":
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True
            )
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        try:
            child = [sys.executable, __file__, "--child", *sys.argv[1:]]
            subprocess.run(child, env=env, check=True)
        finally:
            if database == "postgresql":
                subprocess.run(
                    [
                        "dropdb",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "--if-exists",
                        name,
                    ],
                    check=False,
                )


if __name__ == "__main__":
    main()
