import csv
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fireside.ratings import bridging

INPUT_COLUMNS = ("item_id", "rater_id", "value")
OUTPUT_COLUMNS = ("item_id", "intercept", "factor", "status")


class Command(BaseCommand):
    help = (
        "Run the bridging scorer on a ratings table, so anyone can reproduce a "
        "community's Highlights from exported data. Input columns item_id,rater_id,value "
        "(value 1, 0.5 or 0); output columns item_id,intercept,factor,status with status "
        "helpful, not_helpful or needs_more_ratings (intercept and factor are empty for "
        "items left out of the fit)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("ratings", help="the ratings table (CSV with a header row)")
        parser.add_argument("out", help="where to write the scores (CSV)")
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            help="seed of the starting factors (default 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_ratings(Path(options["ratings"]))
        try:
            scores = bridging.score_table(rows, seed=options["seed"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            with Path(options["out"]).open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(OUTPUT_COLUMNS)
                for score in scores:
                    writer.writerow(
                        (
                            score.item_id,
                            "" if score.intercept is None else repr(score.intercept),
                            "" if score.factor is None else repr(score.factor),
                            score.status.value,
                        )
                    )
        except OSError as error:
            raise CommandError(
                f"Cannot write {options['out']}: {error.strerror}."
            ) from None
        helpful = sum(score.status == bridging.Status.HELPFUL for score in scores)
        self.stdout.write(
            f"Scored {len(scores)} items from {len(rows)} ratings; {helpful} found "
            f"helpful across perspectives. Wrote {options['out']}."
        )


def read_ratings(path: Path) -> list[tuple[str, str, float]]:
    """Read and check the ratings table; every problem names its line."""
    try:
        source = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    rows: list[tuple[str, str, float]] = []
    seen: set[tuple[str, str]] = set()
    with source:
        reader = csv.DictReader(source)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in INPUT_COLUMNS if name not in header]
        if missing:
            raise CommandError(
                f"{path} has no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''}: the header row must name "
                f"{','.join(INPUT_COLUMNS)}."
            )
        reader.fieldnames = header
        try:
            for record in reader:
                line = reader.line_num
                item_id = (record["item_id"] or "").strip()
                rater_id = (record["rater_id"] or "").strip()
                raw = (record["value"] or "").strip()
                if not item_id or not rater_id:
                    raise CommandError(
                        f"Line {line}: item_id and rater_id cannot be empty."
                    )
                rows.append((item_id, rater_id, parse_value(raw, line)))
                if (item_id, rater_id) in seen:
                    raise CommandError(
                        f"Line {line}: rater {rater_id} already rated item {item_id}; "
                        "the table needs one rating per rater and item."
                    )
                seen.add((item_id, rater_id))
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        except csv.Error as error:
            raise CommandError(f"Line {reader.line_num}: {error}.") from None
    return rows


def parse_value(raw: str, line: int) -> float:
    try:
        number = float(raw)
    except ValueError:
        raise CommandError(
            f"Line {line}: value “{raw}” is not a number; use 1 (helpful), "
            "0.5 (somewhat helpful) or 0 (not helpful)."
        ) from None
    if math.isnan(number) or number not in bridging.ALLOWED_VALUES:
        raise CommandError(
            f"Line {line}: value {raw} is not allowed; use 1 (helpful), "
            "0.5 (somewhat helpful) or 0 (not helpful)."
        )
    return number
