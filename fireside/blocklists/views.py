"""Blocklist pages, for cohorts only: a community's lists and subscriptions, the directory
of published lists, and one list with its entries."""

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
from fireside.blocklists import actions, forms, permissions
from fireside.blocklists.models import Blocklist, BlocklistSubscription
from fireside.communities.models import Community, Membership
from fireside.core.exceptions import ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page


def _cohort_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    permissions.check_manage_blocklists_of(request.user, community)
    return community


def _visible_list(request: HttpRequest, blocklist_id: int) -> Blocklist:
    lists = Blocklist.objects.visible_to(request.user).select_related("community")
    return get_object_or_404(lists, pk=blocklist_id)


def _subscribable(community: Community) -> list[tuple[int, str]]:
    lists = (
        Blocklist.objects.published()
        .exclude(community=community)
        .select_related("community")
        .order_by("community__name", "name")
    )
    own = community.blocklists.all()
    return [(blocklist.pk, f"{blocklist.name} (yours)") for blocklist in own] + [
        (blocklist.pk, f"{blocklist.name}, kept by {blocklist.community.name}")
        for blocklist in lists
    ]


def _community_page(
    request: HttpRequest,
    community: Community,
    *,
    create_form: forms.BlocklistForm | None = None,
    subscribe_form: forms.SubscriptionForm | None = None,
) -> HttpResponse:
    context = {
        "community": community,
        "blocklists": community.blocklists.prefetch_related("entries"),
        "subscriptions": community.blocklist_subscriptions.select_related(
            "blocklist__community"
        ),
        "screened": community.screened_joins.select_related("member", "blocklist")[:20],
        "create_form": create_form or forms.BlocklistForm(),
        "subscribe_form": subscribe_form
        or forms.SubscriptionForm(blocklists=_subscribable(community)),
    }
    return render_page(request, "blocklists/community_blocklists.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def community_blocklists(request: HttpRequest, slug: str) -> HttpResponse:
    community = _cohort_community(request, slug)
    form = forms.BlocklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            blocklist = actions.create_blocklist(
                community, by=session_member(request), **form.cleaned_data
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, f"“{blocklist.name}” is ready. Add handles to it."
            )
            return redirect("blocklist_detail", blocklist_id=blocklist.pk)
    return _community_page(
        request, community, create_form=form if form.is_bound else None
    )


@login_required
@require_POST
def blocklist_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    community = _cohort_community(request, slug)
    form = forms.SubscriptionForm(request.POST, blocklists=_subscribable(community))
    if form.is_valid():
        blocklist = _visible_list(request, form.cleaned_data["blocklist"])
        try:
            subscription, _ = actions.subscribe(
                community,
                by=session_member(request),
                blocklist=blocklist,
                mode=form.cleaned_data["mode"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            mode = subscription.get_mode_display().lower()
            messages.success(
                request, f"Joins are now screened with “{blocklist.name}”: {mode}."
            )
            return redirect("community_blocklists", slug=community.slug)
    return _community_page(request, community, subscribe_form=form)


@login_required
@require_POST
def blocklist_unsubscribe(
    request: HttpRequest, slug: str, subscription_id: int
) -> HttpResponse:
    community = _cohort_community(request, slug)
    subscription = get_object_or_404(
        BlocklistSubscription.objects.select_related("community", "blocklist"),
        community=community,
        pk=subscription_id,
    )
    actions.unsubscribe(subscription, by=session_member(request))
    messages.success(
        request, f"“{subscription.blocklist.name}” no longer screens joins here."
    )
    return redirect("community_blocklists", slug=community.slug)


@login_required
@require_safe
def blocklist_list(request: HttpRequest) -> HttpResponse:
    permissions.check_browse_blocklists(request.user)
    context = {
        "blocklists": Blocklist.objects.published()
        .select_related("community")
        .prefetch_related("entries")
        .order_by("community__name", "name", "id"),
        "own_cohorts": Membership.objects.cohort()
        .filter(member=session_member(request))
        .select_related("community")
        .order_by("community__name"),
    }
    return render_page(request, "blocklists/blocklist_list.html", context)


def _detail_page(
    request: HttpRequest,
    blocklist: Blocklist,
    *,
    entry_form: forms.EntryForm | None = None,
) -> HttpResponse:
    context = {
        "blocklist": blocklist,
        "entries": blocklist.entries.select_related("added_by"),
        "can_manage": permissions.can_manage_blocklist(request.user, blocklist),
        "entry_form": entry_form or forms.EntryForm(),
    }
    return render_page(request, "blocklists/blocklist_detail.html", context)


@login_required
@require_safe
def blocklist_detail(request: HttpRequest, blocklist_id: int) -> HttpResponse:
    return _detail_page(request, _visible_list(request, blocklist_id))


@login_required
@require_POST
def blocklist_entry_add(request: HttpRequest, blocklist_id: int) -> HttpResponse:
    blocklist = _visible_list(request, blocklist_id)
    permissions.check_manage_blocklist(request.user, blocklist)
    form = forms.EntryForm(request.POST)
    if form.is_valid():
        try:
            entry = actions.add_entry(
                blocklist, by=session_member(request), **form.cleaned_data
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"@{entry.handle} is on the list.")
            return redirect("blocklist_detail", blocklist_id=blocklist.pk)
    return _detail_page(request, blocklist, entry_form=form)


@login_required
@require_POST
def blocklist_entry_remove(
    request: HttpRequest, blocklist_id: int, entry_id: int
) -> HttpResponse:
    blocklist = _visible_list(request, blocklist_id)
    permissions.check_manage_blocklist(request.user, blocklist)
    entry = blocklist.entries.filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    actions.remove_entry(blocklist, by=session_member(request), handle=entry.handle)
    messages.success(request, f"@{entry.handle} is off the list.")
    return redirect("blocklist_detail", blocklist_id=blocklist.pk)


@login_required
@require_POST
def blocklist_publish(request: HttpRequest, blocklist_id: int) -> HttpResponse:
    blocklist = _visible_list(request, blocklist_id)
    form = forms.PublishForm(request.POST)
    is_published = form.is_valid() and form.cleaned_data["published"]
    actions.set_blocklist_published(
        blocklist, by=session_member(request), is_published=is_published
    )
    messages.success(
        request,
        "The list is published: every cohort can read and subscribe to it."
        if is_published
        else "The list is private to your cohort again.",
    )
    return redirect("blocklist_detail", blocklist_id=blocklist.pk)
