"""Instance blocks: whether a domain is blocked by the administrators (defederation) or,
for one community, by its cohort. A block covers the domain and all its subdomains."""

import csv
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Q

from fireside.federation import conf
from fireside.federation.models import CommunityInstanceBlock, InstanceBlock

#: The longest reason a block keeps, in characters (the models' field).
REASON_MAX_LENGTH = 500


def normalize_domain(value: str) -> str:
    """A host name as blocks store it: lower-case, no scheme, path, port or dots around."""
    value = value.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    return value.split("/", 1)[0].split(":", 1)[0].strip(".")


def _candidates(domain: str) -> list[str]:
    """DOMAIN and every parent domain of it: a.b.example -> a.b.example, b.example, example."""
    host = normalize_domain(domain)
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts)) if parts[i]]


def domain_of(url: str) -> str:
    return normalize_domain(urlsplit(url).hostname or "")


def within(field: str, domain: str) -> Q:
    """Rows whose FIELD (a host name) is DOMAIN or one of its subdomains."""
    return Q(**{field: domain}) | Q(**{f"{field}__endswith": f".{domain}"})


def covers(domain: str, host: str) -> bool:
    """Whether a block of DOMAIN covers HOST (the same, or a subdomain of it)."""
    return domain in _candidates(host)


def instance_blocked(domain_or_url: str) -> bool:
    """Whether the administrators blocked this domain (or a parent of it)."""
    domain = domain_of(domain_or_url) if "://" in domain_or_url else domain_or_url
    return InstanceBlock.objects.filter(domain__in=_candidates(domain)).exists()


def community_blocked(community_id: int, domain_or_url: str) -> bool:
    """Whether the cohort of COMMUNITY_ID (or the administrators) blocked this domain."""
    domain = domain_of(domain_or_url) if "://" in domain_or_url else domain_or_url
    if instance_blocked(domain):
        return True
    return (
        CommunityInstanceBlock.objects.active()
        .filter(community_id=community_id, domain__in=_candidates(domain))
        .exists()
    )


def unblocked(urls: list[str], *, community_id: int | None = None) -> list[str]:
    """Those of URLS whose host no block covers (the administrators', and COMMUNITY_ID's
    cohort's when given), in two queries however many URLS: fan-outs check every
    follower's inbox."""
    candidates = {url: _candidates(domain_of(url)) for url in urls}
    every = {domain for found in candidates.values() for domain in found}
    blocked = set(
        InstanceBlock.objects.filter(domain__in=every).values_list("domain", flat=True)
    )
    if community_id is not None:
        blocked |= set(
            CommunityInstanceBlock.objects.active()
            .filter(community_id=community_id, domain__in=every)
            .values_list("domain", flat=True)
        )
    return [url for url in urls if blocked.isdisjoint(candidates[url])]


# Administrators' lists: checking a domain, reading and writing CSV ---------------------

#: The longest block list a CSV import reads, in lines.
MAX_IMPORT_LINES = 10_000
#: Columns of the CSV export: Mastodon's own, so another server imports it as is.
EXPORT_HEADER = [
    "#domain",
    "#severity",
    "#reject_media",
    "#reject_reports",
    "#public_comment",
    "#obfuscate",
]
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_REASON_COLUMNS = ("public_comment", "reason", "comment")


def domain_problem(value: str) -> tuple[str, str | None]:
    """(the domain as blocks store it, why it cannot be blocked or None). Names in
    other scripts become their punycode; IPv4 addresses are accepted; a leading `*.`
    is dropped (a block covers subdomains anyway)."""
    raw = value.strip()
    if not raw:
        return "", "Enter a domain, such as spam.example."
    if "*" in raw.removeprefix("*."):
        return raw, "This domain is obfuscated (it has a *); enter it in full."
    if raw.count(":") > 1 and "://" not in raw:
        return raw, "IPv6 addresses cannot be blocked; enter the server's domain."
    domain = normalize_domain(raw.removeprefix("*."))
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return raw, f"“{raw}” is not a domain."
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
    ):
        return domain or raw, f"“{raw}” is not a domain, such as spam.example."
    own = normalize_domain(conf.domain())
    if own and (own == domain or own.endswith(f".{domain}")):
        return domain, "This is your own instance's domain; it cannot be blocked."
    return domain, None


@dataclass(frozen=True)
class CsvLine:
    """One line of a block list: its number (1 = the first line), the domain as given,
    the public reason, and why it cannot be imported (None when it can)."""

    number: int
    domain: str
    reason: str
    problem: str | None


def parse_blocks_csv(text: str) -> list[CsvLine]:
    """The block lines of TEXT: Mastodon's export (`#domain,#severity,...,
    #public_comment,...`), a plain `domain,reason` header, or no header (domain, then
    reason). Blank lines are left out; every other line comes back, with its problem.
    Only full blocks (severity `suspend`, or none) are read: Fireside has no lighter
    kind, and turning a "silence" into a suspension would block more than was meant."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        return []
    names = [cell.strip().lower().lstrip("#") for cell in rows[0]]
    start = 1 if "domain" in names else 0
    if not start:
        names = ["domain", "public_comment"]
    domain_at = names.index("domain")
    severity_at = names.index("severity") if "severity" in names else None
    reason_at = next((names.index(n) for n in _REASON_COLUMNS if n in names), None)
    lines: list[CsvLine] = []
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number > MAX_IMPORT_LINES:
            lines.append(
                CsvLine(
                    number,
                    "",
                    "",
                    f"Only the first {MAX_IMPORT_LINES:,} lines are read; "
                    "import the rest separately.",
                )
            )
            break

        def cell(at: int | None, cells: list[str] = cells) -> str:
            return cells[at] if at is not None and at < len(cells) else ""

        domain, problem = domain_problem(cell(domain_at))
        severity = cell(severity_at).lower()
        if problem is None and severity not in ("", "suspend"):
            problem = (
                f"The severity “{severity[:20]}” is not imported: Fireside only "
                "blocks fully (suspend)."
            )
        reason = cell(reason_at)
        if problem is None and len(reason) > REASON_MAX_LENGTH:
            problem = f"Keep the reason to {REASON_MAX_LENGTH} characters."
        lines.append(CsvLine(number, domain[:255], reason, problem))
    return lines


def export_blocks_csv() -> str:
    """Every administrators' block in Mastodon's CSV format, domains in order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for domain, reason in InstanceBlock.objects.order_by("domain").values_list(
        "domain", "reason"
    ):
        writer.writerow([domain, "suspend", "true", "true", reason, "false"])
    return out.getvalue()
