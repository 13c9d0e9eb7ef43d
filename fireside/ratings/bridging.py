"""The bridging scorer: the matrix factorisation of the published Community Notes model
(Wojcik et al., 2022, "Birdwatch: crowd wisdom and bridging algorithms").

Pure numpy/scipy, no Django, so that the background task, the `bridging_score` operator
command and `bench/bridging.py` all run the same code, with or without a database.

The model, with one factor dimension::

    rating ≈ μ + i_rater + i_item + f_rater · f_item

fitted by minimising, over the ratings kept in the fit (helpful = 1, somewhat = 0.5,
not helpful = 0)::

    Σ (rating − prediction)²
      + λ_i (μ² + Σ i_rater² + Σ i_item²)
      + λ_f (Σ f_rater² + Σ f_item²)

with λ_i = 0.15 and λ_f = 0.03, applied to the plain sums (not to means), as issue 7 and
the paper's formula give them. μ is regularised with the intercepts, as in the paper; with
thousands of ratings that term is negligible. (The Community Notes code base has since
moved to other weights and to means; this follows the issue's numbers.)

Who is in the fit: raters with fewer than `MIN_RATER_RATINGS` ratings and items with fewer
than `MIN_ITEM_RATINGS` are left out, and the two filters are applied in turn until neither
removes anything more. So every fitted rater has at least 10 ratings on fitted items and
every fitted item at least 5 ratings from fitted raters. Items left out are
`needs_more_ratings`, with NaN intercept and factor (they were not estimated).

Status of a fitted item: `helpful` ("found helpful across perspectives") when
i_item ≥ 0.40 and |f_item| < 0.5; `not_helpful` when i_item ≤ −0.05 − 0.8·|f_item|;
otherwise `needs_more_ratings`. One rule beyond issue 7: either status also needs at
least `MIN_RATERS_PER_SIDE` (2) fitted raters on each side of the factor (f_rater > 0 and
f_rater < 0) among the item's raters. Without it, an item that only its own camp happened
to rate (five helpful ratings, all from one side) looks exactly like a bridging item: the
raters' factors barely vary, so the fit puts their agreement in the intercept. The
benchmark found such items on the large synthetic set; pass `min_raters_per_side=0` for
the issue's rule alone.

The fit is alternating least squares in closed form. Each sweep solves, for every rater at
once, the 2×2 ridge system for (i_rater, f_rater) given the item parameters, then μ, then
the same for every item given the rater parameters, then μ again. Each of those steps is
the exact minimiser of the loss over its block, so the loss never increases. The sums per
rater and per item are sparse matrix products over the ratings. The sweeps stop when no
parameter moved by more than `tolerance` (default 1e-4) in a sweep, or after
`max_iterations` sweeps (default 200; `Result.converged` says which).

Start and determinism: the item factors start from the leading singular vector of the
ratings with the means taken out (see `_initial_item_factors`), which does not depend on
how raters and items are named; on large tables ARPACK computes it from a start vector
seeded by `seed`. Every step is a fixed sequence of numpy/scipy operations, so a table and
a seed give the same numbers on every run.
The factor's sign is arbitrary (flipping every f gives the same loss); it is fixed so that
Σ f_item³ over fitted items is ≥ 0, which does not depend on how raters or items are
named or ordered. Statuses use |f| and never depend on the sign.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.linalg import svds  # type: ignore[import-untyped]

LAMBDA_INTERCEPT = 0.15
LAMBDA_FACTOR = 0.03
MIN_RATER_RATINGS = 10
MIN_ITEM_RATINGS = 5
HELPFUL_MIN_INTERCEPT = 0.40
HELPFUL_MAX_FACTOR = 0.5
NOT_HELPFUL_INTERCEPT = -0.05
NOT_HELPFUL_FACTOR_SLOPE = 0.8
#: Fitted raters needed on each side of the factor before an item gets a status.
MIN_RATERS_PER_SIDE = 2
#: Stop when no parameter changed by more than this in one sweep. On the bench's big set
#: 1e-4 takes 95 sweeps against 121 for 1e-5, with every item's status the same; the
#: status thresholds are two decimals apart.
TOLERANCE = 1e-4
MAX_ITERATIONS = 200
#: Up to this many rater × item cells the starting factors come from a dense SVD.
DENSE_SVD_CELLS = 4_000_000
ALLOWED_VALUES = (0.0, 0.5, 1.0)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Status(StrEnum):
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    NEEDS_MORE_RATINGS = "needs_more_ratings"


@dataclass(frozen=True)
class Result:
    """One fit. Per-item arrays are aligned with `item_ids` (sorted, unique) and per-rater
    arrays with `rater_ids`. Intercept and factor are NaN for whoever was left out of the
    fit (`item_fitted` / `rater_fitted` is False); `*_n_ratings` counts every rating given
    in the input, fitted or not; `item_raters_per_side` counts the item's fitted raters
    with a negative and with a positive factor (columns 0 and 1)."""

    item_ids: npt.NDArray[Any]
    item_intercept: FloatArray
    item_factor: FloatArray
    item_n_ratings: IntArray
    item_fitted: npt.NDArray[np.bool_]
    item_status: list[Status]
    item_raters_per_side: IntArray
    rater_ids: npt.NDArray[Any]
    rater_intercept: FloatArray
    rater_factor: FloatArray
    rater_n_ratings: IntArray
    rater_fitted: npt.NDArray[np.bool_]
    global_intercept: float
    iterations: int
    converged: bool
    loss: float


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    intercept: float | None
    factor: float | None
    status: Status


def status_for(intercept: float, factor: float) -> Status:
    """Classify a fitted item by issue 7's thresholds alone."""
    spread = abs(factor)
    if intercept >= HELPFUL_MIN_INTERCEPT and spread < HELPFUL_MAX_FACTOR:
        return Status.HELPFUL
    if intercept <= NOT_HELPFUL_INTERCEPT - NOT_HELPFUL_FACTOR_SLOPE * spread:
        return Status.NOT_HELPFUL
    return Status.NEEDS_MORE_RATINGS


def fit(
    item_ids: Sequence[Any] | npt.NDArray[Any],
    rater_ids: Sequence[Any] | npt.NDArray[Any],
    values: Sequence[float] | npt.NDArray[Any],
    *,
    seed: int = 0,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    min_raters_per_side: int = MIN_RATERS_PER_SIDE,
) -> Result:
    """Fit the model to one rating per (item, rater) pair; the three sequences are the
    columns of the ratings table. Ids may be any sortable type (all of one type).

    Raises ValueError when the columns differ in length, a value is not 0, 0.5 or 1, or a
    rater rated the same item twice.
    """
    items = np.asarray(item_ids)
    raters = np.asarray(rater_ids)
    ratings = np.asarray(values, dtype=np.float64)
    if not (items.ndim == raters.ndim == ratings.ndim == 1):
        raise ValueError("item_ids, rater_ids and values must be flat sequences.")
    if not (len(items) == len(raters) == len(ratings)):
        raise ValueError("item_ids, rater_ids and values must have the same length.")
    if not np.isin(ratings, ALLOWED_VALUES).all():
        raise ValueError("Every value must be 1 (helpful), 0.5 (somewhat) or 0 (not).")

    item_keys, item_index = np.unique(items, return_inverse=True)
    rater_keys, rater_index = np.unique(raters, return_inverse=True)
    item_index = item_index.astype(np.int64, copy=False)
    rater_index = rater_index.astype(np.int64, copy=False)
    n_items, n_raters = len(item_keys), len(rater_keys)
    item_counts = np.bincount(item_index, minlength=n_items).astype(np.int64)
    rater_counts = np.bincount(rater_index, minlength=n_raters).astype(np.int64)

    if len(ratings):
        pattern = sp.csr_matrix(
            (np.ones(len(ratings)), (rater_index, item_index)),
            shape=(n_raters, n_items),
        )
        pattern.sum_duplicates()
        if pattern.nnz != len(ratings):
            raise ValueError("A rater rated the same item more than once.")
        del pattern

    keep = _stable_filter(rater_index, item_index, n_raters, n_items)
    rater_fitted = np.zeros(n_raters, dtype=bool)
    item_fitted = np.zeros(n_items, dtype=bool)
    rater_fitted[rater_index[keep]] = True
    item_fitted[item_index[keep]] = True

    # Renumber the fitted raters and items 0..n-1 for the sparse sums.
    rater_slot = np.cumsum(rater_fitted) - 1
    item_slot = np.cumsum(item_fitted) - 1
    fit = _als(
        rater_slot[rater_index[keep]],
        item_slot[item_index[keep]],
        ratings[keep],
        int(rater_fitted.sum()),
        int(item_fitted.sum()),
        seed=seed,
        tolerance=tolerance,
        max_iterations=max_iterations,
    )

    item_intercept = np.full(n_items, np.nan)
    item_factor = np.full(n_items, np.nan)
    rater_intercept = np.full(n_raters, np.nan)
    rater_factor = np.full(n_raters, np.nan)
    item_intercept[item_fitted] = fit.item_intercept
    item_factor[item_fitted] = fit.item_factor
    rater_intercept[rater_fitted] = fit.rater_intercept
    rater_factor[rater_fitted] = fit.rater_factor

    fitted_item = item_slot[item_index[keep]]
    factor_of_rating = fit.rater_factor[rater_slot[rater_index[keep]]]
    per_side = np.zeros((n_items, 2), dtype=np.int64)
    per_side[item_fitted, 0] = np.bincount(
        fitted_item, weights=factor_of_rating < 0, minlength=fit.item_factor.size
    ).astype(np.int64)
    per_side[item_fitted, 1] = np.bincount(
        fitted_item, weights=factor_of_rating > 0, minlength=fit.item_factor.size
    ).astype(np.int64)
    has_both_sides = per_side.min(axis=1) >= min_raters_per_side
    statuses = [
        status_for(float(c), float(g))
        if fitted and both_sides
        else Status.NEEDS_MORE_RATINGS
        for c, g, fitted, both_sides in zip(
            item_intercept.tolist(),
            item_factor.tolist(),
            item_fitted.tolist(),
            has_both_sides.tolist(),
            strict=True,
        )
    ]
    return Result(
        item_ids=item_keys,
        item_intercept=item_intercept,
        item_factor=item_factor,
        item_n_ratings=item_counts,
        item_fitted=item_fitted,
        item_status=statuses,
        item_raters_per_side=per_side,
        rater_ids=rater_keys,
        rater_intercept=rater_intercept,
        rater_factor=rater_factor,
        rater_n_ratings=rater_counts,
        rater_fitted=rater_fitted,
        global_intercept=fit.global_intercept,
        iterations=fit.iterations,
        converged=fit.converged,
        loss=fit.loss,
    )


def score_table(
    rows: Iterable[tuple[str, str, float]], *, seed: int = 0
) -> list[ItemScore]:
    """Score a ratings table of (item_id, rater_id, value) rows; one ItemScore per item,
    ordered by item_id. Intercept and factor are None for items left out of the fit."""
    item_ids: list[str] = []
    rater_ids: list[str] = []
    values: list[float] = []
    for item_id, rater_id, value in rows:
        item_ids.append(item_id)
        rater_ids.append(rater_id)
        values.append(value)
    result = fit(
        np.array(item_ids, dtype=str),
        np.array(rater_ids, dtype=str),
        np.array(values, dtype=np.float64),
        seed=seed,
    )
    return [
        ItemScore(
            item_id=str(item_id),
            intercept=float(intercept) if fitted else None,
            factor=float(factor) if fitted else None,
            status=status,
        )
        for item_id, intercept, factor, fitted, status in zip(
            result.item_ids.tolist(),
            result.item_intercept.tolist(),
            result.item_factor.tolist(),
            result.item_fitted.tolist(),
            result.item_status,
            strict=True,
        )
    ]


def _stable_filter(
    rater_index: IntArray, item_index: IntArray, n_raters: int, n_items: int
) -> npt.NDArray[np.bool_]:
    """Mask of the ratings kept: drop thin items, then thin raters, until neither
    filter removes anything (each removal can only make others thinner)."""
    keep = np.ones(len(rater_index), dtype=bool)
    while True:
        item_counts = np.bincount(item_index[keep], minlength=n_items)
        enough = keep & (item_counts[item_index] >= MIN_ITEM_RATINGS)
        rater_counts = np.bincount(rater_index[enough], minlength=n_raters)
        enough &= rater_counts[rater_index] >= MIN_RATER_RATINGS
        if int(enough.sum()) == int(keep.sum()):
            return keep
        keep = enough


@dataclass(frozen=True)
class _Fit:
    rater_intercept: FloatArray
    rater_factor: FloatArray
    item_intercept: FloatArray
    item_factor: FloatArray
    global_intercept: float
    iterations: int
    converged: bool
    loss: float


def _als(
    rater_index: IntArray,
    item_index: IntArray,
    ratings: FloatArray,
    n_raters: int,
    n_items: int,
    *,
    seed: int,
    tolerance: float,
    max_iterations: int,
) -> _Fit:
    rater_factor = np.zeros(n_raters)
    rater_intercept = np.zeros(n_raters)
    item_intercept = np.zeros(n_items)
    count = len(ratings)
    if count == 0:
        return _Fit(
            rater_intercept,
            rater_factor,
            item_intercept,
            np.zeros(0),
            0.0,
            0,
            True,
            0.0,
        )
    item_factor = _initial_item_factors(
        rater_index, item_index, ratings, n_raters, n_items, seed
    )

    ones = np.ones(count)
    # Rows are raters in `by_rater`, items in `by_item`; the value matrices share the
    # pattern and carry the ratings.
    by_rater = sp.csr_matrix((ones, (rater_index, item_index)), (n_raters, n_items))
    values_by_rater = sp.csr_matrix(
        (ratings, (rater_index, item_index)), (n_raters, n_items)
    )
    by_item = by_rater.T.tocsr()
    values_by_item = values_by_rater.T.tocsr()
    rater_counts = np.bincount(rater_index, minlength=n_raters).astype(np.float64)
    item_counts = np.bincount(item_index, minlength=n_items).astype(np.float64)
    rater_sums = np.bincount(rater_index, weights=ratings, minlength=n_raters)
    item_sums = np.bincount(item_index, weights=ratings, minlength=n_items)
    total = float(ratings.sum())
    mu = total / (count + LAMBDA_INTERCEPT)

    iterations = 0
    converged = False
    while iterations < max_iterations:
        iterations += 1
        # Raters, given the items' parameters.
        stats = by_rater @ np.column_stack(
            (
                item_factor,
                item_factor * item_factor,
                item_intercept,
                item_factor * item_intercept,
            )
        )
        weighted = values_by_rater @ item_factor
        new_rater_intercept, new_rater_factor = _solve_blocks(
            rater_counts,
            stats[:, 0],
            stats[:, 1],
            rater_sums - mu * rater_counts - stats[:, 2],
            weighted - mu * stats[:, 0] - stats[:, 3],
        )
        change = max(
            _largest(new_rater_intercept - rater_intercept),
            _largest(new_rater_factor - rater_factor),
        )
        rater_intercept, rater_factor = new_rater_intercept, new_rater_factor
        new_mu = _solve_mu(
            total,
            count,
            float(rater_intercept @ rater_counts),
            float(item_intercept @ item_counts),
            float(rater_factor @ stats[:, 0]),
        )
        change = max(change, abs(new_mu - mu))
        mu = new_mu

        # Items, given the raters' parameters.
        stats = by_item @ np.column_stack(
            (
                rater_factor,
                rater_factor * rater_factor,
                rater_intercept,
                rater_factor * rater_intercept,
            )
        )
        weighted = values_by_item @ rater_factor
        new_item_intercept, new_item_factor = _solve_blocks(
            item_counts,
            stats[:, 0],
            stats[:, 1],
            item_sums - mu * item_counts - stats[:, 2],
            weighted - mu * stats[:, 0] - stats[:, 3],
        )
        change = max(
            change,
            _largest(new_item_intercept - item_intercept),
            _largest(new_item_factor - item_factor),
        )
        item_intercept, item_factor = new_item_intercept, new_item_factor
        new_mu = _solve_mu(
            total,
            count,
            float(rater_intercept @ rater_counts),
            float(item_intercept @ item_counts),
            float(item_factor @ stats[:, 0]),
        )
        change = max(change, abs(new_mu - mu))
        mu = new_mu

        # Moves along directions that leave every prediction unchanged and only lower
        # the regularisation; plain ALS crawls along them for thousands of sweeps.
        (
            rater_intercept,
            rater_factor,
            item_intercept,
            item_factor,
            mu,
        ) = _settle_gauge(
            rater_intercept, rater_factor, item_intercept, item_factor, mu
        )
        if change <= tolerance:
            converged = True
            break

    if float(np.sum(item_factor**3)) < 0:
        item_factor = -item_factor
        rater_factor = -rater_factor
    residual = ratings - (
        mu
        + rater_intercept[rater_index]
        + item_intercept[item_index]
        + rater_factor[rater_index] * item_factor[item_index]
    )
    loss = (
        float(residual @ residual)
        + LAMBDA_INTERCEPT
        * (
            mu * mu
            + float(rater_intercept @ rater_intercept)
            + float(item_intercept @ item_intercept)
        )
        + LAMBDA_FACTOR
        * (float(rater_factor @ rater_factor) + float(item_factor @ item_factor))
    )
    return _Fit(
        rater_intercept,
        rater_factor,
        item_intercept,
        item_factor,
        float(mu),
        iterations,
        converged,
        loss,
    )


def _initial_item_factors(
    rater_index: IntArray,
    item_index: IntArray,
    ratings: FloatArray,
    n_raters: int,
    n_items: int,
    seed: int,
) -> FloatArray:
    """Start from the leading singular vector of the ratings with the global mean, the
    item means and the rater means taken out: the direction along which raters disagree
    most. It is the same vector however raters and items are named or ordered (up to
    its sign), so a renamed or pseudonymised table is fitted from the same point; a
    start drawn at random per row could not be, and one drawn per group of look-alike
    items stays exactly symmetric on symmetric data and never finds the factor. Small
    tables use a dense SVD; large ones ARPACK, started from a normal draw seeded by
    `seed`."""
    mean = float(ratings.mean())
    item_counts = np.bincount(item_index, minlength=n_items)
    rater_counts = np.bincount(rater_index, minlength=n_raters)
    item_offset = np.bincount(item_index, ratings - mean, n_items) / item_counts
    centred = ratings - mean - item_offset[item_index]
    rater_offset = np.bincount(rater_index, centred, n_raters) / rater_counts
    centred = centred - rater_offset[rater_index]
    if n_raters * n_items <= DENSE_SVD_CELLS or min(n_raters, n_items) < 3:
        dense = np.zeros((n_raters, n_items))
        dense[rater_index, item_index] = centred
        _, singular, right = np.linalg.svd(dense, full_matrices=False)
        vector, value = right[0], float(singular[0])
    else:
        matrix = sp.csr_matrix(
            (centred, (rater_index, item_index)), (n_raters, n_items)
        )
        start = np.random.default_rng(seed).normal(size=min(n_raters, n_items))
        _, singular_values, right = svds(matrix, k=1, v0=start, random_state=seed)
        vector, value = right[0], float(singular_values[0])
    return np.asarray(vector * np.sqrt(max(value, 1e-12)), dtype=np.float64)


def _settle_gauge(
    rater_intercept: FloatArray,
    rater_factor: FloatArray,
    item_intercept: FloatArray,
    item_factor: FloatArray,
    mu: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float]:
    """Minimise the regularisation exactly along the moves that keep every prediction:
    shifting all rater factors by α while each item's intercept absorbs −α·f_item (and
    the same with raters and items swapped); rescaling f_rater by s and f_item by 1/s;
    and moving a constant between μ, the rater intercepts and the item intercepts."""
    # Rater factors + α, item intercepts − α·f_item.
    alpha = (
        LAMBDA_INTERCEPT * float(item_intercept @ item_factor)
        - LAMBDA_FACTOR * float(rater_factor.sum())
    ) / (
        LAMBDA_FACTOR * len(rater_factor)
        + LAMBDA_INTERCEPT * float(item_factor @ item_factor)
    )
    rater_factor = rater_factor + alpha
    item_intercept = item_intercept - alpha * item_factor
    # Item factors + β, rater intercepts − β·f_rater.
    beta = (
        LAMBDA_INTERCEPT * float(rater_intercept @ rater_factor)
        - LAMBDA_FACTOR * float(item_factor.sum())
    ) / (
        LAMBDA_FACTOR * len(item_factor)
        + LAMBDA_INTERCEPT * float(rater_factor @ rater_factor)
    )
    item_factor = item_factor + beta
    rater_intercept = rater_intercept - beta * rater_factor
    # f_rater · s and f_item / s, with s⁴ = Σ f_item² / Σ f_rater².
    rater_norm = float(rater_factor @ rater_factor)
    item_norm = float(item_factor @ item_factor)
    if rater_norm > 0 and item_norm > 0:
        scale = (item_norm / rater_norm) ** 0.25
        rater_factor = rater_factor * scale
        item_factor = item_factor / scale
    # μ + δ_r + δ_i, rater intercepts − δ_r, item intercepts − δ_i: the minimiser of
    # (μ + δ_r + δ_i)² + Σ (i_rater − δ_r)² + Σ (i_item − δ_i)².
    n_raters, n_items = len(rater_intercept), len(item_intercept)
    rater_sum, item_sum = float(rater_intercept.sum()), float(item_intercept.sum())
    # Normal equations: (n_r + 1) δ_r + δ_i = Σ i_r − μ and δ_r + (n_i + 1) δ_i = Σ i_i − μ.
    determinant = (n_raters + 1) * (n_items + 1) - 1
    delta_rater = ((n_items + 1) * (rater_sum - mu) - (item_sum - mu)) / determinant
    delta_item = ((n_raters + 1) * (item_sum - mu) - (rater_sum - mu)) / determinant
    return (
        rater_intercept - delta_rater,
        rater_factor,
        item_intercept - delta_item,
        item_factor,
        mu + delta_rater + delta_item,
    )


def _solve_blocks(
    count: FloatArray,
    factor_sum: FloatArray,
    factor_square_sum: FloatArray,
    target_sum: FloatArray,
    weighted_target_sum: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Solve every row's 2×2 ridge system at once:
    [[n + λ_i, Σg], [Σg, Σg² + λ_f]] · [i, f] = [Σy, Σg·y]."""
    a = count + LAMBDA_INTERCEPT
    d = factor_square_sum + LAMBDA_FACTOR
    determinant = a * d - factor_sum * factor_sum
    intercept = (d * target_sum - factor_sum * weighted_target_sum) / determinant
    factor = (a * weighted_target_sum - factor_sum * target_sum) / determinant
    return intercept, factor


def _solve_mu(
    total: float,
    count: int,
    rater_intercept_sum: float,
    item_intercept_sum: float,
    product_sum: float,
) -> float:
    return (total - rater_intercept_sum - item_intercept_sum - product_sum) / (
        count + LAMBDA_INTERCEPT
    )


def _largest(difference: FloatArray) -> float:
    return float(np.max(np.abs(difference))) if len(difference) else 0.0
