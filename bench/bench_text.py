"""How much the one sanitizer costs per text, against escaping the same text (the least any
page must do). Medians of several rounds; prints ratios, not absolute times."""

import html
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fireside.settings")

import django  # noqa: E402

django.setup()

from fireside.core.text import _parser, render_markdown, sanitize_html  # noqa: E402

WORDS = [
    "the",
    "a",
    "star",
    "hive",
    "gear",
    "frame",
    "chain",
    "honey",
    "orbit",
    "winter",
    "light",
    "slow",
    "long",
    "answer",
]


def corpus(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(10, 80))]
            if rng.random() < 0.5:
                words[3] = f"**{words[3]}**"
            if rng.random() < 0.3:
                words[5] = f"[link](https://example.org/{words[5]})"
            paragraphs.append(" ".join(words))
        texts.append("\n\n".join(paragraphs))
    return texts


def timed(function, texts, rounds=7):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            function(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    texts = corpus(2000)
    baseline = timed(html.escape, texts)
    parse_only = timed(_parser().render, texts)
    full = timed(render_markdown, texts)
    rendered = [_parser().render(text) for text in texts]
    clean_only = timed(sanitize_html, rendered)
    print(f"texts: {len(texts)}, median of 7 rounds; baseline = html.escape")
    print(f"markdown-it only      {parse_only / baseline:8.1f}x baseline")
    print(f"nh3 clean only        {clean_only / baseline:8.1f}x baseline")
    print(f"render_markdown       {full / baseline:8.1f}x baseline")
    print(
        f"per text, full render {full / len(texts) * 1e6:8.1f} µs (this machine, this run)"
    )


if __name__ == "__main__":
    main()
