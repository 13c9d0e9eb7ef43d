"""Instance blocks: whether a domain is blocked by the administrators (defederation) or,
for one community, by its cohort. A block covers the domain and all its subdomains."""

from urllib.parse import urlsplit

from fireside.federation.models import CommunityInstanceBlock, InstanceBlock


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


def instance_blocked(domain_or_url: str) -> bool:
    """Whether the administrators blocked this domain (or a parent of it)."""
    domain = domain_of(domain_or_url) if "://" in domain_or_url else domain_or_url
    return InstanceBlock.objects.filter(domain__in=_candidates(domain)).exists()


def community_blocked(community_id: int, domain_or_url: str) -> bool:
    """Whether the cohort of COMMUNITY_ID (or the administrators) blocked this domain."""
    domain = domain_of(domain_or_url) if "://" in domain_or_url else domain_or_url
    if instance_blocked(domain):
        return True
    return CommunityInstanceBlock.objects.filter(
        community_id=community_id, domain__in=_candidates(domain)
    ).exists()
