"""Community pages: the directory and topics, a community's page, joining and leaving,
invites, the members list, the cohort's settings and the cohort page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.communities import actions, forms, listings, permissions
from fireside.communities.directory import find_communities
from fireside.communities.models import Community, Invite, Membership, Topic
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page, wants_fragment
from fireside.core.topics import normalize_topic

DIRECTORY_FILTERS = ("q", "topic", "sort")


def _community(request: HttpRequest, slug: str) -> Community:
    communities = Community.objects.visible_to(request.user).prefetch_related("topics")
    return get_object_or_404(communities, slug=slug)


def _more(request: HttpRequest, next_cursor: str | None) -> dict[str, Any]:
    """What a "Load more" form sends: the current filters and the next cursor."""
    kept = [
        (name, request.GET[name]) for name in DIRECTORY_FILTERS if request.GET.get(name)
    ]
    return {"next_cursor": next_cursor, "more_params": kept, "more_url": request.path}


def _page_fragment(request: HttpRequest, fragment: str) -> str | None:
    return fragment if request.GET.get("cursor") else None


# The directory and topics ------------------------------------------------------------


@require_safe
def community_list(request: HttpRequest) -> HttpResponse:
    form = forms.DirectoryForm(request.GET, topics=listings.directory_topics())
    page = None
    if form.is_valid():
        try:
            page = find_communities(
                q=form.cleaned_data["q"],
                topic=form.cleaned_data["topic"],
                sort=form.cleaned_data["sort"] or None,
                cursor=request.GET.get("cursor") or None,
            )
        except ValidationFailed as error:
            if error.code == "invalid_cursor":
                raise
            add_action_errors(form, error)
    next_cursor = page.next_cursor if page else None
    context = {"form": form, "page": page, **_more(request, next_cursor)}
    fragment = "page" if request.GET.get("cursor") else "results"
    return render_page(
        request, "communities/community_list.html", context, fragment=fragment
    )


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    context = {"topics": listings.directory_topics()}
    return render(request, "communities/topic_list.html", context)


@require_safe
def topic_detail(request: HttpRequest, name: str) -> HttpResponse:
    normal = normalize_topic(name)
    if normal and normal != name:
        return redirect("topic_detail", name=normal, permanent=True)
    topic = get_object_or_404(Topic, name=normal)
    page = find_communities(topic=topic.name, cursor=request.GET.get("cursor") or None)
    context = {"topic": topic, "page": page, **_more(request, page.next_cursor)}
    fragment = _page_fragment(request, "communities/community_list.html#page")
    return render_page(
        request, "communities/topic_detail.html", context, fragment=fragment
    )


# Creating a community ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def community_create(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    try:
        permissions.check_create_community(member)
    except NotAllowed as refusal:
        context = {"refusal": refusal}
        return render(request, "communities/community_create.html", context, status=403)
    form = forms.CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = actions.create_community(by=member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, f"{community.name} is ready. You lead its cohort."
            )
            return redirect("community_detail", slug=community.slug)
    return render_page(request, "communities/community_create.html", {"form": form})


# A community's page and membership ----------------------------------------------------


def _membership_context(request: HttpRequest, community: Community) -> dict[str, Any]:
    membership = permissions.membership_of(request.user, community)
    is_member = membership is not None and membership.state == Membership.State.ACTIVE
    return {
        "community": community,
        "membership": membership,
        "is_member": is_member,
        "is_cohort": membership is not None and membership.is_cohort,
        "can_read_posts": is_member or not community.is_private,
        "join_form": forms.JoinForm(),
    }


@require_safe
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    cursor = request.GET.get("cursor") or None
    page = listings.community_posts(community, viewer=request.user, cursor=cursor)
    context = {
        **_membership_context(request, community),
        **_more(request, page.next_cursor),
        "page": page,
        "rules": community.current_rules(),
        "cohort": community.memberships.cohort()
        .select_related("member")
        .order_by("role", "member__handle"),
        "cohort_invitation": actions.open_cohort_invitation(community, request.user),
    }
    fragment = _page_fragment(request, "posts_page")
    return render_page(
        request, "communities/community_detail.html", context, fragment=fragment
    )


def _membership_changed(
    request: HttpRequest, community: Community, message: str
) -> HttpResponse:
    """Swap the membership box for htmx; otherwise go back to the community's page."""
    if not wants_fragment(request):
        messages.success(request, message)
        return redirect("community_detail", slug=community.slug)
    context = {**_membership_context(request, community), "notice": message}
    return render_page(request, "communities/community_detail.html#membership", context)


@login_required
@require_POST
def community_join(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    membership = actions.join_community(
        community, member=session_member(request), note=request.POST.get("note", "")
    )
    if membership.state == Membership.State.REQUESTED:
        message = "Your request is on its way to the cohort."
    else:
        message = f"Welcome to {community.name}. You can open posts here now."
    return _membership_changed(request, community, message)


@login_required
@require_POST
def community_leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    membership = permissions.membership_of(request.user, community)
    actions.leave_community(community, member=session_member(request))
    if membership is not None and membership.state == Membership.State.REQUESTED:
        return _membership_changed(request, community, "Your request is withdrawn.")
    message = f"You left {community.name}."
    if community.is_listed and not community.is_private:
        return _membership_changed(request, community, message)
    # The page itself changes (its posts hide, or it is no longer visible): reload it.
    messages.success(request, message)
    target = (
        reverse("community_detail", args=[slug])
        if community.is_listed
        else reverse("community_list")
    )
    if wants_fragment(request):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _invite_problem(request: HttpRequest, problem: str) -> HttpResponse:
    context = {"problem": problem}
    return render(request, "communities/community_invite.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def community_invite(request: HttpRequest, code: str) -> HttpResponse:
    invite = Invite.objects.select_related("community").filter(code=code).first()
    if invite is None or not invite.is_usable:
        return _invite_problem(request, actions.INVITE_UNUSABLE)
    community = invite.community
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            actions.join_community(
                community, member=session_member(request), invite_code=code
            )
        except ValidationFailed as error:
            return _invite_problem(request, error.message)
        messages.success(request, f"Welcome to {community.name}.")
        return redirect("community_detail", slug=community.slug)
    membership = permissions.membership_of(request.user, community)
    context = {"invite": invite, "community": community, "membership": membership}
    return render(request, "communities/community_invite.html", context)


@login_required
@require_safe
def community_members(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_see_members(request.user, community)
    cursor = request.GET.get("cursor") or None
    page = listings.community_members(community, cursor=cursor)
    context = {"community": community, "page": page, **_more(request, page.next_cursor)}
    fragment = _page_fragment(request, "page")
    return render_page(
        request, "communities/community_members.html", context, fragment=fragment
    )


# The cohort's settings ----------------------------------------------------------------


def _settings_page(
    request: HttpRequest,
    community: Community,
    *,
    details_form: forms.CommunityDetailsForm | None = None,
    rules_form: forms.RulesForm | None = None,
    invite_form: forms.InviteForm | None = None,
    new_invite: Invite | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> HttpResponse:
    rules = list(community.current_rules())
    details = {
        "name": community.name,
        "description": community.description,
        "topics": ", ".join(topic.name for topic in community.topics.all()),
        "visibility": community.visibility,
        "is_listed": community.is_listed,
    }
    context = {
        "community": community,
        "details_form": details_form or forms.CommunityDetailsForm(initial=details),
        "rules_form": rules_form
        or forms.RulesForm(initial={"rules": "\n".join(rule.text for rule in rules)}),
        "invite_form": invite_form or forms.InviteForm(),
        "rule_history": community.rules.filter(superseded_at__isnull=False),
        "join_requests": community.memberships.requested()
        .select_related("member")
        .order_by("requested_at", "id"),
        "new_invite": new_invite,
        "new_invite_url": new_invite
        and request.build_absolute_uri(
            reverse("community_invite", args=[new_invite.code])
        ),
    }
    template = "communities/community_settings.html"
    return render_page(request, template, context, fragment=fragment, status=status)


def _managed_community(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    permissions.check_manage_community(request.user, community)
    return community


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def community_settings(request: HttpRequest, slug: str) -> HttpResponse:
    community = _managed_community(request, slug)
    form = forms.CommunityDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_community(
                community, by=session_member(request), **form.cleaned_data
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "The community's details are saved.")
            return redirect("community_settings", slug=community.slug)
    return _settings_page(
        request, community, details_form=form if form.is_bound else None
    )


@login_required
@require_POST
def community_rules(request: HttpRequest, slug: str) -> HttpResponse:
    community = _managed_community(request, slug)
    form = forms.RulesForm(request.POST)
    if form.is_valid():
        try:
            actions.set_rules(
                community, by=session_member(request), rules=form.cleaned_data["rules"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, "The rules are saved. Earlier wordings stay below."
            )
            return redirect("community_settings", slug=community.slug)
    return _settings_page(request, community, rules_form=form)


@login_required
@require_POST
def community_request_decide(
    request: HttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    community = _managed_community(request, slug)
    join_request = get_object_or_404(
        community.memberships.select_related("member", "community"), pk=membership_id
    )
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"decision": ["Choose to approve or to decline."]})
    approve = form.cleaned_data["decision"] == "approve"
    actions.decide_join_request(
        join_request, by=session_member(request), approve=approve
    )
    handle = join_request.member.handle
    message = f"@{handle} is now a member." if approve else f"You declined @{handle}."
    if not wants_fragment(request):
        messages.success(request, message)
        return redirect("community_settings", slug=community.slug)
    context = {
        "join_request": join_request,
        "row_pk": membership_id,
        "decided": message,
    }
    return render_page(
        request, "communities/community_settings.html#request_row", context
    )


@login_required
@require_POST
def community_invite_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _managed_community(request, slug)
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            invite = actions.create_invite(
                community, by=session_member(request), days=form.cleaned_data["days"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            return _settings_page(
                request, community, new_invite=invite, status=201, fragment="invites"
            )
    return _settings_page(request, community, invite_form=form, fragment="invites")


# The cohort page ------------------------------------------------------------------------


def _cohort_page(
    request: HttpRequest,
    community: Community,
    *,
    invite_form: forms.CohortInviteForm | None = None,
    handover_form: forms.HandoverForm | None = None,
    settings_form: forms.CohortSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    places = listings.cohort_places(community)
    moderators = [
        place.member.handle
        for place in places
        if place.role == Membership.Role.MODERATOR
    ]
    is_lead = permissions.can_lead(request.user, community)
    is_cohort = permissions.is_cohort(request.user, community)
    context = {
        "community": community,
        "places": places,
        "membership": permissions.membership_of(request.user, community),
        "is_lead": is_lead,
        "is_cohort": is_cohort,
        "own_invitation": actions.open_cohort_invitation(community, request.user),
        "invitations": listings.open_cohort_invitations(community) if is_cohort else [],
        "history": listings.cohort_history(community) if is_cohort else [],
        "invite_form": invite_form or forms.CohortInviteForm(),
        "handover_form": handover_form or forms.HandoverForm(moderators=moderators),
        "settings_form": settings_form
        or forms.CohortSettingsForm(
            initial={
                "log_shows_handles": community.log_shows_handles,
                "round_robin": community.round_robin,
            }
        ),
    }
    return render_page(
        request, "communities/cohort_detail.html", context, status=status
    )


def _cohort_done(
    request: HttpRequest, community: Community, message: str
) -> HttpResponse:
    messages.success(request, message)
    return redirect("cohort_detail", slug=community.slug)


def _member_named(handle: str) -> Member | None:
    normal = normalize_handle(handle or "")
    if not HANDLE_PATTERN.fullmatch(normal):
        return None
    return Member.objects.active().filter(handle=normal).first()


@require_safe
def cohort_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _cohort_page(request, _community(request, slug))


@login_required
@require_POST
def cohort_invite(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_lead(request.user, community)
    form = forms.CohortInviteForm(request.POST)
    if form.is_valid():
        invitee = _member_named(form.cleaned_data["handle"])
        if invitee is None:
            form.add_error("handle", "No member has that handle.")
        else:
            try:
                actions.invite_to_cohort(
                    community, by=session_member(request), member=invitee
                )
            except ValidationFailed as error:
                add_action_errors(form, error)
            else:
                message = f"@{invitee.handle} is invited to moderate. They will see it on {community.name}."
                return _cohort_done(request, community, message)
    return _cohort_page(request, community, invite_form=form)


@login_required
@require_POST
def cohort_answer(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    form = forms.CohortAnswerForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"decision": ["Choose to accept or to decline."]})
    accept = form.cleaned_data["decision"] == "accept"
    actions.answer_cohort_invitation(
        community, member=session_member(request), accept=accept
    )
    message = (
        f"Welcome to the cohort of {community.name}. The queue and the settings are open to you now."
        if accept
        else "You declined. You stay a member, and the lead may ask again later."
    )
    return _cohort_done(request, community, message)


@login_required
@require_POST
def cohort_withdraw(request: HttpRequest, slug: str, handle: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_lead(request.user, community)
    invitee = _member_named(handle)
    if invitee is None:
        raise Http404
    actions.withdraw_cohort_invitation(
        community, by=session_member(request), member=invitee
    )
    return _cohort_done(
        request, community, f"The invitation of @{invitee.handle} is withdrawn."
    )


@login_required
@require_POST
def cohort_handover(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_lead(request.user, community)
    moderators = [
        place.member.handle
        for place in community.memberships.cohort()
        .filter(role=Membership.Role.MODERATOR)
        .select_related("member")
    ]
    form = forms.HandoverForm(request.POST, moderators=moderators)
    successor = form.is_valid() and _member_named(form.cleaned_data["handle"])
    if successor:
        try:
            actions.hand_over_lead(community, by=session_member(request), to=successor)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            message = f"@{successor.handle} leads the cohort now. You are a moderator."
            return _cohort_done(request, community, message)
    return _cohort_page(request, community, handover_form=form)


@login_required
@require_POST
def cohort_step_down(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    actions.step_down(community, member=session_member(request))
    return _cohort_done(request, community, "You stepped down. You stay a member.")


@login_required
@require_POST
def cohort_remove(request: HttpRequest, slug: str, handle: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_lead(request.user, community)
    moderator = _member_named(handle)
    if moderator is None:
        raise Http404
    actions.remove_from_cohort(community, by=session_member(request), member=moderator)
    message = f"@{moderator.handle} no longer moderates. They stay a member."
    return _cohort_done(request, community, message)


@login_required
@require_POST
def cohort_settings(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    permissions.check_lead(request.user, community)
    form = forms.CohortSettingsForm(request.POST)
    if form.is_valid():
        actions.update_cohort_settings(
            community, by=session_member(request), **form.cleaned_data
        )
        return _cohort_done(request, community, "The cohort's settings are saved.")
    return _cohort_page(request, community, settings_form=form)
