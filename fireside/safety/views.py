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
from fireside.safety import actions
from fireside.safety.models import Block


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
@require_safe
def block_list(request: HttpRequest) -> HttpResponse:
    blocks = Block.objects.filter(blocker=session_member(request)).select_related(
        "blocked"
    )
    context = {"blocks": blocks.order_by("-created_at")}
    return render(request, "safety/block_list.html", context)


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
        return render(request, "safety/block_list.html#block_row", context)
    messages.success(request, notice)
    return redirect("block_list")
