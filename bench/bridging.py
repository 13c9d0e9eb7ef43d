"""How well, how fast and in how much memory the bridging scorer finds what bridges.

Generates a seeded synthetic community and fits fireside/ratings/bridging.py to it:

- raters in two camps: each has a latent polarity, ±1 plus normal noise (sd 0.3); 5 % of
  raters are "noisy" and rate at random;
- items of four kinds: bridging (both camps find them helpful), one-camp (the rater's own
  camp finds them helpful, the other not; half for each camp), unhelpful (nobody), and
  middling (a coin toss for everyone). Raters see items regardless of camp;
- rater activity and item popularity are lognormal (σ 1 and 1.5), so a few raters and items
  have many ratings and most have few; pairs are drawn without repeats.

The truth: an item is "found helpful across perspectives" when it is a bridging item.
Printed: precision over every item labelled helpful; recall over bridging items with 40 or
more ratings; the number of one-camp items labelled helpful (the target is 0); the fit time
(wall clock of a `fit()` call, median of 3, ids already integers; the CPU time is
printed too, as the wall clock suffers most on a busy machine); the peak memory of the fit, as
tracemalloc's peak of Python/numpy allocations during the fit, in a second fit of the same
data (tracemalloc slows numpy, so the timed fit runs without it); and the baseline: one
scipy.sparse CSR matrix-vector product over all ratings, timed the same way (median of 7).

    .venv/bin/python bench/bridging.py            # 10,000 raters × 2,000 items × 200,000 ratings
    .venv/bin/python bench/bridging.py --big      # 100,000 × 20,000 × 2,000,000
    .venv/bin/python bench/bridging.py --both     # the small, then the big

The last line of each size is
`RESULT precision=… recall40=… fit_s=… peak_mib=… fit_vs_matvec=…`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fireside.ratings import bridging  # noqa: E402

BRIDGING, ONE_CAMP, UNHELPFUL, MIDDLING = 0, 1, 2, 3
#: Share of items of each kind, in the order above.
KIND_SHARES = (0.15, 0.35, 0.3, 0.2)
NOISY_RATER_SHARE = 0.05


@dataclass
class Community:
    item_ids: np.ndarray
    rater_ids: np.ndarray
    values: np.ndarray
    item_kind: np.ndarray
    item_count: np.ndarray


def generate(n_raters: int, n_items: int, n_ratings: int, seed: int) -> Community:
    rng = np.random.default_rng(seed)
    camp = rng.choice((-1.0, 1.0), n_raters)
    polarity = camp + rng.normal(0.0, 0.3, n_raters)
    noisy = rng.random(n_raters) < NOISY_RATER_SHARE
    kind = rng.choice(4, n_items, p=KIND_SHARES)
    side = rng.choice((-1.0, 1.0), n_items)
    # Quality of bridging items varies: some are liked a little less by everyone.
    quality = rng.uniform(0.85, 0.97, n_items)

    activity = rng.lognormal(0.0, 1.0, n_raters)
    popularity = rng.lognormal(0.0, 1.5, n_items)
    rater_p = activity / activity.sum()
    item_p = popularity / popularity.sum()
    # No item is expected to be rated by more than a quarter of the raters.
    item_p = np.minimum(item_p, 0.25 * n_raters / n_ratings)
    item_p /= item_p.sum()

    # Draw pairs until there are enough distinct ones.
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < n_ratings:
        need = int((n_ratings - len(keys)) * 1.3) + 1000
        raters = rng.choice(n_raters, need, p=rater_p)
        items = rng.choice(n_items, need, p=item_p)
        fresh = raters.astype(np.int64) * n_items + items
        keys = np.concatenate((keys, fresh))
        _, first = np.unique(keys, return_index=True)
        keys = keys[np.sort(first)]
    keys = keys[:n_ratings]
    rater = keys // n_items
    item = keys % n_items

    # Probability of "helpful" and of "somewhat" for each pair; the rest is "not".
    item_kind = kind[item]
    helpful = np.empty(n_ratings)
    somewhat = np.full(n_ratings, 0.1)
    is_bridging = item_kind == BRIDGING
    helpful[is_bridging] = quality[item[is_bridging]]
    is_camp = item_kind == ONE_CAMP
    agreement = polarity[rater[is_camp]] * side[item[is_camp]]
    helpful[is_camp] = 0.9 / (1.0 + np.exp(-4.0 * agreement))
    helpful[item_kind == UNHELPFUL] = 0.05
    helpful[item_kind == MIDDLING] = 0.45
    somewhat = np.minimum(somewhat, 1.0 - helpful)
    draw = rng.random(n_ratings)
    values = np.where(
        draw < helpful, 1.0, np.where(draw < helpful + somewhat, 0.5, 0.0)
    )
    random_values = rng.choice((0.0, 0.5, 1.0), n_ratings)
    values = np.where(noisy[rater], random_values, values)

    return Community(
        item_ids=item,
        rater_ids=rater,
        values=values,
        item_kind=kind,
        item_count=np.bincount(item, minlength=n_items),
    )


def median_seconds(function, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(n_raters: int, n_items: int, n_ratings: int, seed: int) -> None:
    print(
        f"\n== {n_raters:,} raters × {n_items:,} items × {n_ratings:,} ratings "
        f"(seed {seed}) =="
    )
    community = generate(n_raters, n_items, n_ratings, seed)

    matrix = sp.csr_matrix(
        (community.values, (community.rater_ids, community.item_ids)),
        shape=(n_raters, n_items),
    )
    vector = np.random.default_rng(seed).normal(size=n_items)
    matvec_s = median_seconds(lambda: matrix @ vector, rounds=7)

    fit_samples, cpu_samples = [], []
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = bridging.fit(
            community.item_ids, community.rater_ids, community.values, seed=seed
        )
        fit_samples.append(time.perf_counter() - start)
        cpu_samples.append(time.process_time() - cpu_start)
    fit_s = statistics.median(fit_samples)
    cpu_s = statistics.median(cpu_samples)

    tracemalloc.start()
    bridging.fit(community.item_ids, community.rater_ids, community.values, seed=seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mib = peak / 2**20

    kind = community.item_kind[result.item_ids]
    count = community.item_count[result.item_ids]
    labelled = np.array(
        [status == bridging.Status.HELPFUL for status in result.item_status]
    )
    not_helpful = np.array(
        [status == bridging.Status.NOT_HELPFUL for status in result.item_status]
    )
    true_positive = int((labelled & (kind == BRIDGING)).sum())
    precision = true_positive / labelled.sum() if labelled.any() else 1.0
    wanted = (kind == BRIDGING) & (count >= 40)
    recall40 = float((labelled & wanted).sum() / wanted.sum()) if wanted.any() else 1.0
    recall_all = (labelled & (kind == BRIDGING)).sum() / max(
        (kind == BRIDGING).sum(), 1
    )
    one_camp_helpful = int((labelled & (kind == ONE_CAMP)).sum())

    print(
        f"fit: {result.iterations} sweeps, converged={result.converged}, "
        f"{int(result.rater_fitted.sum()):,} raters and {int(result.item_fitted.sum()):,} "
        "items in the fit"
    )
    print(
        f"labelled helpful: {int(labelled.sum())} items, {true_positive} of them bridging; "
        f"one-camp items labelled helpful: {one_camp_helpful} (target 0)"
    )
    print(
        f"bridging items with 40+ ratings: {int(wanted.sum())}, found {int((labelled & wanted).sum())}; "
        f"all bridging items: recall {recall_all:.3f}"
    )
    print(
        f"labelled not helpful: {int(not_helpful.sum())} items, of which unhelpful: "
        f"{int((not_helpful & (kind == UNHELPFUL)).sum())}, bridging: "
        f"{int((not_helpful & (kind == BRIDGING)).sum())}"
    )
    issue_rule = np.array(
        [
            fitted and bridging.status_for(c, g) == bridging.Status.HELPFUL
            for c, g, fitted in zip(
                result.item_intercept.tolist(),
                result.item_factor.tolist(),
                result.item_fitted.tolist(),
                strict=True,
            )
        ]
    )
    print(
        "issue 7's thresholds alone (no raters-on-both-sides rule): "
        f"{int(issue_rule.sum())} labelled helpful, precision "
        f"{(issue_rule & (kind == BRIDGING)).sum() / max(issue_rule.sum(), 1):.4f}, "
        f"one-camp items labelled helpful: {int((issue_rule & (kind == ONE_CAMP)).sum())}, "
        f"recall40 {(issue_rule & wanted).sum() / max(wanted.sum(), 1):.4f}"
    )
    print(
        f"fit {fit_s:.3f} s wall, {cpu_s:.3f} s CPU (medians of 3); baseline CSR matvec {matvec_s * 1000:.3f} ms (median of 7); "
        f"peak {peak_mib:.1f} MiB (tracemalloc peak during fit)"
    )
    print(
        f"RESULT precision={precision:.4f} recall40={recall40:.4f} fit_s={fit_s:.3f} "
        f"peak_mib={peak_mib:.1f} fit_vs_matvec={fit_s / matvec_s:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--big", action="store_true", help="100,000 × 20,000 × 2,000,000")
    size.add_argument("--both", action="store_true", help="the small, then the big")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    if not arguments.big:
        run(10_000, 2_000, 200_000, arguments.seed)
    if arguments.big or arguments.both:
        run(100_000, 20_000, 2_000_000, arguments.seed)


if __name__ == "__main__":
    main()
