from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.communities.models import Community
from fireside.communities.permissions import check_post_in
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.moderation.permissions import check_not_restricted
from fireside.posts import actions, forms, permissions, queries
from fireside.posts.models import Post, PostQuerySet


def _posts(request: HttpRequest) -> PostQuerySet:
    return Post.objects.visible_to(request.user).select_related("community", "author")


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    form = context.get("form")
    if status == 200 and getattr(form, "errors", None):
        status = 400
    return render(request, template, context, status=status)


def _words(post: Post) -> dict[str, str]:
    topics = ", ".join(topic.name for topic in post.topics.all())
    return {"title": post.title, "body": post.body, "topics": topics}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    member = session_member(request)
    community = get_object_or_404(Community.objects.visible_to(member), slug=slug)
    context: dict[str, object] = {"community": community}
    try:
        check_not_restricted(member, community, doing="post")
        check_post_in(member, community)
    except NotAllowed as refusal:
        context["refusal"] = refusal
        return _page(request, "posts/post_create.html", context, status=403)
    form = context["form"] = forms.PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.create_post(community, by=member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, "Your post is open. People can talk 1:1 with you about it."
            )
            return redirect("post_detail", post_id=post.pk)
    return _page(request, "posts/post_create.html", context)


@require_safe
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.in_communities_readable_by(request.user)
        .select_related("community", "author")
        .prefetch_related("topics"),
        pk=post_id,
    )
    context = {
        "post": post,
        "can_edit": permissions.can_edit_post(request.user, post),
        "can_delete": not post.is_deleted
        and permissions.can_delete_post(request.user, post),
    }
    return render(request, "posts/post_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    member = session_member(request)
    post = get_object_or_404(_posts(request), pk=post_id)
    context: dict[str, object] = {
        "post": post,
        "edit_until": post.created_at + permissions.EDIT_WINDOW,
    }
    try:
        permissions.check_edit_post(member, post)
    except NotAllowed as refusal:
        context["refusal"] = refusal
        return _page(request, "posts/post_edit.html", context, status=403)
    form = context["form"] = forms.PostForm(request.POST or None, initial=_words(post))
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_post(post, by=member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, "Your post is saved. Its earlier words are in its history."
            )
            return redirect("post_detail", post_id=post.pk)
    return _page(request, "posts/post_edit.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    member = session_member(request)
    post = get_object_or_404(_posts(request), pk=post_id)
    if request.method != "POST":
        permissions.check_delete_post(member, post)
        return render(request, "posts/post_delete.html", {"post": post})
    actions.delete_post(post, by=member)
    messages.success(
        request, "Your post is deleted. Conversations about it keep their place."
    )
    url = reverse("post_detail", kwargs={"post_id": post.pk})
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_safe
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(_posts(request), pk=post_id)
    context = {"post": post, "revisions": post.revisions.all()}
    return render(request, "posts/post_history.html", context)


@require_safe
@vary_on_headers("HX-Request")
def post_search(request: HttpRequest) -> HttpResponse:
    form = forms.PostSearchForm(request.GET)
    context: dict[str, object] = {"form": form, "posts": None, "community": None}
    if form.is_valid():
        query, slug = form.cleaned_data["q"], form.cleaned_data["community"]
        community = context["community"] = (
            get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
            if slug
            else None
        )
        if query:
            context["posts"] = queries.search_posts(
                request.user, query, community=community
            )
    template = "posts/post_search.html"
    if request.htmx and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        template += "#results"
    return _page(request, template, context)
