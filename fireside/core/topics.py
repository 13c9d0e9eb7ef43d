"""Topic tags, shared by member interests and community topics: lowercase words joined by
hyphens ("board-games"), so one topic has one spelling."""

import re
import unicodedata

TOPIC_PATTERN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
TOPIC_MAX_LENGTH = 30


def normalize_topic(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).casefold().strip().lstrip("#")
    return re.sub(r"[\s_]+", "-", text).strip("-")


def parse_topics(raw: str | list[str], *, limit: int) -> tuple[list[str], list[str]]:
    """Split RAW (a list, or text separated by commas) into normalized topics.

    Returns the topics in first-seen order without repeats, and the problems found.
    """
    items: list[object] = list(raw.split(",") if isinstance(raw, str) else raw)
    topics: list[str] = []
    problems: list[str] = []
    for item in items:
        if not isinstance(item, str):
            problems.append("Each topic must be text.")
            continue
        topic = normalize_topic(item)
        if not topic:
            continue
        if len(topic) > TOPIC_MAX_LENGTH or not TOPIC_PATTERN.fullmatch(topic):
            problems.append(
                f"“{item.strip()[:40]}” is not a topic: use letters and digits, with hyphens "
                f"between words, up to {TOPIC_MAX_LENGTH} characters."
            )
            continue
        if topic not in topics:
            topics.append(topic)
    if len(topics) > limit:
        problems.append(f"Choose at most {limit} topics.")
    return topics, problems
