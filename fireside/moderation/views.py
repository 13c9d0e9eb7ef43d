"""Report forms (a post, a member, a message); a cohort's queue, case pages and the
steps taken on them; peer review, the workload view, the public log and a member's
moderation notices."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import DomainError, NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.moderation import actions, forms, permissions, queries
from fireside.moderation.actions.decisions import DAYS_MAX
from fireside.moderation.models import Case, ModAction, Notice
from fireside.posts.models import Post

ID_MAX = 2**63 - 1


def _report(
    request: HttpRequest,
    target: Any,
    *,
    community: Community | None,
    context: dict[str, Any],
    back: str,
) -> HttpResponse:
    """Show the report form for TARGET, or file the report and go BACK."""
    member = session_member(request)
    rules = list(community.current_rules()) if community is not None else []
    form = forms.ReportForm(request.POST or None, rules=rules)
    context |= {"form": form, "community": community, "back": back}
    try:
        permissions.check_file_report(member, target, community)
    except (NotAllowed, ValidationFailed) as refusal:
        context["refusal"] = refusal
        return render_page(
            request, "moderation/report_create.html", context, status=refusal.status
        )
    if request.method == "POST" and form.is_valid():
        try:
            actions.file_report(
                target,
                by=member,
                community=community,
                rule_number=form.cleaned_data.get("rule"),
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                "Thank you. Your report is with the reviewers; you can follow it under "
                "Settings → Safety.",
            )
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(back)
            return redirect(back)
    return render_page(
        request, "moderation/report_create.html", context, fragment="report_form"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_post(request: HttpRequest, post_id: int) -> HttpResponse:
    if post_id > ID_MAX:
        raise Http404
    post = get_object_or_404(
        Post.objects.visible_to(request.user).select_related("community", "author"),
        pk=post_id,
    )
    back = f"/p/{post.pk}/"
    context = {"what": f"the post “{post.title}”", "post": post}
    return _report(request, post, community=post.community, context=context, back=back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_member(request: HttpRequest, handle: str) -> HttpResponse:
    target = get_object_or_404(Member.objects.visible_to(request.user), handle=handle)
    slug = (request.POST.get("community") or request.GET.get("community") or "")[:50]
    community = None
    if slug:
        community = get_object_or_404(
            Community.objects.visible_to(request.user).filter(
                memberships__member=target
            ),
            slug=slug,
        )
    context = {"what": f"@{target.handle}", "reported_member": target}
    return _report(
        request,
        target,
        community=community,
        context=context,
        back=f"/@{target.handle}/",
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_message(
    request: HttpRequest, conversation_id: int, seq: int
) -> HttpResponse:
    if conversation_id > ID_MAX:
        raise Http404
    conversation = get_object_or_404(
        Conversation.objects.visible_to(request.user).select_related("post__community"),
        pk=conversation_id,
    )
    message = get_object_or_404(
        Message.objects.select_related("author"), conversation=conversation, seq=seq
    )
    community = conversation.post.community if conversation.post else None
    context = {
        "what": "a message in your conversation",
        "message": message,
        "conversation": conversation,
    }
    back = f"/conversations/{conversation.pk}/"
    return _report(request, message, community=community, context=context, back=back)


def _cohort_community(request: HttpRequest, slug: str) -> Community:
    """The community SLUG when the viewer is in its cohort; 404 for everyone else."""
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    if not permissions.can_review_cases_of(request.user, community):
        raise Http404
    return community


@login_required
@require_safe
def case_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's queue with its filters, for its cohort; 404 for everyone else."""
    return _case_list(request, community=_cohort_community(request, slug))


@login_required
@require_safe
def staff_case_list(request: HttpRequest) -> HttpResponse:
    """Cases without a community, for the instance's administrators; 404 otherwise."""
    if not permissions.can_review_cases_of(request.user, None):
        raise Http404
    return _case_list(request, community=None)


def _case_list(request: HttpRequest, *, community: Community | None) -> HttpResponse:
    view = request.GET.get("state", "")
    if view not in queries.FILTERS:
        view = ""
    context = {
        "community": community,
        "cases": queries.queue(request.user, community, view)[:200],
        "state": view,
        "filters": queries.FILTERS.items(),
        "pending": queries.pending_actions(community) if community else [],
    }
    return render_page(request, "moderation/case_list.html", context)


def _case(request: HttpRequest, case_id: int) -> Case:
    if case_id > ID_MAX:
        raise Http404
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "community", "subject", "post", "claimed_by", "assigned_to"
        ),
        pk=case_id,
    )


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    error: DomainError | None = None,
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    rules = list(case.community.current_rules()) if case.community else []
    context = {
        "case": case,
        "reports": case.reports.select_related("reporter").order_by("created_at", "id"),
        "notes": case.notes.select_related("author"),
        "actions": queries.case_actions(case),
        "rules": rules,
        "kinds": ModAction.Kind.choices,
        "days_max": DAYS_MAX,
        "error": error,
        "errors": getattr(error, "errors", {}) if error else {},
        "failed": failed,
        "posted": request.POST if error else {},
        "is_resolved": case.state == Case.State.RESOLVED,
    }
    return render_page(request, "moderation/case_detail.html", context, status=status)


@login_required
@require_safe
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, _case(request, case_id))


def _step(
    request: HttpRequest,
    case_id: int,
    name: str,
    step: Callable[[Case, Any], str],
) -> HttpResponse:
    """Run STEP on the case for the member; on success go back to the case with its
    sentence, on a refusal show the case again with the sentence and the input kept."""
    member = session_member(request)
    case = _case(request, case_id)
    try:
        done = step(case, member)
    except DomainError as error:
        return _render_case(
            request,
            _case(request, case_id),
            error=error,
            failed=name,
            status=error.status,
        )
    messages.success(request, done)
    url = f"/cases/{case.pk}/"
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _number(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise ValidationFailed({field: ["Enter a whole number."]})
    return int(value)


@login_required
@require_POST
def case_claim(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        take_over = request.POST.get("take_over") == "1"
        actions.claim_case(case, by=member, take_over=take_over)
        return "You took the case over." if take_over else "The case is yours now."

    return _step(request, case_id, "claim", step)


@login_required
@require_POST
def case_unclaim(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.unclaim_case(case, by=member)
        return "The case is back in the queue."

    return _step(request, case_id, "unclaim", step)


@login_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.add_case_note(case, by=member, body=request.POST.get("body", ""))
        return "Your note is added."

    return _step(request, case_id, "note", step)


@login_required
@require_POST
def case_second_opinion_ask(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.ask_second_opinion(case, by=member, body=request.POST.get("body", ""))
        return "The cohort is asked for a second opinion."

    return _step(request, case_id, "ask", step)


@login_required
@require_POST
def case_second_opinion(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.give_second_opinion(case, by=member, body=request.POST.get("body", ""))
        return "Your second opinion is on the case."

    return _step(request, case_id, "opinion", step)


@login_required
@require_POST
def case_resolve(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.resolve_case(case, by=member, comment=request.POST.get("comment", ""))
        return "The case is resolved."

    return _step(request, case_id, "resolve", step)


@login_required
@require_POST
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        actions.reopen_case(case, by=member, comment=request.POST.get("comment", ""))
        return "The case is open again, with your comment."

    return _step(request, case_id, "reopen", step)


@login_required
@require_POST
def case_action_create(request: HttpRequest, case_id: int) -> HttpResponse:
    def step(case: Case, member: Any) -> str:
        action = actions.propose_action(
            case,
            by=member,
            kind=request.POST.get("kind", ""),
            rule_number=_number(request.POST.get("rule", ""), "rule"),
            reason=request.POST.get("reason", ""),
            days=_number(request.POST.get("days", ""), "days"),
        )
        if action.state == ModAction.State.PENDING:
            return (
                "Proposed. It takes effect when another cohort member confirms it "
                "within 72 hours."
            )
        return "Done: the action is in force and the member is told."

    return _step(request, case_id, "action", step)


@login_required
@require_POST
def action_confirm(request: HttpRequest, action_id: int) -> HttpResponse:
    if action_id > ID_MAX:
        raise Http404
    action = get_object_or_404(
        ModAction.objects.select_related("community"), pk=action_id
    )
    if action.case_id is None or not permissions.can_review_cases_of(
        request.user, action.community
    ):
        raise Http404

    def step(case: Case, member: Any) -> str:
        actions.confirm_action(action, by=member)
        return "Confirmed: the action is in force and the member is told."

    return _step(request, action.case_id, "confirm", step)


@login_required
@require_safe
def case_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Peer review: the others' decisions of the last 30 days, each reopenable."""
    community = _cohort_community(request, slug)
    context = {
        "community": community,
        "cases": queries.recent_decisions(community, viewer=request.user),
    }
    return render_page(request, "moderation/case_review.html", context)


@login_required
@require_safe
def case_workload(request: HttpRequest, slug: str) -> HttpResponse:
    """How cases spread across the cohort over 30 days; cohort only, never public."""
    community = _cohort_community(request, slug)
    rows = queries.workload(community)
    widest = max((row.total for row in rows), default=0) or 1
    context = {
        "community": community,
        "rows": rows,
        "widest": widest,
        "round_robin": bool(getattr(community, "round_robin", False)),
    }
    return render_page(request, "moderation/case_workload.html", context)


@require_safe
def moderation_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The public log: members read it, and anyone for a listed open community."""
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    context: dict[str, Any] = {"community": community}
    if not permissions.can_read_log(request.user, community):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        context["refusal"] = NotAllowed(
            f"The moderation log of {community.name} is for its members."
        )
        return render_page(
            request, "moderation/moderation_log.html", context, status=403
        )
    context["entries"] = queries.public_log(community)
    context["shows_handles"] = bool(getattr(community, "log_shows_handles", False))
    return render_page(request, "moderation/moderation_log.html", context)


@login_required
@require_safe
def moderation_notices(request: HttpRequest) -> HttpResponse:
    """A member's moderation notices: actions about them (rule, reason, whether they
    may appeal) and, for cohort members, cases assigned and second opinions asked."""
    member = session_member(request)
    notices = list(
        Notice.objects.visible_to(member)
        .select_related("action", "action__community", "case", "case__community")
        .order_by("-created_at", "-id")[:100]
    )
    appealable = {
        notice.pk
        for notice in notices
        if notice.action is not None
        and notice.kind == Notice.Kind.ACTION
        and actions.is_appealable(notice.action)
    }
    unread = {notice.pk for notice in notices if notice.read_at is None}
    actions.mark_notices_read(member)
    context = {"notices": notices, "unread": unread, "appealable": appealable}
    return render_page(request, "moderation/moderation_notices.html", context)
