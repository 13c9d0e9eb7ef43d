"""Pages about instance blocks: the administrators' (/staff/federation/, 404 for everyone
else, like the rest of the staff area), a cohort's for its community, and the public list
of blocked instances with their reasons (/about/instances/), so members and other
servers can see whom this instance does not federate with, and why."""

from typing import Any

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
from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.federation import actions, blocks, forms, permissions
from fireside.federation.models import CommunityInstanceBlock, Delivery, InstanceBlock
from fireside.staff.permissions import is_staff


def _staff_only(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise Http404


def _staff_page(
    request: HttpRequest,
    *,
    block_form: forms.InstanceBlockForm | None = None,
    import_form: forms.BlocksImportForm | None = None,
    report: actions.ImportReport | None = None,
) -> HttpResponse:
    failed = Delivery.objects.filter(state=Delivery.State.GAVE_UP).order_by(
        "-next_attempt_at", "-id"
    )[:20]
    context: dict[str, Any] = {
        "blocks": InstanceBlock.objects.select_related("created_by").order_by("domain"),
        "block_form": block_form or forms.InstanceBlockForm(),
        "import_form": import_form or forms.BlocksImportForm(),
        "report": report,
        "failed": [
            {"host": blocks.domain_of(item.target), "delivery": item} for item in failed
        ],
    }
    return render_page(request, "federation/staff_federation.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_federation(request: HttpRequest) -> HttpResponse:
    """The administrators' blocks of other instances: the list, and a block to add."""
    _staff_only(request)
    form = forms.InstanceBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            block = actions.block_instance(
                form.cleaned_data["domain"],
                by=session_member(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, f"{block.domain} is blocked: no contact with it any more."
            )
            return redirect("staff_federation")
    return _staff_page(request, block_form=form if form.is_bound else None)


@login_required
@require_POST
def staff_instance_unblock(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = forms.UnblockForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"domain": ["Name the domain to unblock."]})
    domain = form.cleaned_data["domain"]
    actions.unblock_instance(domain, by=session_member(request))
    messages.success(request, f"{blocks.normalize_domain(domain)} is not blocked now.")
    return redirect("staff_federation")


@login_required
@require_POST
def staff_instance_blocks_import(request: HttpRequest) -> HttpResponse:
    """Block every domain of a CSV list; the page shows what happened, line by line."""
    _staff_only(request)
    form = forms.BlocksImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _staff_page(request, import_form=form)
    try:
        report = actions.import_blocks_csv(
            form.cleaned_data["text"], by=session_member(request)
        )
    except ValidationFailed as error:
        add_action_errors(form, error)
        return _staff_page(request, import_form=form)
    return _staff_page(request, report=report)


@login_required
@require_safe
def staff_instance_blocks_export(request: HttpRequest) -> HttpResponse:
    """The blocks as a CSV file in Mastodon's format."""
    _staff_only(request)
    response = HttpResponse(blocks.export_blocks_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="blocked-instances.csv"'
    return response


# A cohort's blocks ---------------------------------------------------------------------


def _cohort_community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community.objects.visible_to(request.user), slug=slug)
    permissions.check_block_instances_for(request.user, community)
    return community


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def community_instance_blocks(request: HttpRequest, slug: str) -> HttpResponse:
    """The instances a cohort keeps out of its community, and a block to add."""
    community = _cohort_community(request, slug)
    form = forms.InstanceBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            block = actions.block_instance_for_community(
                community,
                form.cleaned_data["domain"],
                by=session_member(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, f"{block.domain} is kept out of {community.name}."
            )
            return redirect("community_instance_blocks", slug=community.slug)
    context = {
        "community": community,
        "blocks": CommunityInstanceBlock.objects.active()
        .filter(community=community)
        .select_related("created_by")
        .order_by("domain"),
        "form": form,
    }
    return render_page(request, "federation/community_instance_blocks.html", context)


@login_required
@require_POST
def community_instance_unblock(request: HttpRequest, slug: str) -> HttpResponse:
    community = _cohort_community(request, slug)
    form = forms.UnblockForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"domain": ["Name the domain to unblock."]})
    domain = form.cleaned_data["domain"]
    actions.unblock_instance_for_community(
        community, domain, by=session_member(request)
    )
    messages.success(
        request, f"{blocks.normalize_domain(domain)} may reach {community.name} again."
    )
    return redirect("community_instance_blocks", slug=community.slug)


# The public list -----------------------------------------------------------------------


@require_safe
def instance_block_list(request: HttpRequest) -> HttpResponse:
    """Every instance the administrators blocked, with the reason they gave."""
    context = {"blocks": InstanceBlock.objects.order_by("domain")}
    return render_page(request, "federation/instance_block_list.html", context)
