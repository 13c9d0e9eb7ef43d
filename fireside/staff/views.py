"""The staff area: pages for the instance's administrators only (404 for everyone else).
Reports outside communities (moderation's /staff/cases/), the appeals no cohort member
could take, site-wide suspensions and the review of unfamiliar-looking recent accounts."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts import actions as accounts
from fireside.accounts.authentication import session_member
from fireside.accounts.handles import normalize_handle
from fireside.accounts.models import Member
from fireside.appeals.models import Appeal
from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.staff import forms, permissions
from fireside.staff.models import AccountSuspension
from fireside.staff.unfamiliar import accounts_to_review


def _staff_only(request: HttpRequest) -> None:
    if not permissions.is_staff(request.user):
        raise Http404


def _member_named(handle: str) -> Member:
    member = Member.objects.filter(handle=normalize_handle(handle[:60])).first()
    if member is None:
        raise Http404
    return member


@login_required
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    context = {
        "appeals": Appeal.objects.for_administrators()
        .open()
        .select_related("action", "appellant")
        .order_by("created_at", "id")[:5],
    }
    return render_page(request, "staff/staff_home.html", context)


@login_required
@require_safe
def staff_appeal_list(request: HttpRequest) -> HttpResponse:
    """Appeals assigned to the instance's administrators, waiting ones first."""
    _staff_only(request)
    appeals = (
        Appeal.objects.visible_to(request.user)
        .for_administrators()
        .select_related("action", "action__community", "appellant", "decided_by")
        .order_by("-state", "created_at", "id")[:200]
    )
    return render_page(request, "staff/staff_appeal_list.html", {"appeals": appeals})


@login_required
@require_safe
def staff_suspension_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    suspensions = (
        AccountSuspension.objects.visible_to(request.user)
        .current()
        .select_related("member", "by")
        .order_by("-at", "-id")[:200]
    )
    lifted = (
        AccountSuspension.objects.visible_to(request.user)
        .filter(lifted_at__isnull=False)
        .select_related("member", "by", "lifted_by")
        .order_by("-lifted_at", "-id")[:20]
    )
    context = {"suspensions": suspensions, "lifted": lifted}
    return render_page(request, "staff/staff_suspension_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_suspend(request: HttpRequest) -> HttpResponse:
    """Confirm, then suspend the account named by `handle` with a reason."""
    _staff_only(request)
    form = forms.SuspendForm(request.POST or None, initial=request.GET or None)
    handle = request.POST.get("handle") or request.GET.get("handle") or ""
    member = _member_named(handle) if handle.strip() else None
    context: dict[str, Any] = {"form": form, "target": member}
    if member is None:
        # No account named yet: the page asks for a handle.
        status = 400 if request.method == "POST" else 200
        return render_page(request, "staff/staff_suspend.html", context, status=status)
    context["may_suspend"] = permissions.can_suspend_account(request.user, member)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.suspend_account(
                member, by=session_member(request), reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                f"@{member.handle} is suspended: logged out everywhere, tokens revoked.",
            )
            return redirect("staff_suspension_list")
    return render_page(request, "staff/staff_suspend.html", context)


@login_required
@require_POST
def staff_restore(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    member = _member_named(request.POST.get("handle") or "")
    try:
        accounts.restore_account(member, by=session_member(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"@{member.handle} can log in again.")
    return redirect("staff_suspension_list")


@login_required
@require_safe
def staff_unfamiliar(request: HttpRequest) -> HttpResponse:
    """Recent accounts with the strongest unfamiliar-sender signals, with a suspend
    button each."""
    _staff_only(request)
    context = {"accounts": accounts_to_review()}
    return render_page(request, "staff/staff_unfamiliar.html", context)
