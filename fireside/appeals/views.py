"""Appeal pages: the affected member appeals an action and follows their appeals; a
cohort reads its community's appeals; the assignee (or, for appeals assigned to them, the
instance's administrators) decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts.authentication import session_member
from fireside.appeals import actions, forms, permissions
from fireside.appeals.models import Appeal
from fireside.communities.models import Community
from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.moderation.models import ModAction
from fireside.moderation.permissions import is_cohort_member

ID_MAX = 2**63 - 1
RELATED = ("action", "action__community", "appellant", "assignee", "decided_by")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_create(request: HttpRequest, action_id: int) -> HttpResponse:
    """The affected member's appeal form for one action; 404 for everyone else."""
    if action_id > ID_MAX:
        raise Http404
    member = session_member(request)
    action = get_object_or_404(
        ModAction.objects.filter(subject=member).select_related("community"),
        pk=action_id,
    )
    earlier = Appeal.objects.filter(action=action).first()
    if earlier is not None:
        return redirect("appeal_detail", appeal_id=earlier.pk)
    form = forms.AppealForm(request.POST or None)
    context = {"form": form, "action": action, "refusal": None}
    try:
        permissions.check_appeal_action(member, action)
    except DomainError as refusal:
        context["refusal"] = refusal
        return render_page(
            request, "appeals/appeal_create.html", context, status=refusal.status
        )
    if request.method == "POST" and form.is_valid():
        try:
            appeal = actions.appeal_action(
                action, by=member, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                "Your appeal is sent. You will see the decision here and under "
                "Your appeals.",
            )
            return redirect("appeal_detail", appeal_id=appeal.pk)
    return render_page(request, "appeals/appeal_create.html", context)


@login_required
@require_safe
def appeal_list(request: HttpRequest) -> HttpResponse:
    """Your appeals, newest first, each with its outcome."""
    appeals = (
        Appeal.objects.by(session_member(request))
        .select_related(*RELATED)
        .order_by("-created_at", "-id")[:200]
    )
    return render_page(request, "appeals/appeal_list.html", {"appeals": appeals})


@login_required
@require_safe
def community_appeal_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's appeals with their assignees, for its cohort; 404 for others."""
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    if not is_cohort_member(request.user, community):
        raise Http404
    appeals = (
        Appeal.objects.visible_to(request.user)
        .filter(action__community=community)
        .select_related(*RELATED)
        .order_by("-state", "created_at", "id")[:200]
    )
    context = {"community": community, "appeals": appeals}
    return render_page(request, "appeals/community_appeal_list.html", context)


def _detail(
    request: HttpRequest, appeal: Appeal, form: forms.DecideForm | None
) -> HttpResponse:
    member = session_member(request)
    may_decide = appeal.is_open and permissions.can_decide_appeal(member, appeal)
    context = {
        "appeal": appeal,
        "action": appeal.action,
        "is_appellant": appeal.appellant_id == member.pk,
        "may_decide": may_decide,
        "form": (form or forms.DecideForm()) if may_decide else None,
    }
    return render_page(request, "appeals/appeal_detail.html", context)


def _visible_appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    if appeal_id > ID_MAX:
        raise Http404
    return get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related(*RELATED), pk=appeal_id
    )


@login_required
@require_safe
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _detail(request, _visible_appeal(request, appeal_id), None)


@login_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The assignee decides: the action stands, or it is overturned."""
    appeal = _visible_appeal(request, appeal_id)
    permissions.check_decide_appeal(session_member(request), appeal)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_appeal(
                appeal,
                by=session_member(request),
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Your decision is recorded; the member is told.")
            return redirect("appeal_detail", appeal_id=appeal.pk)
    return _detail(request, appeal, form)
