"""`manage.py export_ratings COMMUNITY OUT.csv`: a community's ratings as
`item_id,rater_id,value`, raters pseudonymised with a keyed hash, so anyone can reproduce
its Highlights with `manage.py bridging_score OUT.csv SCORES.csv --seed N`."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fireside.communities.models import Community
from fireside.ratings import queries


def _value(value: float) -> str:
    return "0.5" if value == 0.5 else str(int(value))


class Command(BaseCommand):
    help = (
        "Write a community's ratings to a CSV file (item_id,rater_id,value; value 1, "
        "0.5 or 0), with every rater replaced by a keyed pseudonym."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("community", help="The community's slug.")
        parser.add_argument("out", help="The CSV file to write ('-' for stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"No community has the slug “{options['community']}”.")
        rows = queries.ratings_table(community)
        out = options["out"]
        if out == "-":
            self._write(self.stdout, rows)
        else:
            try:
                with Path(out).open("w", newline="", encoding="utf-8") as handle:
                    self._write(handle, rows)
            except OSError as error:
                raise CommandError(
                    f"Could not write {out}: {error.strerror}."
                ) from error
            self.stdout.write(
                f"Wrote {len(rows)} ratings of {community.slug} to {out}. Reproduce "
                f"its Highlights with: manage.py bridging_score {out} SCORES.csv "
                f"--seed {queries.seed_for(community)}"
            )

    def _write(self, handle: Any, rows: list[tuple[str, str, float]]) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["item_id", "rater_id", "value"])
        for item_id, rater_id, value in rows:
            writer.writerow([item_id, rater_id, _value(value)])
