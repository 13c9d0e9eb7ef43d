"""Every change about a member's data as a whole: exports (start, build, expire) and account
deletion (ask with the password, cancel during the grace period, and the real deletion once
it ends). Pages, the API and the scheduled tasks call these."""

import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.core.exceptions import DomainError, NotFound, ValidationFailed
from fireside.core.ratelimit import Limit
from fireside.live.broadcast import broadcast_on_commit
from fireside.live.groups import member_group
from fireside.yourdata import archive
from fireside.yourdata.models import Deletion, Export

logger = logging.getLogger(__name__)

#: How long a ready export can be downloaded.
EXPORT_LIFETIME = timedelta(days=7)
#: How long a member can change their mind after asking for deletion.
DELETION_GRACE = timedelta(days=14)
DOWNLOAD_SALT = "fireside.yourdata.export_download"
#: The one placeholder that stands, in conversations, for every member who was deleted.
DELETED_HANDLE = "deleted"
DELETED_DISPLAY_NAME = "Deleted member"


# Exports ------------------------------------------------------------------------------


class ExportInProgress(DomainError):
    status = 409
    code = "export_in_progress"
    default_message = "Your export is already being built. Wait until it is ready."


def export_root() -> Path:
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def request_export(member: Any) -> Export:
    """Start an export of everything that is MEMBER's and return it (queued); the zip is
    built by `tasks.build_export` after the transaction commits.

    Raises NotAllowed (`export_in_progress`) while another export of theirs is queued or
    being built, and RateLimited past the daily limit. Older exports and their files go:
    a member has one export at a time."""
    limit = Limit.named("export.member")
    subject = f"member:{member.pk}"
    with transaction.atomic():
        # Lock the member's row, so two clicks at once make one export.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        if Export.objects.visible_to(member).in_progress().exists():
            raise ExportInProgress()
        limit.check(
            subject,
            "You have asked for several exports today. You can ask again {wait}.",
        )
        for earlier in Export.objects.visible_to(member):
            _delete_export(earlier)
        export = Export.objects.create(
            member=member, requested_at=timezone.now(), nonce=secrets.token_hex(16)
        )
        limit.hit(subject)

        def enqueue() -> None:
            from fireside.yourdata.tasks import build_export

            build_export.enqueue(export.pk)

        transaction.on_commit(enqueue)
    return export


def _set_progress(export: Export, progress: int) -> None:
    Export.objects.filter(pk=export.pk).update(progress=progress)
    export.progress = progress


def build_export(export_id: int) -> Export | None:
    """Build the zip of export EXPORT_ID: claim it (queued → building, once, so running
    twice does no harm), write the file with progress as it goes, then mark it ready for
    EXPORT_LIFETIME. On any failure it is marked failed (and logged); returns the export,
    or None when there was nothing to build."""
    claimed = Export.objects.filter(pk=export_id, state=Export.State.QUEUED).update(
        state=Export.State.BUILDING, progress=1
    )
    if not claimed:
        return None
    export = Export.objects.select_related("member").get(pk=export_id)
    try:
        document = archive.document_of(
            export.member, progress=lambda done: _set_progress(export, done)
        )
        file_name = f"fireside-export-{export.member_id}-{export.pk}-{export.nonce}.zip"
        size = archive.write_zip(document, export_root() / file_name)
    except Exception:
        # The task boundary: whatever went wrong, the member sees "failed", not a
        # spinner forever, and can ask again.
        logger.exception("Export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(state=Export.State.FAILED)
        export.refresh_from_db()
        return export
    now = timezone.now()
    Export.objects.filter(pk=export_id).update(
        state=Export.State.READY,
        progress=100,
        ready_at=now,
        expires_at=now + EXPORT_LIFETIME,
        file_name=file_name,
        size=size,
    )
    export.refresh_from_db()
    return export


def _delete_file(export: Export) -> None:
    if export.file_name:
        (Path(settings.EXPORT_ROOT) / export.file_name).unlink(missing_ok=True)


def _delete_export(export: Export) -> None:
    _delete_file(export)
    export.delete()


def expire_exports() -> int:
    """Delete the files of exports past their 7 days (marking them expired) and mark
    abandoned builds failed; return how many changed. Safe to run any number of times."""
    now = timezone.now()
    changed = 0
    for export in Export.objects.filter(state=Export.State.READY, expires_at__lte=now):
        _delete_file(export)
        changed += Export.objects.filter(pk=export.pk, state=Export.State.READY).update(
            state=Export.State.EXPIRED, file_name=""
        )
    changed += Export.objects.filter(
        state__in=[Export.State.QUEUED, Export.State.BUILDING],
        requested_at__lte=now - Export.STUCK_AFTER,
    ).update(state=Export.State.FAILED)
    return changed


def download_token(export: Export) -> str:
    """The secret part of EXPORT's download link: signed, bound to this export's nonce."""
    return signing.dumps([export.pk, export.nonce], salt=DOWNLOAD_SALT, compress=True)


class ExportExpired(Exception):
    """The link was right but the export's 7 days are over."""


def export_for_download(token: str) -> tuple[Export, Path]:
    """Return the export TOKEN opens and its file. Raises NotFound for a wrong or
    tampered token, ExportExpired once the export's 7 days are over (or its file is
    gone)."""
    try:
        export_id, nonce = signing.loads(
            token, salt=DOWNLOAD_SALT, max_age=EXPORT_LIFETIME
        )
    except signing.SignatureExpired:
        raise ExportExpired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound() from None
    export = Export.objects.filter(pk=export_id, nonce=str(nonce)).first()
    if export is None:
        raise NotFound()
    if export.current_state == Export.State.EXPIRED:
        raise ExportExpired()
    path = Path(settings.EXPORT_ROOT) / export.file_name
    if export.current_state != Export.State.READY or not export.file_name:
        raise NotFound()
    if not path.is_file():
        raise ExportExpired()
    return export, path


# Deletion -----------------------------------------------------------------------------


def pending_deletion(member: Any) -> Deletion | None:
    return Deletion.objects.visible_to(member).pending().first()


def request_deletion(member: Any, *, password: str) -> Deletion:
    """Schedule MEMBER's account for deletion DELETION_GRACE from now, after checking
    PASSWORD, and return the pending deletion (asking again returns the same one).

    Raises ValidationFailed on `password` when it is missing or wrong (each wrong one
    counts towards a limit), RateLimited past that limit. The account keeps working
    until the deletion becomes final; the member can cancel until then."""
    limit = Limit.named("deletion.password")
    subject = f"member:{member.pk}"
    limit.check(subject, "Too many wrong passwords. Try again {wait}.")
    if not password:
        raise ValidationFailed({"password": ["Enter your password to confirm."]})
    if not member.check_password(password):
        limit.hit(subject)
        raise ValidationFailed(
            {"password": ["That is not your password."]}, code="wrong_password"
        )
    limit.reset(subject)
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        existing = pending_deletion(member)
        if existing is not None:
            return existing
        now = timezone.now()
        return Deletion.objects.create(
            member=member, requested_at=now, final_at=now + DELETION_GRACE
        )


def cancel_deletion(member: Any) -> Deletion:
    """Cancel MEMBER's pending deletion: nothing will be deleted. Raises NotFound
    (`no_deletion`) when none is pending."""
    with transaction.atomic():
        deletion = (
            Deletion.objects.select_for_update().visible_to(member).pending().first()
        )
        if deletion is None:
            raise NotFound(
                "Your account is not scheduled for deletion.", code="no_deletion"
            )
        deletion.cancelled_at = timezone.now()
        deletion.save(update_fields=["cancelled_at"])
    return deletion


def finalise_due_deletions() -> int:
    """Delete every account whose grace period is over; return how many. Safe to run
    any number of times: a deleted account takes its Deletion row with it."""
    done = 0
    for deletion_id in Deletion.objects.due().values_list("pk", flat=True):
        with transaction.atomic():
            deletion = (
                Deletion.objects.select_for_update()
                .due()
                .select_related("member")
                .filter(pk=deletion_id)
                .first()
            )
            if deletion is None:  # cancelled or done meanwhile
                continue
            delete_account(deletion.member)
            done += 1
    return done


def deleted_member() -> Member:
    """The shared placeholder that takes a deleted member's side of each conversation, so
    the other member keeps its shape. It cannot log in and has no profile page."""
    placeholder = Member.objects.filter(handle=DELETED_HANDLE).first()
    if placeholder is None:
        placeholder = Member(
            handle=DELETED_HANDLE,
            email="deleted@invalid",
            display_name=DELETED_DISPLAY_NAME,
            is_active=False,
        )
        placeholder.set_unusable_password()
        placeholder.save()
    return placeholder


def _mention(handle: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(handle)}(?![a-z0-9_])", re.IGNORECASE)


def _erase_posts(member: Member) -> set[int]:
    """Delete MEMBER's posts with their history and search entries; return the ids of
    the communities whose scores change."""
    from fireside.posts.models import Post
    from fireside.search import fulltext

    communities = set()
    for post in Post.objects.filter(author=member):
        fulltext.unindex("post", post.pk)
        communities.add(post.community_id)
        post.revisions.all().delete()
        post.delete()
    return communities


def _withdraw_dialogues(member: Member) -> None:
    """Unpublish every dialogue of MEMBER's conversations and erase the copied words."""
    from fireside.dialogues.actions import withdraw_dialogue
    from fireside.dialogues.models import Dialogue, DialogueMessage

    involving = Dialogue.objects.involving(member)
    for dialogue in involving.filter(
        state__in=[Dialogue.State.PROPOSED, Dialogue.State.PUBLISHED]
    ):
        withdraw_dialogue(dialogue, by=member)
    DialogueMessage.objects.filter(dialogue__in=involving).delete()
    involving.update(title="")


def _leave_conversations(member: Member, placeholder: Member) -> None:
    """Turn MEMBER's messages into tombstones (words, history and client ids gone; seq
    kept) and hand their side of each conversation to PLACEHOLDER. A conversation whose
    other side was deleted already has nobody left to read it and goes."""
    from fireside.conversations.models import Conversation, Message, MessageRevision

    now = timezone.now()
    mine = Message.objects.filter(author=member)
    MessageRevision.objects.filter(message__in=mine).delete()
    mine.filter(deleted_at__isnull=True).update(deleted_at=now)
    mine.update(body="", client_id="", author=None)
    for conversation in Conversation.objects.visible_to(member).select_for_update():
        other_id = (
            conversation.recipient_id
            if conversation.initiator_id == member.pk
            else conversation.initiator_id
        )
        if other_id == placeholder.pk:
            conversation.delete()
            continue
        if conversation.state in (
            Conversation.State.REQUESTED,
            Conversation.State.ACTIVE,
        ):
            conversation.state = Conversation.State.ENDED
            conversation.decided_at = conversation.decided_at or now
        if conversation.initiator_id == member.pk:
            conversation.initiator = placeholder
            # The reasons a request looked unfamiliar were about the sender.
            conversation.signals = []
        else:
            conversation.recipient = placeholder
        conversation.pair_low, conversation.pair_high = sorted(
            (placeholder.pk, other_id)
        )
        conversation.save()
        broadcast_on_commit(
            member_group(other_id),
            {
                "type": "conversation.state",
                "conversation": conversation.pk,
                "state": conversation.state,
            },
        )


def _scrub_moderation(member: Member) -> None:
    """Take MEMBER's handle and words out of what cohorts keep: the snapshots of reports
    (their posts, messages or profile), case labels, and mentions in report reasons and
    case notes. Cases stay; reports MEMBER filed lose their reporter when the row goes."""
    from fireside.blocklists.models import BlocklistEntry
    from fireside.conversations.models import Conversation
    from fireside.moderation.models import Case, CaseNote, Report

    handle = member.handle
    mention = _mention(handle)
    conversations = Conversation.objects.visible_to(member).values("pk")
    cases = Case.objects.filter(
        Q(subject=member)
        | Q(target_type=Case.TargetType.MEMBER, target_id=member.pk)
        | Q(message__conversation__in=conversations)
        | Q(pk__in=Report.objects.by(member).values("case_id"))
    )
    for case in cases.filter(subject=member):
        labels: dict[str, str] = {
            Case.TargetType.MEMBER: "A deleted member",
            Case.TargetType.POST: "A post of a deleted member",
        }
        case.target_label = labels.get(
            case.target_type, "A message of a deleted member"
        )
        case.save(update_fields=["target_label"])
    for report in Report.objects.filter(case__in=cases):
        snapshot = _scrubbed_snapshot(report.snapshot or {}, member)
        if snapshot != report.snapshot:
            report.snapshot = snapshot
            report.save(update_fields=["snapshot"])
    for report in Report.objects.filter(reason__icontains=f"@{handle}"):
        report.reason = mention.sub("@deleted", report.reason)
        report.save(update_fields=["reason"])
    for note in CaseNote.objects.filter(body__icontains=f"@{handle}"):
        note.body = mention.sub("@deleted", note.body)
        note.save(update_fields=["body"])
    # A shared blocklist's entry about an account that no longer exists would only
    # catch whoever takes the handle next.
    BlocklistEntry.objects.filter(member=member).delete()


def _scrubbed_snapshot(snapshot: dict[str, Any], member: Member) -> dict[str, Any]:
    handle = member.handle
    kind = snapshot.get("type")
    if kind == "member" and snapshot.get("id") == member.pk:
        return {**snapshot, "handle": "", "display_name": "", "bio": ""}
    if kind == "post" and snapshot.get("author") == handle:
        return {**snapshot, "author": None, "title": "", "body": ""}
    if kind == "message":
        messages = [
            {**item, "author": None, "body": "", "deleted": True}
            if item.get("author") == handle
            else item
            for item in snapshot.get("messages", [])
        ]
        return {**snapshot, "messages": messages}
    return snapshot


def delete_account(member: Member) -> None:
    """Delete MEMBER's account and everything that is theirs, for real (no soft-delete):
    profile, posts with their history, ratings, connections, blocks and mutes, tokens,
    sessions, memberships (a lead's communities pass to a successor first), trust
    history, exports, and moderation actions about them with their appeals. In each
    conversation their messages become "deleted member" tombstones (same seqs, no
    words) and their side passes to the shared placeholder, so the other member keeps
    the shape of it; dialogues they were in are unpublished and their copied words
    erased; cases they were part of keep going without their handle or words.

    Call it inside a transaction; the scheduled `finalise_due_deletions` does."""
    from fireside.accounts.actions import _delete_sessions_of
    from fireside.communities.actions import pass_on_leads_of_suspended
    from fireside.ratings.actions import request_scoring
    from fireside.ratings.models import Rating

    member = Member.objects.select_for_update().get(pk=member.pk)
    placeholder = deleted_member()
    for export in Export.objects.visible_to(member):
        _delete_export(export)
    communities = set(
        Rating.objects.by(member).values_list("community_id", flat=True).distinct()
    )
    Rating.objects.by(member).delete()
    _withdraw_dialogues(member)
    communities |= _erase_posts(member)
    _scrub_moderation(member)
    _leave_conversations(member, placeholder)
    pass_on_leads_of_suspended(member)
    _delete_sessions_of(member)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk),
    ).delete()
    # Closes every open socket of the account, as a suspension does.
    broadcast_on_commit(member_group(member.pk), {"type": "auth.suspended"})
    member_id = member.pk
    # What remains cascades with the row: memberships, tokens, blocks and mutes (both
    # ways), connections and offers, notices, trust rows, actions about them and their
    # appeals, suspensions, the Deletion row. Links from what others keep are SET_NULL.
    member.delete()
    for community_id in communities:
        request_scoring(community_id)
    logger.info("Deleted the account of member %s", member_id)
