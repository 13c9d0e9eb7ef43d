"""Report forms (a post, a member, a message) and the read-only case lists of a
community's cohort and of the instance's administrators."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.moderation import actions, forms, permissions
from fireside.moderation.models import Case
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


@login_required
@require_safe
def case_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's cases, for its cohort; 404 for everyone else."""
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    if not permissions.can_review_cases_of(request.user, community):
        raise Http404
    return _case_list(request, community=community)


@login_required
@require_safe
def staff_case_list(request: HttpRequest) -> HttpResponse:
    """Cases without a community, for the instance's administrators; 404 otherwise."""
    if not permissions.can_review_cases_of(request.user, None):
        raise Http404
    return _case_list(request, community=None)


def _case_list(request: HttpRequest, *, community: Community | None) -> HttpResponse:
    state = request.GET.get("state", "")
    cases = Case.objects.visible_to(request.user).filter(community=community)
    if state in Case.State.values:
        cases = cases.filter(state=state)
    else:
        state = ""
        cases = cases.unresolved()
    context = {
        "community": community,
        "cases": cases.select_related("subject").order_by("opened_at", "id")[:200],
        "state": state,
        "states": Case.State.choices,
    }
    return render_page(request, "moderation/case_list.html", context)


@login_required
@require_safe
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    if case_id > ID_MAX:
        raise Http404
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "community", "subject", "post"
        ),
        pk=case_id,
    )
    reports = case.reports.select_related("reporter").order_by("created_at", "id")
    context = {"case": case, "reports": reports}
    return render_page(request, "moderation/case_detail.html", context)
