"""Who may do what with blocklists. Lists belong to a community's cohort; published lists
are read by every cohort. Ordinary members never see a list or its entries."""

from typing import Any

from fireside.blocklists.models import Blocklist, is_in_any_cohort
from fireside.communities.models import Community
from fireside.communities.permissions import is_cohort
from fireside.core.exceptions import NotAllowed


def can_manage_blocklist(member: Any, blocklist: Blocklist) -> bool:
    return is_cohort(member, blocklist.community)


def check_manage_blocklist(member: Any, blocklist: Blocklist) -> None:
    """Raise unless MEMBER belongs to the cohort that keeps BLOCKLIST: entries, publishing."""
    if not can_manage_blocklist(member, blocklist):
        raise NotAllowed(
            f"Only the cohort of {blocklist.community.name} changes this list.",
            code="not_cohort",
        )


def check_manage_blocklists_of(member: Any, community: Community) -> None:
    """Raise unless MEMBER belongs to COMMUNITY's cohort: its lists and subscriptions."""
    if not is_cohort(member, community):
        raise NotAllowed(
            "Blocklists are a cohort tool: only the community's cohort uses them.",
            code="not_cohort",
        )


def can_browse_blocklists(member: Any) -> bool:
    if member is None or not member.is_authenticated:
        return False
    return bool(member.is_staff) or is_in_any_cohort(member)


def check_browse_blocklists(member: Any) -> None:
    """Raise unless MEMBER may read the directory of published lists: cohort members of
    any community, and the instance's administrators."""
    if not can_browse_blocklists(member):
        raise NotAllowed(
            "Published blocklists are for the cohorts that moderate communities.",
            code="not_cohort",
        )
