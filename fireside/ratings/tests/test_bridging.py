"""The bridging scorer on small hand-made communities, its invariants under hypothesis,
and the `bridging_score` operator command. No database."""

import csv
import math

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from fireside.ratings import bridging
from fireside.ratings.bridging import Status

CAMP_SIZE = 10
#: Items that define the two camps: camp A finds the first half helpful and the second
#: half not, camp B the reverse.
CAMP_ITEMS = 12


def two_camps():
    """Ratings (item, rater, value) of two camps of 10 raters over 12 polarised items,
    every rater with 12 ratings."""
    rows = []
    for camp in ("a", "b"):
        for number in range(CAMP_SIZE):
            rater = f"{camp}{number}"
            for item in range(CAMP_ITEMS):
                likes = (item < CAMP_ITEMS // 2) == (camp == "a")
                rows.append((f"camp-item-{item}", rater, 1.0 if likes else 0.0))
    return rows


def everyone(item, value_a, value_b):
    return [
        (item, f"{camp}{number}", value_a if camp == "a" else value_b)
        for camp in ("a", "b")
        for number in range(CAMP_SIZE)
    ]


def columns(rows):
    return [row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]


def statuses(rows, **options):
    result = bridging.fit(*columns(rows), **options)
    return dict(zip(result.item_ids.tolist(), result.item_status, strict=True)), result


def test_fit_one_camp_item_is_never_helpful():
    rows = (
        two_camps() + everyone("one-camp", 1.0, 0.0) + everyone("other-camp", 0.0, 1.0)
    )

    found, result = statuses(rows)

    assert found["one-camp"] != Status.HELPFUL
    assert found["other-camp"] != Status.HELPFUL
    position = result.item_ids.tolist().index("one-camp")
    assert abs(result.item_factor[position]) >= bridging.HELPFUL_MAX_FACTOR


def test_fit_bridging_item_is_helpful():
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + everyone("one-camp", 1.0, 0.0)

    found, result = statuses(rows)

    assert found["bridge"] == Status.HELPFUL
    position = result.item_ids.tolist().index("bridge")
    assert result.item_intercept[position] >= bridging.HELPFUL_MIN_INTERCEPT
    assert abs(result.item_factor[position]) < bridging.HELPFUL_MAX_FACTOR


def test_fit_item_nobody_finds_helpful_is_not_helpful():
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + everyone("dud", 0.0, 0.0)

    found, _ = statuses(rows)

    assert found["dud"] == Status.NOT_HELPFUL


def test_fit_item_with_fewer_than_five_ratings_needs_more_ratings():
    thin = [("thin", rater, 1.0) for rater in ("a0", "a1", "b0", "b1")]
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + thin

    found, result = statuses(rows)

    position = result.item_ids.tolist().index("thin")
    assert found["thin"] == Status.NEEDS_MORE_RATINGS
    assert not result.item_fitted[position]
    assert math.isnan(result.item_intercept[position])
    assert result.item_n_ratings[position] == 4
    # The same item with a fifth rating from the other camp is scored.
    found, _ = statuses(rows + [("thin", "b2", 1.0)])
    assert found["thin"] == Status.HELPFUL


def test_fit_raters_with_fewer_than_ten_ratings_are_left_out():
    newcomer = [(f"camp-item-{item}", "newcomer", 1.0) for item in range(9)]
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + newcomer
    with_newcomer, result = statuses(rows)
    without_newcomer, reference = statuses(two_camps() + everyone("bridge", 1.0, 1.0))

    position = result.rater_ids.tolist().index("newcomer")
    assert not result.rater_fitted[position]
    assert math.isnan(result.rater_factor[position])
    assert result.rater_n_ratings[position] == 9
    assert result.rater_fitted.sum() == 2 * CAMP_SIZE
    # Left out means no influence at all on the fit.
    np.testing.assert_allclose(result.item_intercept, reference.item_intercept)
    assert with_newcomer == without_newcomer


def test_fit_filter_repeats_until_stable():
    # "edge" has 5 ratings, but one comes from a rater whose tenth rating is on
    # "edge" itself: once "thin" (4 ratings) goes, that rater has 9 and goes too, and
    # then "edge" has only 4.
    rows = two_camps() + everyone("bridge", 1.0, 1.0)
    rows += [(f"camp-item-{item}", "late", 1.0) for item in range(8)]
    rows += [("thin", rater, 1.0) for rater in ("late", "a1", "a2", "a3")]
    rows += [("edge", rater, 1.0) for rater in ("late", "a4", "b4", "a5", "b5")]

    found, result = statuses(rows)

    assert not result.rater_fitted[result.rater_ids.tolist().index("late")]
    assert found["thin"] == Status.NEEDS_MORE_RATINGS
    assert found["edge"] == Status.NEEDS_MORE_RATINGS
    assert not result.item_fitted[result.item_ids.tolist().index("edge")]


def test_fit_item_rated_by_one_side_only_needs_more_ratings():
    # Five helpful ratings, all from camp A: the model cannot tell it from a bridging
    # item, so it gets no status until the other side has rated it.
    rows = two_camps() + everyone("bridge", 1.0, 1.0)
    rows += [("one-sided", f"a{number}", 1.0) for number in range(5)]

    found, result = statuses(rows)
    assert found["one-sided"] == Status.NEEDS_MORE_RATINGS
    position = result.item_ids.tolist().index("one-sided")
    assert sorted(result.item_raters_per_side[position].tolist()) == [0, 5]

    found, _ = statuses(rows, min_raters_per_side=CAMP_SIZE + 1)
    assert found["bridge"] == Status.NEEDS_MORE_RATINGS
    found, _ = statuses(rows, min_raters_per_side=CAMP_SIZE)
    assert found["bridge"] == Status.HELPFUL


def test_fit_converges_to_a_minimum():
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + everyone("one-camp", 1.0, 0.5)
    result = bridging.fit(*columns(rows))
    longer = bridging.fit(*columns(rows), tolerance=0, max_iterations=500)

    assert result.converged
    assert result.loss <= longer.loss + 1e-6
    np.testing.assert_allclose(result.item_intercept, longer.item_intercept, atol=1e-4)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("i", "r", 0.7)], "0.5"),
        ([("i", "r", 1.0), ("i", "r", 0.0)], "more than once"),
    ],
)
def test_fit_refuses_bad_input(rows, message):
    with pytest.raises(ValueError, match=message):
        bridging.fit(*columns(rows))


def test_fit_empty_table():
    result = bridging.fit([], [], [])
    assert result.item_status == []
    assert bridging.score_table([]) == []


@st.composite
def communities(draw):
    """Random small tables: 12–20 raters, 5–9 items, each pair rated with chance 3/4."""
    n_raters = draw(st.integers(12, 20))
    n_items = draw(st.integers(5, 9))
    cells = draw(
        st.lists(
            st.sampled_from([None, 0.0, 0.5, 1.0]),
            min_size=n_raters * n_items,
            max_size=n_raters * n_items,
        )
    )
    return [
        (f"item-{cell % n_items}", f"rater-{cell // n_items}", value)
        for cell, value in enumerate(cells)
        if value is not None
    ]


def per_item(result, names=None):
    names = names or {}
    return {
        names.get(item, item): (intercept, factor, status, n_ratings)
        for item, intercept, factor, status, n_ratings in zip(
            result.item_ids.tolist(),
            result.item_intercept.tolist(),
            result.item_factor.tolist(),
            result.item_status,
            result.item_n_ratings.tolist(),
            strict=True,
        )
    }


def assert_same_items(renamed, original):
    assert renamed.keys() == original.keys()
    # The factor's sign is a convention; compare it once, over all items.
    sign = 1.0
    for item, (_, factor, _, _) in original.items():
        if not math.isnan(factor) and abs(factor) > 1e-3:
            sign = math.copysign(1.0, factor * renamed[item][1])
            break
    for item, (intercept, factor, status, n_ratings) in original.items():
        other = renamed[item]
        assert other[2] == status
        assert other[3] == n_ratings
        if math.isnan(intercept):
            assert math.isnan(other[0])
            assert math.isnan(other[1])
        else:
            assert other[0] == pytest.approx(intercept, abs=1e-4)
            assert sign * other[1] == pytest.approx(factor, abs=1e-4)


@given(rows=communities(), data=st.data())
def test_fit_relabelling_raters_and_items_keeps_results(rows, data):
    raters = sorted({rater for _, rater, _ in rows})
    items = sorted({item for item, _, _ in rows})
    new_raters = dict(
        zip(raters, data.draw(st.permutations(range(len(raters)))), strict=True)
    )
    new_items = dict(
        zip(
            items,
            [f"x{n}" for n in data.draw(st.permutations(range(len(items))))],
            strict=True,
        )
    )
    order = data.draw(st.permutations(range(len(rows))))
    renamed = [
        (new_items[rows[n][0]], new_raters[rows[n][1]], rows[n][2]) for n in order
    ]

    original = bridging.fit(*columns(rows), seed=5)
    relabelled = bridging.fit(*columns(renamed), seed=5)

    back = {new: old for old, new in new_items.items()}
    assert_same_items(per_item(relabelled, back), per_item(original))


@given(rows=communities(), seed=st.integers(0, 2**32 - 1))
def test_fit_is_deterministic_for_a_seed(rows, seed):
    first = bridging.fit(*columns(rows), seed=seed)
    second = bridging.fit(*columns(rows), seed=seed)

    for name in ("item_intercept", "item_factor", "rater_intercept", "rater_factor"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.item_status == second.item_status


@given(rows=communities(), seed=st.integers(0, 1000))
def test_fit_statuses_are_the_three_values(rows, seed):
    result = bridging.fit(*columns(rows), seed=seed)

    assert len(result.item_status) == len(result.item_ids)
    assert {str(status) for status in result.item_status} <= {
        "helpful",
        "not_helpful",
        "needs_more_ratings",
    }
    for fitted, status in zip(result.item_fitted, result.item_status, strict=True):
        assert fitted or status == Status.NEEDS_MORE_RATINGS


def write_csv(path, header, rows):
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def test_bridging_score_command_writes_scores(tmp_path):
    rows = two_camps() + everyone("bridge", 1.0, 1.0) + [("thin", "a0", 0.5)]
    ratings, out = tmp_path / "ratings.csv", tmp_path / "scores.csv"
    write_csv(ratings, ["item_id", "rater_id", "value"], rows)

    call_command("bridging_score", str(ratings), str(out), "--seed", "3")

    with out.open(newline="") as file:
        reader = csv.DictReader(file)
        scores = {row["item_id"]: row for row in reader}
        assert reader.fieldnames == ["item_id", "intercept", "factor", "status"]
    assert scores["bridge"]["status"] == "helpful"
    assert float(scores["bridge"]["intercept"]) >= 0.40
    assert scores["thin"] == {
        "item_id": "thin",
        "intercept": "",
        "factor": "",
        "status": "needs_more_ratings",
    }
    expected = bridging.score_table(rows, seed=3)
    assert [scores[score.item_id]["status"] for score in expected] == [
        score.status for score in expected
    ]


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (["item_id", "value"], [("i", "1")], "no rater_id column"),
        (["item_id", "rater_id", "value"], [("i", "r", "0.7")], "Line 2: value 0.7"),
        (
            ["item_id", "rater_id", "value"],
            [("i", "r", "yes")],
            "“yes” is not a number",
        ),
        (["item_id", "rater_id", "value"], [("i", "r", "nan")], "not allowed"),
        (["item_id", "rater_id", "value"], [("i", "", "1")], "cannot be empty"),
        (
            ["item_id", "rater_id", "value"],
            [("i", "r", "1"), ("i", "r", "0")],
            "Line 3: rater r already rated item i",
        ),
    ],
)
def test_bridging_score_command_refuses_bad_input(tmp_path, header, rows, message):
    ratings, out = tmp_path / "ratings.csv", tmp_path / "scores.csv"
    write_csv(ratings, header, rows)

    with pytest.raises(CommandError, match=message):
        call_command("bridging_score", str(ratings), str(out))
    assert not out.exists()


def test_bridging_score_command_refuses_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "bridging_score", str(tmp_path / "nope.csv"), str(tmp_path / "out.csv")
        )
