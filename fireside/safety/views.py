from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts.authentication import session_member
from fireside.accounts.models import Member
from fireside.moderation.models import Report
from fireside.safety import actions
from fireside.safety.models import Block, Mute

PAGE = "safety/safety_settings.html"


@login_required
@require_safe
def safety_settings(request: HttpRequest) -> HttpResponse:
    """One page for the members one blocked or muted, and one's own reports."""
    member = session_member(request)
    context = {
        "blocks": Block.objects.filter(blocker=member)
        .select_related("blocked")
        .order_by("-created_at", "-id"),
        "mutes": Mute.objects.by(member)
        .select_related("muted")
        .order_by("-created_at", "-id"),
        "reports": Report.objects.by(member)
        .select_related("case", "case__community")
        .order_by("-created_at", "-id")[:50],
    }
    return render(request, PAGE, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def block_create(request: HttpRequest, handle: str) -> HttpResponse:
    """Ask to confirm, then block: open conversations end for both at once."""
    target = get_object_or_404(Member.objects.visible_to(request.user), handle=handle)
    if request.method != "POST":
        return render(request, "safety/block_create.html", {"target": target})
    actions.block_member(target, by=session_member(request))
    messages.success(
        request,
        f"You blocked {target.display_name}. They cannot ask you for a conversation.",
    )
    return redirect("block_list")


@login_required
@require_POST
def block_lift(request: HttpRequest, handle: str) -> HttpResponse:
    target = get_object_or_404(Member.objects.visible_to(request.user), handle=handle)
    actions.unblock_member(target, by=session_member(request))
    notice = (
        f"You unblocked {target.display_name}. Conversations that ended stay ended."
    )
    if request.htmx:  # type: ignore[attr-defined]
        context = {"target": target, "lifted": notice}
        return render(request, f"{PAGE}#block_row", context)
    messages.success(request, notice)
    return redirect("block_list")


@login_required
@require_POST
def mute_create(request: HttpRequest, handle: str) -> HttpResponse:
    """Mute a member (from their profile): their posts leave one's lists."""
    target = get_object_or_404(Member.objects.visible_to(request.user), handle=handle)
    actions.mute_member(target, by=session_member(request))
    messages.success(
        request,
        f"You muted {target.display_name}. Their posts no longer show in your feed, "
        "lists or search. They are not told.",
    )
    return redirect("member_detail", handle=target.handle)


@login_required
@require_POST
def mute_lift(request: HttpRequest, handle: str) -> HttpResponse:
    target = get_object_or_404(Member.objects.visible_to(request.user), handle=handle)
    actions.unmute_member(target, by=session_member(request))
    notice = f"You unmuted {target.display_name}. Their posts show again."
    if request.htmx:  # type: ignore[attr-defined]
        context = {"target": target, "lifted": notice}
        return render(request, f"{PAGE}#mute_row", context)
    messages.success(request, notice)
    if request.POST.get("next") == "profile":
        return redirect("member_detail", handle=target.handle)
    return redirect("safety_settings")
