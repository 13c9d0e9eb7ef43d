"""Every state change of moderation, by noun: reports (file_report, open_system_case),
cases (claim, notes, second opinions, resolve, reopen, round-robin), decisions (propose,
confirm, overturn and lapse actions) and notices (telling members)."""

from fireside.moderation.actions.cases import (
    add_case_note,
    ask_second_opinion,
    assign_round_robin,
    claim_case,
    give_second_opinion,
    reopen_case,
    resolve_case,
    unclaim_case,
)
from fireside.moderation.actions.decisions import (
    confirm_action,
    is_appealable,
    lapse_overdue_actions,
    overturn_action,
    propose_action,
)
from fireside.moderation.actions.notices import mark_notices_read, notify
from fireside.moderation.actions.reports import (
    MESSAGES_AFTER,
    MESSAGES_BEFORE,
    REASON_MAX_LENGTH,
    case_for,
    file_report,
    open_system_case,
    snapshot_of,
)

__all__ = [
    "MESSAGES_AFTER",
    "MESSAGES_BEFORE",
    "REASON_MAX_LENGTH",
    "add_case_note",
    "ask_second_opinion",
    "assign_round_robin",
    "case_for",
    "claim_case",
    "confirm_action",
    "file_report",
    "give_second_opinion",
    "is_appealable",
    "lapse_overdue_actions",
    "mark_notices_read",
    "notify",
    "open_system_case",
    "overturn_action",
    "propose_action",
    "reopen_case",
    "resolve_case",
    "snapshot_of",
    "unclaim_case",
]
