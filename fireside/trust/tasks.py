from django.tasks import task

from fireside.trust.actions import recompute_all, recompute_member_by_id


@task()
def recompute_trust_levels() -> int:
    """Recompute every member's trust level (nightly); safe to run any number of times."""
    return recompute_all()


@task()
def recompute_trust_level(member_id: int) -> None:
    """Recompute one member's trust level."""
    recompute_member_by_id(member_id)
