from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.communities.models import Community
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.dialogues import actions, forms, permissions, queries
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post

PAGE_METHODS = ["GET", "HEAD", "POST"]


def _go_to(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _own_dialogue(request: HttpRequest, dialogue_id: int) -> Dialogue:
    return get_object_or_404(
        queries.with_context(Dialogue.objects.involving(request.user)),
        pk=dialogue_id,
    )


@require_safe
def dialogue_detail(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """A published dialogue, for anyone who may read its community."""
    dialogue = get_object_or_404(
        queries.with_context(Dialogue.objects.visible_to(request.user)),
        pk=dialogue_id,
    )
    is_participant = dialogue.is_participant(request.user)
    if is_participant:
        actions.read_dialogue_notices(request.user, dialogue=dialogue)
    context = {
        "dialogue": dialogue,
        "turns": queries.dialogue_turns(dialogue),
        "is_participant": is_participant,
        "can_withdraw": permissions.can_withdraw_dialogue(request.user, dialogue),
    }
    return render_page(request, "dialogues/dialogue_detail.html", context)


def _proposal_form(
    request: HttpRequest, conversation: Conversation, member: Any
) -> forms.ProposalForm:
    other = conversation.other(member)
    communities = list(
        Community.objects.filter(
            memberships__member=member, memberships__state="active"
        )
        .filter(memberships__member=other, memberships__state="active")
        .distinct()
        .order_by("name")
    )
    post = (
        Post.objects.visible_to(member)
        .not_hidden()
        .filter(pk=conversation.post_id, community__in=communities)
        .select_related("community")
        .first()
        if conversation.post_id is not None
        else None
    )
    initial: dict[str, Any] = {"from_seq": 1, "to_seq": conversation.last_seq}
    if post is not None:
        initial |= {"community": post.community.slug, "under_post": True}
    # A GET carrying a range is the live preview asking again (htmx, or the form
    # submitted without JS): bind it so the preview follows what was chosen.
    data = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or "from_seq" in data
    return forms.ProposalForm(
        data if bound else None, initial=initial, communities=communities, post=post
    )


def _preview_range(form: forms.ProposalForm, last_seq: int) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = form.data.get(name, "") if form.is_bound else ""
        return int(raw) if str(raw).isdigit() else default

    first = max(1, number("from_seq", 1))
    last = min(last_seq, number("to_seq", last_seq))
    return first, max(first, last)


@login_required
@require_http_methods(PAGE_METHODS)
def dialogue_propose(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Choose where to publish a conversation and which messages, with a preview of
    exactly what the other member would be asked to publish."""
    member = session_member(request)
    conversation = get_object_or_404(
        Conversation.objects.visible_to(member).select_related(
            "initiator", "recipient", "post"
        ),
        pk=conversation_id,
    )
    context: dict[str, Any] = {
        "conversation": conversation,
        "other": conversation.other(member),
    }
    try:
        permissions.check_propose_dialogue(member, conversation)
    except NotAllowed as refusal:
        context["refusal"] = refusal
        return render_page(
            request, "dialogues/dialogue_propose.html", context, status=403
        )
    form = context["form"] = _proposal_form(request, conversation, member)
    first, last = _preview_range(form, conversation.last_seq)
    context["turns"] = queries.range_turns(conversation, first, last)
    context["preview_range"] = (first, last)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        data = form.cleaned_data
        under_post = bool(data.get("under_post"))
        try:
            dialogue = actions.propose_dialogue(
                conversation,
                by=member,
                community=None if under_post else form.communities[data["community"]],
                post=conversation.post if under_post else None,
                from_seq=data["from_seq"],
                to_seq=data["to_seq"],
                title=data["title"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                f"Your proposal is on its way to {context['other'].display_name}. "
                "Nothing is published unless they accept.",
            )
            return _go_to(request, reverse("dialogue_review", args=[dialogue.pk]))
    return render_page(
        request, "dialogues/dialogue_propose.html", context, fragment="preview"
    )


@login_required
@require_safe
def dialogue_review(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """For the two members: exactly what a proposal publishes, with accept and decline
    for the one asked, and withdraw for either."""
    member = session_member(request)
    dialogue = _own_dialogue(request, dialogue_id)
    actions.read_dialogue_notices(member, dialogue=dialogue)
    context = {
        "dialogue": dialogue,
        "conversation": dialogue.conversation,
        "other": dialogue.conversation.other(member),
        "turns": queries.dialogue_turns(dialogue),
        "can_answer": permissions.can_answer_dialogue(member, dialogue),
        "can_withdraw": permissions.can_withdraw_dialogue(member, dialogue),
    }
    return render_page(request, "dialogues/dialogue_review.html", context)


def _answered(
    request: HttpRequest, dialogue_id: int, action: Any, message: str
) -> HttpResponse:
    dialogue = _own_dialogue(request, dialogue_id)
    dialogue = action(dialogue, by=session_member(request))
    messages.success(request, message)
    if dialogue.state == Dialogue.State.PUBLISHED:
        return _go_to(request, reverse("dialogue_detail", args=[dialogue.pk]))
    return _go_to(request, reverse("dialogue_review", args=[dialogue.pk]))


@login_required
@require_POST
def dialogue_accept(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    return _answered(
        request,
        dialogue_id,
        actions.accept_dialogue,
        "Your conversation is published as a dialogue. Either of you can withdraw it "
        "at any time.",
    )


@login_required
@require_POST
def dialogue_decline(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    return _answered(
        request,
        dialogue_id,
        actions.decline_dialogue,
        "Declined. Nothing was published; the conversation stays private.",
    )


@login_required
@require_POST
def dialogue_withdraw(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    return _answered(
        request,
        dialogue_id,
        actions.withdraw_dialogue,
        "Withdrawn. It is no longer published anywhere.",
    )


@require_safe
def community_dialogue_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's published dialogues, newest first."""
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    context = {
        "community": community,
        "dialogues": queries.community_dialogues(community, request.user, limit=50),
    }
    return render_page(request, "dialogues/community_dialogue_list.html", context)
