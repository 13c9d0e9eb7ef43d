"""`export_ratings`: a community's ratings, raters pseudonymised, that reproduce its
Highlights through the scorer."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from fireside.communities.tests.factories import CommunityFactory
from fireside.ratings import actions
from fireside.ratings.bridging import score_table
from fireside.ratings.models import ItemScore
from fireside.ratings.tests.factories import TwoCamps, rater

pytestmark = pytest.mark.django_db


@pytest.fixture
def camps(alice):
    camps = TwoCamps(CommunityFactory(slug="city-skies"), bridging_author=alice)
    camps.rate_all()
    actions.score_community(camps.community)
    return camps


def _export(tmp_path, slug="city-skies"):
    out = tmp_path / "ratings.csv"
    stdout = io.StringIO()
    call_command("export_ratings", slug, str(out), stdout=stdout)
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle)), stdout.getvalue()


def test_export_writes_every_rating_with_pseudonymous_raters(tmp_path, camps):
    rows, message = _export(tmp_path)

    assert len(rows) == len(camps.raters) * 12
    assert set(rows[0]) == {"item_id", "rater_id", "value"}
    assert {row["value"] for row in rows} == {"1", "0.5", "0"}
    assert f"post:{camps.bridging.pk}" in {row["item_id"] for row in rows}
    pseudonyms = {row["rater_id"] for row in rows}
    assert len(pseudonyms) == len(camps.raters)
    text = (tmp_path / "ratings.csv").read_text()
    for member in camps.raters:
        assert member.handle not in text
        assert str(member.pk) not in pseudonyms
        assert member.email not in text
    assert f"--seed {camps.community.pk}" in message


def test_export_pseudonyms_differ_between_communities(tmp_path, camps):
    other = CommunityFactory(slug="other-skies")
    member = camps.raters[0]
    rater(other, member)
    actions.rate(camps.bridging, by=member, value="somewhat")
    in_city = {row["rater_id"] for row in _export(tmp_path)[0]}

    from fireside.ratings.queries import pseudonym

    assert pseudonym(other, member.pk) not in in_city
    assert pseudonym(camps.community, member.pk) in in_city


def test_export_round_trips_through_the_scorer(tmp_path, camps):
    rows, _ = _export(tmp_path)

    scores = score_table(
        [(row["item_id"], row["rater_id"], float(row["value"])) for row in rows],
        seed=camps.community.pk,
    )

    stored = {score.item_id: score for score in ItemScore.objects.all()}
    assert {s.item_id: str(s.status) for s in scores} == {
        item_id: score.status for item_id, score in stored.items()
    }
    for score in scores:
        assert score.intercept == pytest.approx(stored[score.item_id].intercept)


def test_export_then_bridging_score_reproduces_highlights(tmp_path, camps):
    _export(tmp_path)
    scores_csv = tmp_path / "scores.csv"

    call_command(
        "bridging_score",
        str(tmp_path / "ratings.csv"),
        str(scores_csv),
        "--seed",
        str(camps.community.pk),
        stdout=io.StringIO(),
    )

    with scores_csv.open(newline="") as handle:
        helpful = {
            row["item_id"]
            for row in csv.DictReader(handle)
            if row["status"] == "helpful"
        }
    labelled = {
        score.item_id
        for score in ItemScore.objects.filter(status=ItemScore.Status.HELPFUL)
    }
    assert helpful == labelled == {f"post:{camps.bridging.pk}"}


def test_export_of_an_unknown_community_fails_clearly(tmp_path, db):
    with pytest.raises(CommandError, match="No community has the slug"):
        call_command("export_ratings", "nowhere", str(tmp_path / "x.csv"))
