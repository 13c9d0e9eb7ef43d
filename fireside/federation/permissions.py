"""Who may block other instances: the administrators for the whole instance
(defederation), a community's cohort for its community. `can_*` answer templates;
`check_*` raise with a reason.

The staff pages and staff API answer 404 to everyone else before these run (the staff
area does not announce itself); the NotAllowed here is for any other caller."""

from typing import Any

from fireside.communities.models import Community
from fireside.communities.permissions import is_cohort
from fireside.core.exceptions import NotAllowed
from fireside.staff.permissions import is_staff


def can_block_instances(member: Any) -> bool:
    return is_staff(member)


def check_block_instances(member: Any) -> None:
    """Raise unless MEMBER is one of the administrators, who decide which instances
    this one federates with."""
    if not can_block_instances(member):
        raise NotAllowed(
            "Only the instance's administrators block other instances.",
            code="not_staff",
        )


def can_block_instances_for(member: Any, community: Community) -> bool:
    return is_cohort(member, community)


def check_block_instances_for(member: Any, community: Community) -> None:
    """Raise unless MEMBER belongs to COMMUNITY's cohort, who may keep another
    instance out of their community."""
    if not can_block_instances_for(member, community):
        raise NotAllowed(
            f"Only the cohort of {community.name} blocks instances from it.",
            code="not_cohort",
        )
