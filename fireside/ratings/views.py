from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from fireside.accounts.authentication import session_member
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.core.htmx import render_page, wants_fragment
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.ratings import actions, forms, queries
from fireside.ratings.templatetags.ratings import control_context


def _target(request: HttpRequest, kind: str, target_id: int) -> Post | Dialogue:
    if kind == "post":
        posts = Post.objects.visible_to(request.user).select_related("community")
        return get_object_or_404(posts, pk=target_id)
    if kind == "dialogue":
        dialogues = Dialogue.objects.visible_to(request.user).select_related(
            "community", "conversation"
        )
        return get_object_or_404(dialogues, pk=target_id)
    raise Http404


@login_required
@require_POST
def rating_update(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """Rate, re-rate or (with `withdraw`) withdraw one's rating of a post or dialogue."""
    member = session_member(request)
    target = _target(request, kind, target_id)
    form = forms.RatingForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    if form.cleaned_data["withdraw"]:
        actions.withdraw_rating(target, by=member)
        message = "Your rating is withdrawn."
    else:
        actions.rate(
            target,
            by=member,
            value=form.cleaned_data["value"],
            tags=form.cleaned_data["tags"],
        )
        message = "Your rating is saved. Only you see it."
    if wants_fragment(request):
        context = {**control_context(member, target), "user": member}
        return render(request, "ratings/rating_control.html", context)
    messages.success(request, message)
    if isinstance(target, Post):
        return redirect("post_detail", post_id=target.pk)
    return redirect("dialogue_detail", dialogue_id=target.pk)


@require_safe
def community_highlights(request: HttpRequest, slug: str) -> HttpResponse:
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    communities = Community.objects.visible_to(request.user).with_member(request.user)
    community = get_object_or_404(communities, slug=slug)
    can_read = not community.is_private or community.is_member  # type: ignore[attr-defined]
    try:
        offset = max(0, int(request.GET.get("offset") or 0))
    except ValueError:
        offset = 0
    page = (
        queries.highlights(community, request.user, offset=offset) if can_read else None
    )
    context = {
        "community": community,
        "can_read": can_read,
        "page": page,
        "offset": offset,
    }
    return render_page(
        request,
        "ratings/community_highlights.html",
        context,
        fragment="highlights_page" if offset else None,
    )


@require_safe
def highlights_how(request: HttpRequest) -> HttpResponse:
    return render(request, "ratings/highlights_how.html")


@login_required
@require_POST
def helpful_notices_read(request: HttpRequest) -> HttpResponse:
    actions.mark_helpful_notices_read(session_member(request))
    return redirect("home")
