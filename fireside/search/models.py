from django.db import models


class SearchEntry(models.Model):
    """The searchable text of one community or post, written only by `fulltext.index`.

    The database derives the full-text index from these rows, so that every write and
    delete, including a test flush, keeps it in step: on PostgreSQL a generated, weighted
    `vector` column with a GIN index per kind; on SQLite one FTS5 table per kind
    (`search_<kind>_fts`, rowid = object id) filled by triggers. Both are created by
    migration 0001, outside the model. A later migration that alters this model rebuilds
    the table on SQLite and drops those triggers: re-create them in the same migration.
    A new kind needs its own FTS5 table, triggers and partial GIN index."""

    class Kind(models.TextChoices):
        COMMUNITY = "community"
        POST = "post"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField()
    title = models.TextField()
    # Topic names separated by spaces; "board-games" is searchable as "board games".
    topics = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            # Also the index behind newest-first candidate selection on PostgreSQL.
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_entry_unique_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
