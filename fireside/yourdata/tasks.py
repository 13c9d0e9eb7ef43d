from django.tasks import task

from fireside.yourdata import actions


@task()
def build_export(export_id: int) -> None:
    """Build one export's zip; safe to run twice (the second run finds it claimed)."""
    actions.build_export(export_id)


@task()
def tidy_your_data() -> int:
    """Finalise deletions whose grace period is over and delete expired export files;
    safe to run any number of times."""
    return actions.finalise_due_deletions() + actions.expire_exports()
